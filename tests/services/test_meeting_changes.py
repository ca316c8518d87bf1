"""Changing a meeting: one use case for title, time, length, link and chair; every copy follows
(channel post, each DM, the .ics), reminders are re-planned for a moved start, people who already
got the invitation are told once what changed, and a cancellation's reason reaches everyone."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import InvalidFields, InvalidInput, NotAllowed
from services.meetings import CHANGED
from services.messages import (
    MeetingCancelled,
    MeetingCard,
    MeetingChanged,
    MeetingInvitation,
    MeetingReminder,
    Talk,
)
from services.people import PersonRef
from services.timeutil import before
from storage.models import Answer, Delivery, DeliveryState, Meeting, MeetingChange, MeetingState, Tier
from tests.factories import coordinator, person
from tests.support.notifier import Posted, RecordingNotifier

OSLO = ZoneInfo("Europe/Oslo")
CONTACTS = ["UCARITAS1", "UCARITAS2", "UREDCROSS"]


@pytest.fixture
def roster(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["UNOAS0001"])


def _schedule(services: Services, clock: ManualClock, **kwargs) -> MeetingCard:
    # 22 days after T0 (a Monday): a Tuesday, with invitations due on a Tuesday two weeks before.
    return services.meetings.schedule(coordinator(), title="Winter shelter capacity",
                                      starts_at=clock.now() + timedelta(days=22), **kwargs).meeting


def _change(services: Services, card: MeetingCard, actor=None, **changes):
    values = dict(title=card.title, starts_at=card.starts_at, duration_minutes=card.duration_minutes,
                  video_link=card.video_link, chair=card.chair, chair_person=card.chair_person)
    values.update(changes)
    return services.meetings.change(actor or coordinator(), card.number, **values)


def _settle(services: Services, clock: ManualClock) -> None:
    """Sweep until quiet: sends, then updates in place (spaced a second apart per message)."""
    for _ in range(4):
        clock.advance(timedelta(seconds=2))
        services.deliveries.sweep()


def _dms(notifier: RecordingNotifier, kind: type) -> list[Posted]:
    return [p for p in notifier.posted if p.destination.is_person and isinstance(p.message, kind)]


def _copies(notifier: RecordingNotifier) -> list[MeetingInvitation]:
    """Every posted invitation (channel and DMs) as it reads now."""
    latest = [notifier.latest(p) for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    return [m for m in latest if isinstance(m, MeetingInvitation)]


@pytest.mark.usefixtures("roster")
def test_a_change_before_the_invitations_moves_them_and_tells_nobody(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    card = _schedule(services, clock)
    old_invite, old_reminder = card.invite_at, card.starts_at - timedelta(days=2)
    later = card.starts_at + timedelta(days=7)
    outcome = _change(services, card, starts_at=later, video_link="https://meet.example.org/new")
    assert outcome.changes == ("time", "link") and outcome.told == 0 and not outcome.invitations_sent
    # Two weeks before on the wall clock (the clocks change in between), a working day.
    assert outcome.meeting.invite_at == before(later, timedelta(days=14), OSLO)
    with sessions() as session:
        [change] = session.scalars(select(MeetingChange)).all()
        assert (change.version, change.fields, change.previous_starts_at) == (2, "time,link", card.starts_at)
        assert change.changed_by_user_id == coordinator().person.user_id

    clock.set(old_invite)
    _settle(services, clock)
    assert _copies(notifier) == [], "no invitation goes out at the old invitation time"
    clock.set(outcome.meeting.invite_at)
    _settle(services, clock)
    invitations = _dms(notifier, MeetingInvitation)
    assert sorted(p.destination.id for p in invitations) == CONTACTS
    assert all(p.message.meeting.starts_at == later for p in invitations)
    assert all(p.message.meeting.video_link == "https://meet.example.org/new" for p in invitations)

    clock.set(old_reminder)
    _settle(services, clock)
    assert _dms(notifier, MeetingReminder) == [], "the reminder timed for the old start is stale"
    clock.set(before(later, timedelta(days=2), OSLO))
    _settle(services, clock)
    assert sorted(p.destination.id for p in _dms(notifier, MeetingReminder)) == CONTACTS
    assert _dms(notifier, MeetingChanged) == [], "a change before the invitations is just the invitation"


@pytest.mark.usefixtures("roster")
def test_changes_after_the_invitations_refresh_every_copy_and_are_told_once(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    _settle(services, clock)
    assert len(_copies(notifier)) == 4  # the channel post and three DMs

    moved = card.starts_at + timedelta(days=1, hours=4)
    first = _change(services, card, starts_at=moved)
    assert first.changes == ("time",) and first.told == 3 and first.invitations_sent
    # A quick second fix is told together with the first.
    second = _change(services, first.meeting, video_link="https://meet.example.org/room",
                     chair="Deputy mayor for health")
    assert second.changes == ("link", "chair")
    _settle(services, clock)
    for copy in _copies(notifier):
        assert copy.meeting.starts_at == moved and copy.meeting.video_link == "https://meet.example.org/room"
        assert copy.meeting.chair == "Deputy mayor for health"
    assert _dms(notifier, MeetingChanged) == [], "told after a short grace, not at once"

    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    told = _dms(notifier, MeetingChanged)
    assert sorted(p.destination.id for p in told) == CONTACTS, "each person once, NOAS never"
    assert all(p.message.changes == ("time", "link", "chair") for p in told)
    assert all(p.message.previous_starts_at == card.starts_at for p in told)

    # A later change is told on its own, with only what changed since.
    _change(services, second.meeting, title="Winter shelters and heating")
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    latest = [p.message for p in _dms(notifier, MeetingChanged)][3:]
    assert [m.changes for m in latest] == [("title",)] * 3
    with sessions() as session:
        assert session.scalar(select(Meeting.version)) == 4
        assert session.scalar(select(func.count(MeetingChange.id))) == 3


@pytest.mark.usefixtures("roster")
def test_a_moved_start_replans_reminders_even_after_one_was_sent(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.starts_at - timedelta(days=2))
    _settle(services, clock)
    assert len(_dms(notifier, MeetingReminder)) == 3
    later = card.starts_at + timedelta(days=7)
    _change(services, card, starts_at=later)
    clock.set(before(later, timedelta(days=2), OSLO))
    _settle(services, clock)
    reminders = _dms(notifier, MeetingReminder)
    assert len(reminders) == 6, "the two-day reminder again, for the new start"
    assert all(p.message.meeting.starts_at == later for p in reminders[3:])


@pytest.mark.usefixtures("roster")
def test_moved_and_moved_back_is_not_told(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    _settle(services, clock)
    moved = _change(services, card, starts_at=card.starts_at + timedelta(hours=2))
    _change(services, moved.meeting, starts_at=card.starts_at)
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    assert _dms(notifier, MeetingChanged) == []
    # Reminders follow the start as it is (back where it was), once each.
    clock.set(card.starts_at - timedelta(days=2))
    _settle(services, clock)
    assert sorted(p.destination.id for p in _dms(notifier, MeetingReminder)) == CONTACTS


@pytest.mark.usefixtures("roster")
def test_only_coordinators_change_and_bad_values_are_refused_on_their_fields(
    services: Services, clock: ManualClock, sessions
) -> None:
    card = _schedule(services, clock)
    with pytest.raises(NotAllowed):
        _change(services, card, actor=person("UCARITAS1"), title="Taken over")
    with pytest.raises(InvalidInput) as past:
        _change(services, card, starts_at=clock.now() - timedelta(hours=1))
    assert past.value.field == "starts_at" and "already passed" in past.value.message.msgid
    with pytest.raises(InvalidFields) as several:
        _change(services, card, title="ab", duration_minutes=5, video_link="zoom me", chair="x" * 200)
    assert {ref.field for ref in several.value.errors} == {"title", "duration", "video_link", "chair"}
    services.meetings.set_agenda(coordinator(), card.number, topic_numbers=[],
                                 talks=[Talk("Deputy mayor", None, "Winter plans", 40)])
    with pytest.raises(InvalidInput) as short:
        _change(services, card, duration_minutes=30)
    assert short.value.field == "duration"
    with sessions() as session:
        meeting = session.scalar(select(Meeting))
        assert (meeting.title, meeting.starts_at, meeting.duration_minutes) == (
            card.title, card.starts_at, card.duration_minutes), "nothing half-written"
        assert meeting.version == 2, "only the agenda changed"
    same = _change(services, card)
    assert same.changes == () and same.told == 0


@pytest.mark.usefixtures("roster")
def test_the_ics_sequence_rises_with_every_change(services: Services, clock: ManualClock) -> None:
    card = _schedule(services, clock)

    def event():
        [found] = Calendar.from_ical(services.calendars.ics(card.calendar_token)).walk("VEVENT")
        return found

    first = event()
    moved = _change(services, card, starts_at=card.starts_at + timedelta(hours=1)).meeting
    second = event()
    _change(services, moved, video_link="https://meet.example.org/x")
    third = event()
    assert [int(e["sequence"]) for e in (first, second, third)] == [0, 1, 2]
    assert str(first["uid"]) == str(third["uid"])
    assert second.decoded("dtstart") == card.starts_at + timedelta(hours=1)
    assert str(third["location"]) == "https://meet.example.org/x"


@pytest.mark.usefixtures("roster")
def test_an_agenda_change_after_the_invitations_reaches_every_dm(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.topics.propose(person("UCARITAS1"), "Heating costs")
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    _settle(services, clock)
    services.meetings.add_topic(coordinator(), card.number, 1)
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    copies = _copies(notifier)
    assert len(copies) == 4 and all(c.meeting.agenda == ((1, "Heating costs"),) for c in copies)
    assert [p.message.changes for p in _dms(notifier, MeetingChanged)] == [("agenda",)] * 3


@pytest.mark.usefixtures("roster")
def test_the_chair_is_set_when_scheduling(services: Services, clock: ManualClock, platform: str) -> None:
    kari = PersonRef(platform, "UKARI0001")
    card = _schedule(services, clock, chair="Deputy mayor", chair_person=kari)
    assert (card.chair, card.chair_person) == ("Deputy mayor", kari)
    with pytest.raises(InvalidInput) as refused:
        services.meetings.schedule(coordinator(), title="Another one", chair="K",
                                   starts_at=clock.now() + timedelta(days=30))
    assert refused.value.field == "chair"
    changed = _change(services, card, chair=None, chair_person=None)
    assert changed.changes == ("chair",) and changed.meeting.chair is None
    assert changed.meeting.chair_person is None


@pytest.mark.usefixtures("roster")
def test_cancelling_with_a_reason_reaches_everyone_and_every_copy_shows_it(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    _settle(services, clock)
    _change(services, card, title="Winter shelters")
    with pytest.raises(InvalidInput) as long_reason:
        services.meetings.cancel(coordinator(), card.number, "x" * 600)
    assert long_reason.value.field == "reason"
    services.meetings.cancel(coordinator(), card.number, "  Too few could  come ")
    _settle(services, clock)
    told = _dms(notifier, MeetingCancelled)
    assert sorted(p.destination.id for p in told) == CONTACTS
    assert all(p.message.meeting.cancel_reason == "Too few could come" for p in told)
    copies = _copies(notifier)
    assert len(copies) == 4 and all(c.meeting.state == MeetingState.CANCELLED for c in copies)
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    assert _dms(notifier, MeetingChanged) == [], "a cancelled meeting's pending change news is dropped"
    with pytest.raises(InvalidInput) as refused:
        services.meetings.rsvp(person("UCARITAS1"), card.number, Answer.YES)
    assert refused.value.message.msgid == "Meeting {number} has been cancelled."
    with pytest.raises(InvalidInput):
        services.meetings.change_form(coordinator(), card.number)
    with sessions() as session:
        assert session.scalar(select(Meeting.cancel_reason)) == "Too few could come"
        skipped = session.scalars(select(Delivery.state).where(Delivery.kind == CHANGED)).all()
        assert skipped and set(skipped) == {DeliveryState.SKIPPED}


@pytest.mark.usefixtures("roster")
def test_held_meetings_are_re_rendered_everywhere_and_answers_close(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    _settle(services, clock)
    clock.set(card.starts_at + timedelta(minutes=10))
    services.minutes.record(coordinator(), card.number, summary="We talked about shelters.")
    _settle(services, clock)
    copies = _copies(notifier)
    assert len(copies) == 4 and all(c.meeting.state == MeetingState.HELD for c in copies)
    with pytest.raises(InvalidInput) as closed:
        services.meetings.rsvp(person("UCARITAS1"), card.number, Answer.YES)
    assert "answers are closed" in closed.value.message.msgid


@pytest.mark.usefixtures("roster")
def test_an_urgent_call_is_changed_the_same_way_link_and_background_included(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = services.meetings.urgent(coordinator(), title="Flooding in Groruddalen",
                                    background="The river broke its banks.").meeting
    _settle(services, clock)
    assert len(_dms(notifier, MeetingInvitation)) == 3
    kept = _change(services, card, video_link="https://meet.example.org/flood")
    assert kept.changes == ("link",) and kept.meeting.background == "The river broke its banks."
    changed = _change(services, kept.meeting, background="The river broke its banks; roads are closed.")
    assert changed.changes == ("background",) and changed.told == 3
    with pytest.raises(InvalidInput) as too_long:
        _change(services, changed.meeting, background="x" * 2000)
    assert too_long.value.field == "background"
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    assert [p.message.changes for p in _dms(notifier, MeetingChanged)] == [("link", "background")] * 3
    assert all(c.meeting.background == "The river broke its banks; roads are closed." for c in _copies(notifier))
