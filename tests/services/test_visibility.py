"""Who sees whom (docs/privacy.md): the roster names contacts to coordinators only and counts the
perspectives for everyone else; a topic's proposer is shown beside their organisation only in a
coordinator's private view; meeting listings name no contact."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import NotAllowed
from services.messages import TopicAnnouncement
from services.roster import PerspectiveCount, RosterRow
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

IMAM, MOTHER, PASTOR, LONER = "UMOSQUE1", "UMOTHER1", "UCHURCH1", "ULONER01"


@pytest.fixture
def roster(services: Services) -> Services:
    services.roster.import_rows(coordinator(), [
        RosterRow("Islamic Council", "core", (IMAM,), ("religion",), "afternoon", "", ("mosque",)),
        RosterRow("Church City Mission", "core", (PASTOR,), ("religion", "public-health")),
        RosterRow("Bydelsmødrene", "topic", (MOTHER,), ("gender-age", "country-background")),
        RosterRow("Helsedirektoratet", "observer"),
    ])
    return services


def _people_in(value: object) -> bool:
    shown = repr(value)
    return any(u in shown for u in (IMAM, MOTHER, PASTOR))


def test_anyone_but_a_coordinator_sees_organisations_without_contacts_and_perspectives_counted(
    roster: Services,
) -> None:
    listing = roster.roster.listing(person(LONER))
    assert not listing.for_coordinator
    assert [(o.name, o.tier) for o in listing.organisations] == [
        ("Church City Mission", "core"), ("Islamic Council", "core"), ("Bydelsmødrene", "topic"),
        ("Helsedirektoratet", "observer")]
    assert all(o.contacts == () and o.perspectives == () and o.keywords == () for o in listing.organisations)
    assert not _people_in(listing), "no contact is named"
    # Counted across the roster, most common first: never which organisation brings which.
    assert listing.perspectives == (PerspectiveCount("religion", 2), PerspectiveCount("country-background", 1),
                                    PerspectiveCount("gender-age", 1), PerspectiveCount("public-health", 1))
    # The organisation's own preference is no one's personal data.
    assert listing.organisations[1].preferred_time == "afternoon"
    # A contact of one organisation sees no more than anyone else.
    assert roster.roster.listing(person(IMAM)) == listing


def test_a_coordinator_sees_the_roster_whole(roster: Services) -> None:
    listing = roster.roster.listing(coordinator())
    assert listing.for_coordinator
    islamic = next(o for o in listing.organisations if o.name == "Islamic Council")
    assert ([c.user_id for c in islamic.contacts], islamic.perspectives, islamic.keywords) == (
        [IMAM], ("religion",), ("mosque",))
    assert listing.perspectives[0] == PerspectiveCount("religion", 2)
    assert roster.roster.organisations(coordinator()) == list(listing.organisations)


def test_the_whole_roster_and_its_export_are_for_coordinators_only(roster: Services) -> None:
    with pytest.raises(NotAllowed):
        roster.roster.organisations(person(IMAM))
    with pytest.raises(NotAllowed):
        roster.roster.export_rows(person(LONER))


def test_a_proposer_is_shown_as_their_organisation_in_shared_places(
    roster: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    roster.topics.propose(person(IMAM), "Prayer rooms in schools")
    roster.topics.propose(person(LONER), "Benches in parks")
    roster.deliveries.sweep()
    announced = {p.message.topic.number: p.message.topic for p in notifier.posted
                 if isinstance(p.message, TopicAnnouncement)}
    # The channel: the organisation and the side, not the person behind them.
    assert (announced[1].proposer, announced[1].proposer_organisation) == (None, "Islamic Council")
    # Someone with no organisation is shown as themselves: nothing to tie them to.
    assert announced[2].proposer is not None and announced[2].proposer.user_id == LONER
    assert announced[2].proposer_organisation is None

    seen = {t.number: t for t in roster.topics.open_topics(person(MOTHER))}
    assert seen[1].proposer is None and seen[1].proposer_organisation == "Islamic Council"
    assert not _people_in(seen)
    # A coordinator's own list is private to them: both.
    mine = {t.number: t for t in roster.topics.open_topics(coordinator())}
    assert mine[1].proposer is not None and mine[1].proposer.user_id == IMAM
    assert mine[1].proposer_organisation == "Islamic Council"
    assert roster.home.view(coordinator()).new_proposals[-1].proposer.user_id == IMAM


def test_meeting_listings_name_no_contact(roster: Services, clock: ManualClock) -> None:
    number = roster.meetings.schedule(coordinator(), title="Spring dialogue",
                                      starts_at=clock.now() + timedelta(hours=2)).meeting.number
    roster.deliveries.sweep()
    for reader in (person(LONER), person(IMAM)):
        upcoming = roster.meetings.upcoming(reader)
        assert [u.meeting.number for u in upcoming] == [number]
        assert not _people_in(upcoming)
        assert not _people_in(roster.home.view(reader))
