"""Urgent meetings: invitations at once, marked urgent, with a live progress report for the caller."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import NotAllowed
from services.messages import MeetingInvitation, UrgentProgress
from services.ports import DeliveryError
from storage.models import Answer, Meeting, Tier
from tests.conftest import COORDINATOR
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def roster(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["UNOAS0001"])


def _progress(notifier: RecordingNotifier) -> UrgentProgress:
    [posted] = [p for p in notifier.posted if isinstance(p.message, UrgentProgress)]
    assert posted.destination.id == COORDINATOR
    return notifier.latest(posted)


@pytest.mark.usefixtures("roster")
def test_urgent_call_goes_out_at_once_and_reports_progress(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    card = services.meetings.urgent(coordinator(), title="New virus variant", organisations=["NOAS"]).meeting
    assert card.kind == "urgent" and card.invite_at == clock.now()
    assert card.starts_at == clock.now() + timedelta(hours=24)
    services.deliveries.sweep()
    invitations = [p for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    assert sorted(p.destination.id for p in invitations if p.destination.is_person) == [
        "UCARITAS1", "UCARITAS2", "UNOAS0001", "UREDCROSS"]
    assert all(p.message.meeting.kind == "urgent" for p in invitations)
    clock.advance(timedelta(seconds=2))
    services.deliveries.sweep()
    progress = _progress(notifier)
    assert (progress.total, progress.sent, progress.done, progress.failed) == (4, 4, True, ())


@pytest.mark.usefixtures("roster")
def test_progress_names_who_could_not_be_reached_and_follows_answers(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    services.meetings.urgent(coordinator(), title="Flooding")
    notifier.refuse["UCARITAS1"] = DeliveryError("user_not_found", permanent=True)
    services.deliveries.sweep()
    services.meetings.rsvp(person("UREDCROSS"), 1, Answer.YES)
    clock.advance(timedelta(seconds=2))
    services.deliveries.sweep()
    progress = _progress(notifier)
    assert (progress.total, progress.sent, progress.done) == (3, 2, True)
    assert [(f.person.user_id, f.reason) for f in progress.failed] == [("UCARITAS1", "user_not_found")]
    assert progress.meeting.tally.yes == 1


@pytest.mark.usefixtures("roster")
def test_urgent_reminders_follow_the_urgent_setting(services: Services, clock: ManualClock, sessions) -> None:
    services.meetings.urgent(coordinator(), title="Heatwave", starts_at=clock.now() + timedelta(hours=5))
    from storage.models import Delivery

    with sessions() as session:
        dues = session.scalars(select(Delivery.due_at).where(Delivery.kind == "meeting_reminder",
                                                              Delivery.dest_id == "UREDCROSS")).all()
        nudges = session.scalars(select(Delivery.due_at).where(Delivery.kind == "meeting_nudge")).all()
    start = clock.now() + timedelta(hours=5)
    assert sorted(dues) == [start - timedelta(hours=3), start - timedelta(minutes=15)]
    # Each contact of a (then still silent) organisation is nudged two hours before the start.
    assert nudges == [start - timedelta(hours=2)] * 3


def test_non_coordinators_cannot_call_urgent_meetings(services: Services, sessions) -> None:
    with pytest.raises(NotAllowed):
        services.meetings.urgent(person("UCARITAS1"), title="Not allowed")
    with pytest.raises(NotAllowed):
        services.meetings.urgent_form(person("UCARITAS1"))
    with sessions() as session:
        assert session.scalar(select(func.count(Meeting.id))) == 0


@pytest.mark.usefixtures("roster")
def test_the_form_counts_who_will_be_notified(services: Services) -> None:
    core = services.meetings.urgent_form(coordinator())
    assert (core.organisations, core.people) == (2, 3)
    more = services.meetings.urgent_form(coordinator(), ["NOAS"])
    assert (more.organisations, more.people) == (3, 4)
    assert [o.name for o in more.choices.organisations] == ["NOAS"]


@pytest.mark.usefixtures("roster")
def test_cancelling_mid_fan_out_tells_only_those_who_were_invited(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    from services.deliveries import SweepReport
    from services.messages import MeetingCancelled

    services.meetings.urgent(coordinator(), title="False alarm")
    claimed = services.deliveries._claim_due()  # the fan-out has claimed its rows...
    services.meetings.cancel(coordinator(), 1)  # ...when the coordinator calls it off
    for delivery_id, _ in claimed:
        services.deliveries._send_one(delivery_id, SweepReport())
    for _ in range(3):
        clock.advance(timedelta(seconds=6))
        services.deliveries.sweep()
    invited = [p.destination.id for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    told = [p.destination.id for p in notifier.posted if isinstance(p.message, MeetingCancelled)]
    assert invited == [] and told == []


@pytest.mark.usefixtures("roster")
def test_a_time_alone_means_today_in_the_zone_by_the_services_clock(
    services: Services, clock: ManualClock
) -> None:
    oslo = ZoneInfo("Europe/Oslo")
    # 23:30 UTC on 4 May is 01:30 on 5 May in Oslo: "today" is the 5th there, not the UTC date.
    clock.set(datetime(2026, 5, 4, 23, 30, tzinfo=UTC))
    called = services.meetings.urgent(coordinator(), title="Night flooding", at=time(14, 5))
    assert called.meeting.starts_at == datetime(2026, 5, 5, 14, 5, tzinfo=oslo)
    # Before midnight in Oslo (21:30 UTC is 23:30 there) the same time is the 4th.
    clock.set(datetime(2026, 5, 4, 21, 30, tzinfo=UTC))
    called = services.meetings.urgent(coordinator(), title="Evening storm", at=time(23, 45))
    assert called.meeting.starts_at == datetime(2026, 5, 4, 23, 45, tzinfo=oslo)
    # A day given is taken as it is.
    called = services.meetings.urgent(coordinator(), title="Planned drill", day=date(2026, 5, 6), at=time(9, 0))
    assert called.meeting.starts_at == datetime(2026, 5, 6, 9, 0, tzinfo=oslo)


@pytest.mark.usefixtures("roster")
def test_invitations_sent_is_true_for_an_urgent_call_and_false_for_a_meeting_weeks_ahead(
    services: Services, clock: ManualClock
) -> None:
    regular = services.meetings.schedule(coordinator(), title="Spring dialogue",
                                         starts_at=clock.now() + timedelta(days=30))
    assert regular.invitations_sent is False and regular.meeting.invite_at > clock.now()
    soon = services.meetings.schedule(coordinator(), title="Tomorrow's dialogue",
                                      starts_at=clock.now() + timedelta(days=1))
    assert soon.invitations_sent is True  # within the lead: they go out at once
    urgent = services.meetings.urgent(coordinator(), title="Flooding")
    assert urgent.invitations_sent is True
    # Every outcome of planning a meeting carries the same advice, whichever way it was called.
    for outcome in (regular, soon, urgent):
        assert outcome.insights == services.planning.insights(coordinator(), outcome.meeting.number)
