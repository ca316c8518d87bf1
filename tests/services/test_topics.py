"""Topic proposals: validation, numbering, sides, support, announcements."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from services.container import Services
from services.errors import Conflict, InvalidInput, NotFound
from services.messages import TopicAnnouncement
from storage.models import Delivery, DeliveryState, Side, Tier, Topic, TopicState, TopicSupport
from tests.conftest import CHANNEL
from tests.factories import coordinator, organisation, person
from tests.support.notifier import RecordingNotifier


def test_proposal_gets_the_next_number_and_records_the_civil_society_side(services: Services) -> None:
    first = services.topics.propose(person("U1"), "Housing for refugees", "Families wait too long")
    second = services.topics.propose(person("U2"), "Youth unemployment")
    assert (first.number, second.number) == (1, 2)
    assert first.title == "Housing for refugees"
    assert first.details == "Families wait too long"
    assert first.proposer_side == Side.CIVIL_SOCIETY
    assert first.state == "proposed"
    assert first.supporters == 0


def test_coordinator_proposals_are_from_the_city(services: Services) -> None:
    card = services.topics.propose(coordinator(), "Budget priorities 2027")
    assert card.proposer_side == Side.CITY


def test_a_contact_of_an_observer_organisation_proposes_as_a_public_agency(services: Services,
                                                                          sessions) -> None:
    organisation(sessions, "Helsedirektoratet", "UHDIR", tier=Tier.OBSERVER)
    organisation(sessions, "Politiet", "UPOLICE", tier=Tier.OBSERVER)
    card = services.topics.propose(person("UHDIR"), "Vaccination in shelters")
    assert (card.proposer_side, card.proposer_organisation) == (Side.AGENCY, "Helsedirektoratet")
    # Everyone sees the same side: the list and the stored row agree with the answer.
    [listed] = services.topics.open_topics(person("U9"))
    assert listed.proposer_side == Side.AGENCY
    with sessions() as session:
        assert session.scalar(select(Topic.proposer_side)) == Side.AGENCY


def test_a_coordinator_speaks_for_the_city_even_as_an_agency_contact(services: Services) -> None:
    services.roster.add(coordinator(), "Helsedirektoratet", Tier.OBSERVER, [coordinator().person.user_id])
    assert services.topics.propose(coordinator(), "Budget priorities 2027").proposer_side == Side.CITY


def test_proposer_organisation_is_recorded_for_contacts(services: Services, sessions) -> None:
    organisation(sessions, "Oslo Red Cross", "U1")
    card = services.topics.propose(person("U1"), "Volunteers in crises")
    assert card.proposer_organisation == "Oslo Red Cross"
    assert card.proposer_side == Side.CIVIL_SOCIETY


def test_numbers_count_per_workspace(services: Services) -> None:
    assert services.topics.propose(person("U1", team="TA"), "First in A").number == 1
    assert services.topics.propose(person("U1", team="TB"), "First in B").number == 1
    assert services.topics.propose(person("U1", team="TA"), "Second in A").number == 2


def test_whitespace_is_folded_in_titles(services: Services) -> None:
    card = services.topics.propose(person("U1"), "  Housing \n  for   refugees ")
    assert card.title == "Housing for refugees"


@pytest.mark.parametrize(
    ("title", "details", "field"),
    [("", "", "title"), ("ab", "", "title"), ("x" * 151, "", "title"), ("Fine title", "y" * 2001, "details")],
)
def test_bad_proposals_are_refused_and_nothing_is_written(
    services: Services, sessions, title: str, details: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.topics.propose(person("U1"), title, details)
    assert refused.value.field == field
    with sessions() as session:
        assert session.scalar(select(func.count(Topic.id))) == 0
        assert session.scalar(select(func.count(Delivery.id))) == 0


def test_an_open_duplicate_title_is_refused_with_the_existing_number(services: Services, sessions) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    with pytest.raises(Conflict) as refused:
        services.topics.propose(person("U2"), "housing  FOR refugees")
    assert refused.value.message.params["number"] == 1
    with sessions() as session:
        assert session.scalar(select(func.count(Topic.id))) == 1


def test_a_closed_topic_can_be_proposed_again(services: Services, sessions) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    with sessions.begin() as session:
        session.execute(Topic.__table__.update().values(state=TopicState.DISCUSSED))
    assert services.topics.propose(person("U2"), "Housing for refugees").number == 2


def test_proposal_plans_one_announcement_in_the_channel(services: Services, sessions) -> None:
    card = services.topics.propose(person("U1"), "Housing for refugees")
    with sessions() as session:
        deliveries = session.scalars(select(Delivery)).all()
    assert [(d.kind, d.dest_kind, d.dest_id, d.state) for d in deliveries] == [
        ("topic_announcement", "channel", CHANNEL, DeliveryState.PENDING)
    ]
    assert deliveries[0].topic_id is not None
    assert card.number == 1


def test_announcement_is_sent_by_the_sweep_and_updated_when_support_grows(
    services: Services, notifier: RecordingNotifier
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    report = services.deliveries.sweep()
    assert len(report.sent) == 1
    [posted] = notifier.posted
    assert isinstance(posted.message, TopicAnnouncement)
    assert posted.message.topic.supporters == 0

    services.topics.support(person("U2"), 1)
    services.topics.support(person("U3"), 1)
    report = services.deliveries.sweep()
    # Two supports between sweeps coalesce into one update in place.
    assert report.updated and len(posted.updates) == 1
    assert notifier.latest(posted).topic.supporters == 2
    assert services.deliveries.sweep().updated == []


def test_support_twice_counts_once(services: Services, sessions) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    first = services.topics.support(person("U2"), 1)
    again = services.topics.support(person("U2"), 1)
    assert (first.added, again.added) == (True, False)
    assert again.topic.supporters == 1
    with sessions() as session:
        assert session.scalar(select(func.count(TopicSupport.id))) == 1


def test_concurrent_double_clicks_count_once(services: Services, sessions) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    barrier = threading.Barrier(4)
    outcomes = []
    clicker = person("U2")

    def click() -> None:
        barrier.wait()
        outcomes.append(services.topics.support(clicker, 1).added)

    threads = [threading.Thread(target=click) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.count(True) == 1
    with sessions() as session:
        assert session.scalar(select(func.count(TopicSupport.id))) == 1


def test_support_counts_organisations(services: Services, sessions) -> None:
    organisation(sessions, "Caritas", "U2", "U3")
    organisation(sessions, "Bymisjonen", "U4")
    services.topics.propose(person("U1"), "Housing for refugees")
    for user in ("U2", "U3", "U4", "U5"):
        card = services.topics.support(person(user), 1).topic
    assert (card.supporters, card.supporting_organisations) == (4, 2)


def test_support_for_unknown_or_closed_topics_is_refused(services: Services, sessions) -> None:
    with pytest.raises(NotFound):
        services.topics.support(person("U2"), 7)
    services.topics.propose(person("U1"), "Housing for refugees")
    with sessions.begin() as session:
        session.execute(Topic.__table__.update().values(state=TopicState.DECLINED))
    with pytest.raises(InvalidInput):
        services.topics.support(person("U2"), 1)


def test_open_topics_sorted_by_support_then_newest(services: Services) -> None:
    for title in ("Alpha topic", "Beta topic", "Gamma topic"):
        services.topics.propose(person("U1"), title)
    services.topics.support(person("U2"), 2)
    services.topics.support(person("U3"), 2)
    services.topics.support(person("U2"), 1)
    assert [c.number for c in services.topics.open_topics(person("U9"))] == [2, 1, 3]


def test_topics_are_private_to_their_workspace(services: Services) -> None:
    services.topics.propose(person("U1", team="TA"), "Only in A")
    assert services.topics.open_topics(person("U1", team="TB")) == []
    with pytest.raises(NotFound):
        services.topics.support(person("U1", team="TB"), 1)
