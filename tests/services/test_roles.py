"""The roles the seed names: observers invited to listen in, speakers who are people (told of their
talk once, and again when it changes or is removed), follow-up points owned by the city (reminded
to the coordinators) or by a public agency."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import Field, FieldRef, InvalidInput
from services.messages import ActionItemDue, MeetingInvitation, MinutesPosted, SpeakerTold, Talk
from services.minutes import THE_CITY, ActionItemInput
from services.people import PersonRef
from storage.models import Answer, MeetingState, Side, Tier
from tests.conftest import COORDINATOR
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


def _sweep(services: Services, clock: ManualClock, rounds: int = 4) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def _someone(user_id: str) -> PersonRef:
    return person(user_id).person


# -- observers ------------------------------------------------------------------------------


def test_observers_are_invited_to_listen_in_and_participants_to_take_part(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS", "UBOTH"])
    services.roster.add(boss, "Helsedirektoratet", Tier.OBSERVER, ["UHDIR", "UBOTH"])
    number = services.meetings.schedule(boss, title="March dialogue",
                                        starts_at=clock.now() + timedelta(hours=2)).meeting.number
    services.meetings.invite(boss, number, "Helsedirektoratet")
    _sweep(services, clock)
    personal = {p.destination.id: p.message for p in notifier.posted
                if isinstance(p.message, MeetingInvitation) and p.destination.is_person}
    assert {user: message.listening for user, message in personal.items()} == {
        "UCARITAS": False, "UHDIR": True,
        # Someone who also speaks for a participant takes part.
        "UBOTH": False,
    }


# -- speakers -------------------------------------------------------------------------------


@pytest.fixture
def meeting(services: Services, clock: ManualClock) -> int:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UCARITAS"])
    return services.meetings.schedule(coordinator(), title="March dialogue",
                                      starts_at=clock.now() + timedelta(days=20)).meeting.number


def _told(notifier: RecordingNotifier, user_id: str) -> list[SpeakerTold]:
    return [p.message for p in notifier.posted
            if isinstance(p.message, SpeakerTold) and p.destination.id == user_id]


def test_a_speaker_who_is_a_person_is_told_once_then_on_each_change_and_on_removal(
    services: Services, meeting: int, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    kari = _someone("UKARI")
    talk = Talk("", "Caritas", "Shelters in winter", 10, kari)
    card = services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[talk]).meeting
    assert card.talks[0].person == kari and card.talks[0].speaker == ""
    _sweep(services, clock)
    [first] = _told(notifier, "UKARI")
    assert (first.changed, [(t.subject, t.minutes) for t in first.talks]) == (False, [("Shelters in winter", 10)])
    assert first.meeting.number == meeting

    # The same agenda saved again, and a reordering, are no news.
    other = Talk("Deputy mayor", None, "Winter plans", 5)
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[talk])
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[other, talk])
    _sweep(services, clock)
    assert len(_told(notifier, "UKARI")) == 1

    # Two quick changes before the sweep: only the latest word goes out.
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("", "Caritas", "Shelters in winter", 15, kari)])
    clock.advance(timedelta(milliseconds=5))
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("", "Caritas", "Shelters and food", 12, kari)])
    _sweep(services, clock)
    told = _told(notifier, "UKARI")
    assert len(told) == 2 and told[1].changed
    assert [(t.subject, t.minutes) for t in told[1].talks] == [("Shelters and food", 12)]

    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[other])
    _sweep(services, clock)
    told = _told(notifier, "UKARI")
    assert len(told) == 3 and told[2].talks == () and told[2].changed


def test_a_speaker_added_and_removed_before_being_told_hears_nothing(
    services: Services, meeting: int, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("", None, "Shelters in winter", 10, _someone("UKARI"))])
    clock.advance(timedelta(milliseconds=5))
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[], talks=[])
    _sweep(services, clock)
    assert _told(notifier, "UKARI") == []


def test_a_typed_speaker_is_never_messaged_and_a_talk_needs_a_name_or_a_person(
    services: Services, meeting: int, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("Kari Nordmann", None, "Shelters in winter", 10)])
    _sweep(services, clock)
    assert not [p for p in notifier.posted if isinstance(p.message, SpeakerTold)]
    with pytest.raises(InvalidInput) as refused:
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                     talks=[Talk("", None, "Shelters in winter", 10)])
    assert refused.value.ref == FieldRef(Field.TALK, 1)
    with pytest.raises(InvalidInput):
        services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                     talks=[Talk("K", None, "Shelters in winter", 10, _someone("UKARI"))])


def test_a_speakers_message_follows_the_meeting_when_it_moves_or_is_cancelled(
    services: Services, meeting: int, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("", None, "Shelters in winter", 10, _someone("UKARI"))])
    _sweep(services, clock)
    [sent] = [p for p in notifier.posted if isinstance(p.message, SpeakerTold)]
    card = services.meetings.get(coordinator(), meeting)
    later = card.starts_at + timedelta(days=1)
    services.meetings.change(coordinator(), meeting, title=card.title, starts_at=later,
                             duration_minutes=card.duration_minutes)
    _sweep(services, clock)
    assert notifier.latest(sent).meeting.starts_at == later
    assert len(_told(notifier, "UKARI")) == 1, "a move of the meeting is shown in place, not a new talk"
    services.meetings.cancel(coordinator(), meeting)
    _sweep(services, clock)
    assert notifier.latest(sent).meeting.state == MeetingState.CANCELLED


def test_a_cancelled_meeting_tells_no_speaker_of_a_talk(
    services: Services, meeting: int, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.meetings.set_agenda(coordinator(), meeting, topic_numbers=[],
                                 talks=[Talk("", None, "Shelters in winter", 10, _someone("UKARI"))])
    services.meetings.cancel(coordinator(), meeting)
    _sweep(services, clock)
    assert _told(notifier, "UKARI") == []


# -- follow-up points -----------------------------------------------------------------------


@pytest.fixture
def held(services: Services, clock: ManualClock) -> int:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS"])
    services.roster.add(boss, "Helsedirektoratet", Tier.OBSERVER, ["UHDIR"])
    card = services.meetings.schedule(boss, title="March dialogue",
                                      starts_at=clock.now() + timedelta(hours=2)).meeting
    _sweep(services, clock)
    services.meetings.rsvp(person("UCARITAS"), card.number, Answer.YES)
    clock.set(card.starts_at + timedelta(hours=1))
    return card.number


def test_follow_up_points_owned_by_the_city_and_an_agency_are_accepted_and_reminded(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    due = clock.now().date() + timedelta(days=7)
    view = services.minutes.record(coordinator(), held, summary="Warm rooms and vaccination.", action_items=[
        ActionItemInput("Open two more warm rooms", THE_CITY, due),
        ActionItemInput("Report on vaccination", "Helsedirektoratet", due),
        ActionItemInput("Find volunteers", "Caritas", due),
    ]).minutes
    assert [(i.owner, i.owner_side) for i in view.action_items] == [
        (None, Side.CITY), ("Helsedirektoratet", Side.AGENCY), ("Caritas", Side.CIVIL_SOCIETY)]
    _sweep(services, clock)
    [posted] = [p.message for p in notifier.posted
                if isinstance(p.message, MinutesPosted) and not p.destination.is_person]
    assert posted.minutes.action_items == view.action_items
    form = services.minutes.form(coordinator(), held)
    assert (form.organisations, form.agencies) == (("Caritas",), ("Helsedirektoratet",))
    assert form.action_items[0].owner is None

    clock.set(clock.now() + timedelta(days=7, hours=12))
    _sweep(services, clock)
    reminded = {(p.destination.id, p.message.item.description) for p in notifier.posted
                if isinstance(p.message, ActionItemDue)}
    assert reminded == {(COORDINATOR, "Open two more warm rooms"), ("UHDIR", "Report on vaccination"),
                        ("UCARITAS", "Find volunteers")}
    [city] = [p.message for p in notifier.posted
              if isinstance(p.message, ActionItemDue) and p.destination.id == COORDINATOR]
    assert city.item.owner is None and city.item.owner_side == Side.CITY


def test_an_unknown_or_missing_owner_is_refused_on_its_row(services: Services, held: int, clock: ManualClock) -> None:
    due = clock.now().date() + timedelta(days=7)
    with pytest.raises(InvalidInput) as refused:
        services.minutes.record(coordinator(), held, summary="A perfectly fine summary.", action_items=[
            ActionItemInput("Open two more warm rooms", THE_CITY, due),
            ActionItemInput("Report on vaccination", "No Such Directorate", due),
        ])
    assert refused.value.ref == FieldRef(Field.ACTION_ITEM, 2)
    assert refused.value.message.params["name"] == "No Such Directorate"
