"""The agenda: topics from the backlog, up to two talks, the open floor; proposers told each time."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import Conflict, DomainError, Field, FieldRef, InvalidFields, InvalidInput, NotAllowed
from services.messages import MeetingInvitation, Talk, TopicChanged
from storage.models import Tier
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def meeting(services: Services, clock: ManualClock) -> int:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UCARITAS1"])
    for title in ("Heating costs", "Youth jobs", "Language courses"):
        services.topics.propose(person("UPROPOSER"), title)
    return services.meetings.schedule(coordinator(), title="March dialogue",
                                      starts_at=clock.now() + timedelta(days=20)).meeting.number


def _changes(notifier: RecordingNotifier) -> list[tuple[int, str]]:
    return [(p.message.topic.number, p.message.change) for p in notifier.posted
            if isinstance(p.message, TopicChanged) and p.destination.id == "UPROPOSER"]


def test_putting_topics_on_the_agenda_tells_their_proposer(
    services: Services, meeting: int, notifier: RecordingNotifier
) -> None:
    card = services.meetings.add_topic(coordinator(), meeting, 2).meeting
    assert card.agenda == ((2, "Youth jobs"),)
    assert services.topics.get(person("U9"), 2).state == "scheduled"
    with pytest.raises(Conflict):
        services.meetings.add_topic(coordinator(), meeting, 2)
    with pytest.raises(NotAllowed):
        services.meetings.add_topic(person("UPROPOSER"), meeting, 1)
    services.deliveries.sweep()
    assert _changes(notifier) == [(2, "scheduled")]


def test_talks_and_topics_are_set_together_and_removed_topics_go_back(
    services: Services, meeting: int, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    services.meetings.add_topic(coordinator(), meeting, 1)
    outcome = services.meetings.set_agenda(
        coordinator(), meeting, topic_numbers=[2, 3],
        talks=[Talk("Deputy mayor  for welfare", None, "Winter  plans", 10), Talk("Kari", "Caritas", "Shelters", 15)],
    )
    card = outcome.meeting
    assert [n for n, _ in card.agenda] == [2, 3]
    assert [(t.speaker, t.organisation, t.subject) for t in card.talks] == [
        ("Deputy mayor for welfare", None, "Winter plans"), ("Kari", "Caritas", "Shelters")]
    assert card.open_floor_minutes == 35 and outcome.warning is None
    assert services.topics.get(person("U9"), 1).state == "proposed"
    for _ in range(2):  # one DM channel: a few messages at once, then one a second
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))
    # Topic 1 came off before its "scheduled" message went out: only the final word is sent.
    assert sorted(_changes(notifier)) == [(1, "unscheduled"), (2, "scheduled"), (3, "scheduled")]


@pytest.mark.parametrize(
    "talks",
    [
        [Talk("A speaker", None, "Subject one", 10)] * 3,
        [Talk("A speaker", None, "Subject one", 40), Talk("B speaker", None, "Subject two", 30)],
        [Talk("A speaker", None, "Subject one", 0)],
        [Talk("A", None, "Subject one", 10)],
        [Talk("A speaker", "No Such Org", "Subject one", 10)],
    ],
)
def test_bad_talks_are_refused_and_nothing_changes(services: Services, meeting: int, talks) -> None:
    with pytest.raises(DomainError):
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[1], talks=talks)
    card = services.meetings.get(person("U9"), meeting)
    assert card.agenda == () and card.talks == ()


def test_a_squeezed_open_floor_is_warned_about_not_refused(services: Services, meeting: int) -> None:
    outcome = services.meetings.set_agenda(
        coordinator(), meeting, topic_numbers=[],
        talks=[Talk("A speaker", None, "Subject one", 25), Talk("B speaker", None, "Subject two", 25)],
    )
    assert outcome.meeting.open_floor_minutes == 10
    assert outcome.warning is not None and outcome.warning.params["minutes"] == 10


def test_declining_a_topic_tells_the_proposer_why_and_takes_it_off_agendas(
    services: Services, meeting: int, notifier: RecordingNotifier
) -> None:
    services.meetings.add_topic(coordinator(), meeting, 1)
    with pytest.raises(NotAllowed):
        services.topics.decline(person("UPROPOSER"), 1, "I changed my mind")
    with pytest.raises(InvalidInput):
        services.topics.decline(coordinator(), 1, "")
    card = services.topics.decline(coordinator(), 1, "Covered by the budget hearing")
    assert (card.state, card.state_reason) == ("declined", "Covered by the budget hearing")
    assert services.meetings.get(person("U9"), meeting).agenda == ()
    with pytest.raises(InvalidInput):
        services.topics.support(person("U5"), 1)
    services.deliveries.sweep()
    declined = [p.message for p in notifier.posted if isinstance(p.message, TopicChanged) and p.message.change == "declined"]
    assert [m.topic.state_reason for m in declined] == ["Covered by the budget hearing"]
    # It was taken off before the "scheduled" message went out: that one is dropped.
    assert _changes(notifier) == [(1, "declined")]


def test_cancelling_tells_proposers_their_topics_are_back(
    services: Services, meeting: int, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    services.meetings.add_topic(coordinator(), meeting, 3)
    services.deliveries.sweep()
    services.meetings.cancel(coordinator(), meeting)
    services.deliveries.sweep()
    assert _changes(notifier) == [(3, "scheduled"), (3, "unscheduled")]


def test_the_invitation_carries_the_agenda(services: Services, meeting: int, notifier: RecordingNotifier,
                                           clock: ManualClock) -> None:
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[1],
                                 talks=[Talk("Deputy mayor", None, "Winter plans", 10)])
    card = services.meetings.get(person("U9"), meeting)
    clock.set(card.invite_at)
    services.deliveries.sweep()  # the three proposals' announcements go first
    clock.advance(timedelta(seconds=1))
    services.deliveries.sweep()
    [channel] = [p for p in notifier.posted if isinstance(p.message, MeetingInvitation) and p.destination.kind == "channel"]
    assert channel.message.meeting.talks[0].subject == "Winter plans"
    assert channel.message.meeting.agenda == ((1, "Heating costs"),)


def test_a_topic_is_on_one_upcoming_agenda_at_a_time(services: Services, meeting: int, clock: ManualClock) -> None:
    other = services.meetings.schedule(coordinator(), title="April dialogue",
                                       starts_at=clock.now() + timedelta(days=40)).meeting.number
    services.meetings.add_topic(coordinator(), meeting, 1)
    with pytest.raises(Conflict) as refused:
        services.meetings.add_topic(coordinator(), other, 1)
    assert refused.value.message.params == {"topic": 1, "number": meeting}
    with pytest.raises(Conflict):
        services.meetings.set_agenda(coordinator(), other, topic_numbers=[1], talks=[])


def test_every_move_of_a_topic_is_told(services: Services, meeting: int, notifier: RecordingNotifier,
                                       clock: ManualClock) -> None:
    for numbers in ([1], [], [1]):
        clock.advance(timedelta(seconds=1))
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=numbers, talks=[])
        services.deliveries.sweep()
    assert _changes(notifier) == [(1, "scheduled"), (1, "unscheduled"), (1, "scheduled")]


def test_talk_errors_name_their_field_and_row(services: Services, meeting: int) -> None:
    with pytest.raises(InvalidFields) as refused:
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[
            Talk("X", None, "Winter plans", 10), Talk("Deputy mayor", None, "Budget", 75)])
    assert list(refused.value.errors) == [FieldRef(Field.TALK, 1), FieldRef(Field.TALK_MINUTES, 2)]
    assert (refused.value.field, refused.value.row) == (Field.TALK, 1)
    with pytest.raises(InvalidInput) as too_long:
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[
            Talk("Deputy mayor", None, "Budget", 50), Talk("Mayor", None, "Housing", 50)])
    assert too_long.value.ref == FieldRef(Field.TALKS)
