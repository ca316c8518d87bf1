"""Meetings: who is invited when, answers and tally, reminders, nudges, cancellation, DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import Conflict, InvalidInput, NotAllowed, NotFound
from services.meetings import NotInvited
from services.messages import (
    MeetingCancelled,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
)
from services.timeutil import local_to_utc, parse_date, parse_time
from storage.models import Answer, Delivery, Meeting, Tier
from tests.conftest import CHANNEL
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def roster(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS", "USHARED01"])
    services.roster.add(boss, "Bymisjonen", Tier.CORE, ["USHARED01"])
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["UNOAS0001"])
    services.roster.add(boss, "Helsedirektoratet", Tier.OBSERVER, ["UHELSEDIR"])


def _schedule(services: Services, clock: ManualClock, *, days: float = 22, **kwargs):
    # 22 days from T0 (a Monday) puts start − 14 days on a Tuesday: invitations that would fall on
    # a weekend or holiday are brought forward, as test_invitation_days.py shows.
    starts = clock.now() + timedelta(days=days)
    return services.meetings.schedule(coordinator(), title=kwargs.pop("title", "Winter shelter capacity"),
                                      starts_at=starts, **kwargs).meeting


def _dm_recipients(notifier: RecordingNotifier, kind: type) -> list[str]:
    return sorted(p.destination.id for p in notifier.posted
                  if p.destination.is_person and isinstance(p.message, kind))


def _channel_posts(notifier: RecordingNotifier) -> list:
    return [p for p in notifier.posted if p.destination.kind == "channel"]


@pytest.mark.usefixtures("roster")
def test_invitations_go_out_at_start_minus_lead_once_to_channel_and_each_contact(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    assert card.invite_at == card.starts_at - timedelta(days=14)
    assert card.participants == ("Bymisjonen", "Caritas", "Red Cross")
    services.deliveries.sweep()
    assert notifier.posted == [], "nothing before the invitation time"

    clock.set(card.invite_at)
    services.deliveries.sweep()
    services.deliveries.sweep()
    assert len(_channel_posts(notifier)) == 1
    assert _channel_posts(notifier)[0].destination.id == CHANNEL
    # USHARED01 speaks for two organisations and still gets one DM.
    assert _dm_recipients(notifier, MeetingInvitation) == [
        "UCARITAS1", "UCARITAS2", "UREDCROSS", "USHARED01"
    ]
    assert card.tally.waiting == 4 and card.tally.organisations_invited == 3


@pytest.mark.usefixtures("roster")
def test_a_meeting_soon_is_invited_at_once_without_pointless_reminders(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    card = _schedule(services, clock, days=0.5)
    assert card.invite_at == clock.now()
    services.deliveries.sweep()
    assert len(_dm_recipients(notifier, MeetingInvitation)) == 4
    with sessions() as session:
        kinds = session.scalars(select(Delivery.kind).where(Delivery.dest_id == "UCARITAS1")).all()
    # The 2-day reminder would come before the invitation; the nudge after the start.
    assert sorted(kinds) == ["meeting_invitation", "meeting_reminder"]


def test_only_coordinators_schedule(services: Services, clock: ManualClock, sessions) -> None:
    with pytest.raises(NotAllowed):
        services.meetings.schedule(person("UCARITAS1"), title="Sneaky meeting",
                                   starts_at=clock.now() + timedelta(days=3))
    with sessions() as session:
        assert session.scalar(select(func.count(Meeting.id))) == 0


@pytest.mark.usefixtures("roster")
def test_bad_schedules_are_refused_with_the_field_at_fault(services: Services, clock: ManualClock) -> None:
    cases = [
        (dict(days=-0.01), "starts_at"),
        (dict(title="ab"), "title"),
        (dict(duration_minutes=5), "duration"),
        (dict(video_link="zoom me"), "video_link"),
        (dict(organisations=["Nobody Org"]), "organisations"),
        (dict(topic_numbers=[99]), "topics"),
    ]
    for kwargs, field in cases:
        with pytest.raises((InvalidInput, NotFound)) as refused:
            _schedule(services, clock, **kwargs)
        assert refused.value.field == field
    _schedule(services, clock)
    with pytest.raises(Conflict):
        _schedule(services, clock, title="winter  SHELTER capacity")


@pytest.mark.usefixtures("roster")
def test_answers_update_the_tally_last_answer_wins_and_uninvited_change_nothing(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    meetings = services.meetings
    meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)
    meetings.rsvp(person("UCARITAS2"), 1, Answer.MAYBE)
    meetings.rsvp(person("UREDCROSS"), 1, Answer.NO)
    outcome = meetings.rsvp(person("UREDCROSS"), 1, Answer.YES)
    assert (outcome.previous, outcome.answer) == ("no", "yes")
    with pytest.raises(NotInvited):
        meetings.rsvp(person("UNOAS0001"), 1, Answer.YES)
    tally = meetings.get(person("U9"), 1).tally
    assert (tally.yes, tally.no, tally.maybe, tally.waiting) == (2, 0, 1, 1)
    assert (tally.organisations_yes, tally.organisations_invited) == (2, 3)

    clock.advance(timedelta(seconds=5))
    services.deliveries.sweep()
    [channel] = _channel_posts(notifier)
    assert len(channel.updates) == 1, "four answers, one coalesced update"
    assert notifier.latest(channel).meeting.tally.yes == 2


@pytest.mark.usefixtures("roster")
def test_the_same_answer_twice_changes_nothing(services: Services, clock: ManualClock, sessions) -> None:
    clock.set(_schedule(services, clock).invite_at)  # before that, the meeting is a draft
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)
    with sessions() as session:
        before = session.scalar(select(Delivery.content_version).where(Delivery.dest_kind == "channel"))
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)
    with sessions() as session:
        after = session.scalar(select(Delivery.content_version).where(Delivery.dest_kind == "channel"))
    assert before == after


@pytest.mark.usefixtures("roster")
def test_reminders_skip_those_who_declined(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.NO)
    services.meetings.rsvp(person("UCARITAS2"), 1, Answer.MAYBE)
    services.meetings.rsvp(person("UREDCROSS"), 1, Answer.YES)
    clock.set(card.starts_at - timedelta(days=2))
    services.deliveries.sweep()
    assert _dm_recipients(notifier, MeetingReminder) == ["UCARITAS2", "UREDCROSS", "USHARED01"]
    clock.set(card.starts_at - timedelta(hours=1))
    services.deliveries.sweep()
    assert _dm_recipients(notifier, MeetingReminder) == sorted(
        ["UCARITAS2", "UREDCROSS", "USHARED01"] * 2
    )


@pytest.mark.usefixtures("roster")
def test_nudges_reach_only_organisations_where_nobody_answered(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    services.meetings.rsvp(person("UCARITAS2"), 1, Answer.NO)  # Caritas has answered
    clock.set(card.invite_at + timedelta(days=3))
    services.deliveries.sweep()
    nudges = [p for p in notifier.posted if isinstance(p.message, MeetingNudge)]
    assert sorted((p.destination.id, p.message.organisation) for p in nudges) == [
        ("UREDCROSS", "Red Cross"), ("USHARED01", "Bymisjonen"), ("USHARED01", "Red Cross")
    ]


@pytest.mark.usefixtures("roster")
def test_cancel_tells_those_invited_and_drops_what_was_still_to_come(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    clock.advance(timedelta(days=1))
    with pytest.raises(NotAllowed):
        services.meetings.cancel(person("UCARITAS1"), 1)
    cancelled = services.meetings.cancel(coordinator(), 1)
    assert cancelled.state == "cancelled"
    services.deliveries.sweep()
    assert _dm_recipients(notifier, MeetingCancelled) == ["UCARITAS1", "UCARITAS2", "UREDCROSS", "USHARED01"]
    [channel] = _channel_posts(notifier)
    assert notifier.latest(channel).meeting.state == "cancelled"
    count = len(notifier.posted)
    clock.set(card.starts_at - timedelta(hours=1))
    services.deliveries.sweep()
    assert len(notifier.posted) == count, "no reminders or nudges for a cancelled meeting"
    with pytest.raises(InvalidInput):
        services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)


@pytest.mark.usefixtures("roster")
def test_cancel_before_invitations_tells_nobody(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    services.meetings.cancel(coordinator(), 1)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    assert notifier.posted == []


@pytest.mark.usefixtures("roster")
def test_invite_after_invitations_went_out_invites_at_once(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at + timedelta(days=1))
    services.deliveries.sweep()
    outcome = services.meetings.invite(coordinator(), 1, "noas")
    assert (outcome.organisation, outcome.role, outcome.invitations_sent) == ("NOAS", "participant", True)
    services.meetings.invite(coordinator(), 1, "Helsedirektoratet")
    services.deliveries.sweep()
    assert "UNOAS0001" in _dm_recipients(notifier, MeetingInvitation)
    assert "UHELSEDIR" in _dm_recipients(notifier, MeetingInvitation)
    with pytest.raises(Conflict):
        services.meetings.invite(coordinator(), 1, "NOAS")
    services.meetings.rsvp(person("UHELSEDIR"), 1, Answer.YES)
    tally = services.meetings.get(person("U9"), 1).tally
    assert (tally.observers_yes, tally.observers_invited, tally.yes) == (1, 1, 0)


@pytest.mark.usefixtures("roster")
def test_a_contact_added_later_is_invited_to_upcoming_meetings(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    services.roster.add_contacts(coordinator(), "Caritas", ["UNEWCOMER"])
    services.deliveries.sweep()
    assert "UNEWCOMER" in _dm_recipients(notifier, MeetingInvitation)
    assert services.meetings.rsvp(person("UNEWCOMER"), 1, Answer.YES).answer == "yes"


@pytest.mark.usefixtures("roster")
def test_messages_after_the_start_are_dropped(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    # The bot was down from before the invitations until after the meeting began.
    clock.set(card.starts_at + timedelta(minutes=1))
    report = services.deliveries.sweep()
    assert notifier.posted == [] and report.skipped


@pytest.mark.usefixtures("roster")
def test_restart_after_downtime_sends_what_fell_due_once(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at + timedelta(hours=5))
    services.deliveries.sweep()
    services.deliveries.sweep()
    assert len(_channel_posts(notifier)) == 1
    assert len(_dm_recipients(notifier, MeetingInvitation)) == 4


def test_local_times_across_dst(services: Services) -> None:
    spring_gap = parse_date("2026-03-29"), parse_time("02:30")
    with pytest.raises(InvalidInput):
        local_to_utc(*spring_gap, OSLO)
    assert local_to_utc(parse_date("2026-03-30"), parse_time("10:00"), OSLO) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    assert local_to_utc(parse_date("2026-10-26"), parse_time("10.00"), OSLO) == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)
    for bad in ("2026-02-30", "26-01-01", "tomorrow"):
        with pytest.raises(InvalidInput):
            parse_date(bad)
    for bad in ("25:00", "9", "noon"):
        with pytest.raises(InvalidInput):
            parse_time(bad)


@pytest.mark.usefixtures("roster")
def test_day_leads_keep_the_wall_clock_across_the_autumn_change(
    services: Services, clock: ManualClock, sessions
) -> None:
    clock.set(datetime(2026, 10, 1, 8, 0, tzinfo=UTC))
    starts = local_to_utc(parse_date("2026-10-26"), parse_time("10:00"), OSLO)
    card = services.meetings.schedule(coordinator(), title="After the clocks change", starts_at=starts).meeting
    assert card.invite_at.astimezone(OSLO).strftime("%d %H:%M") == "12 10:00"
    with sessions() as session:
        reminders = session.scalars(
            select(Delivery.due_at).where(Delivery.kind == "meeting_reminder", Delivery.dest_id == "UCARITAS1")
            .order_by(Delivery.due_at)
        ).all()
    assert [r.astimezone(OSLO).strftime("%d %H:%M") for r in reminders] == ["24 10:00", "26 09:00"]


@pytest.mark.usefixtures("roster")
def test_a_meeting_across_midnight_stays_upcoming_until_it_ends(services: Services, clock: ManualClock) -> None:
    clock.set(datetime(2026, 5, 4, 10, 0, tzinfo=UTC))
    starts = local_to_utc(parse_date("2026-05-04"), parse_time("23:30"), OSLO)
    services.meetings.schedule(coordinator(), title="Late night check-in", starts_at=starts)
    clock.set(starts + timedelta(minutes=45))  # 00:15 the next day
    assert [u.meeting.number for u in services.meetings.upcoming(person("UCARITAS1"))] == [1]
    assert services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES).answer == "yes"
    clock.set(starts + timedelta(minutes=60))
    assert services.meetings.upcoming(person("UCARITAS1")) == []
    with pytest.raises(InvalidInput):
        services.meetings.rsvp(person("UCARITAS1"), 1, Answer.NO)


@pytest.mark.usefixtures("roster")
def test_drafts_are_hidden_from_non_coordinators_until_invitations_go_out(
    services: Services, clock: ManualClock
) -> None:
    card = _schedule(services, clock)
    assert services.meetings.upcoming(person("UCARITAS1")) == []
    assert [u.meeting.number for u in services.meetings.upcoming(coordinator())] == [1]
    clock.set(card.invite_at)
    [upcoming] = services.meetings.upcoming(person("UCARITAS1"))
    assert (upcoming.invited, upcoming.answer) == (True, None)
    assert services.meetings.upcoming(person("UNOAS0001"))[0].invited is False


@pytest.mark.usefixtures("roster")
def test_topics_on_the_agenda_are_marked_scheduled(services: Services, clock: ManualClock) -> None:
    services.topics.propose(person("UCARITAS1"), "Heating costs for families")
    card = _schedule(services, clock, topic_numbers=[1], organisations=["NOAS"])
    assert card.agenda == ((1, "Heating costs for families"),)
    assert "NOAS" in card.participants
    assert services.topics.get(person("U9"), 1).state == "scheduled"
    services.meetings.cancel(coordinator(), 1)
    assert services.topics.get(person("U9"), 1).state == "proposed"


@pytest.mark.usefixtures("roster")
def test_a_person_no_longer_a_contact_is_no_longer_invited(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    from services.roster import RosterRow

    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    services.roster.import_rows(coordinator(), [RosterRow("Caritas", "core", ("UCARITAS1",))])
    with pytest.raises(NotInvited):
        services.meetings.rsvp(person("UCARITAS2"), 1, Answer.YES)
    assert services.meetings.get(person("U9"), 1).tally.waiting == 3
    clock.set(card.starts_at - timedelta(hours=1))
    services.deliveries.sweep()
    assert "UCARITAS2" not in _dm_recipients(notifier, MeetingReminder)


@pytest.mark.usefixtures("roster")
def test_a_late_invited_organisation_is_nudged_from_its_own_invitation(
    services: Services, clock: ManualClock, sessions
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at + timedelta(days=2, hours=23))
    services.meetings.invite(coordinator(), 1, "NOAS")
    with sessions() as session:
        due = session.scalar(select(Delivery.due_at).where(Delivery.kind == "meeting_nudge",
                                                          Delivery.dest_id == "UNOAS0001"))
    assert due == clock.now() + timedelta(days=3)


@pytest.mark.usefixtures("roster")
def test_a_new_core_organisation_joins_upcoming_meetings(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at + timedelta(days=1))
    services.deliveries.sweep()
    services.roster.add(coordinator(), "Frelsesarmeen", Tier.CORE, ["UFRELSE01"])
    services.deliveries.sweep()
    assert "Frelsesarmeen" in services.meetings.get(person("U9"), 1).participants
    assert "UFRELSE01" in _dm_recipients(notifier, MeetingInvitation)
    services.roster.remove(coordinator(), "Frelsesarmeen")
    assert "Frelsesarmeen" not in services.meetings.get(person("U9"), 1).participants


@pytest.mark.usefixtures("roster")
def test_after_downtime_only_the_latest_due_reminder_goes_out(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = _schedule(services, clock)
    clock.set(card.invite_at)
    services.deliveries.sweep()
    clock.set(card.starts_at - timedelta(minutes=30))  # down through both reminder times
    services.deliveries.sweep()
    clock.advance(timedelta(seconds=1))  # a DM channel takes a few messages at once, then one a second
    services.deliveries.sweep()
    assert _dm_recipients(notifier, MeetingReminder) == ["UCARITAS1", "UCARITAS2", "UREDCROSS", "USHARED01"]


def test_a_typed_day_and_time_are_read_in_the_meetings_zone_by_the_service(services: Services) -> None:
    # 2026-06-10 18:30 in Oslo is summer time: 16:30 UTC. The platform passes the time as typed.
    card = services.meetings.schedule(coordinator(), title="Summer dialogue", day=parse_date("2026-06-10"),
                                      at=parse_time("18.30")).meeting
    assert card.starts_at == datetime(2026, 6, 10, 16, 30, tzinfo=UTC)
    with pytest.raises(InvalidInput) as skipped:
        services.meetings.schedule(coordinator(), title="Night dialogue", day=parse_date("2026-03-29"),
                                   at=parse_time("02:30"))
    assert skipped.value.field == "starts_at" and "Europe/Oslo" in str(skipped.value.message.params)
    with pytest.raises(ValueError):
        services.meetings.schedule(coordinator(), title="Whenever")
