"""When invitations go out: never on a weekend or a Norwegian holiday, never in the past, and at
once for urgent calls. Times are checked on Oslo's wall clock, across the spring DST change."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.clock import ManualClock
from services.container import Services
from services.errors import InvalidInput
from services.i18n import Translator
from services.messages import MeetingInvitation
from services.timeutil import local_to_utc, parse_date, parse_time
from storage.models import Delivery, Meeting, Tier
from tests.conftest import CHANNEL, T0
from tests.factories import coordinator
from tests.support.notifier import RecordingNotifier

OSLO = ZoneInfo("Europe/Oslo")
EVERYONE = [CHANNEL, "UCARITAS1", "UCARITAS2", "UREDCROSS"]


@pytest.fixture(autouse=True)
def roster(services: Services) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(coordinator(), "Red Cross", Tier.CORE, ["UREDCROSS"])


def _oslo(moment: str) -> datetime:
    day, at = moment.split()
    return local_to_utc(parse_date(day), parse_time(at), OSLO)


def _shown(moment: datetime) -> str:
    return moment.astimezone(OSLO).strftime("%a %Y-%m-%d %H:%M")


def _invited(notifier: RecordingNotifier) -> list[str]:
    return sorted(p.destination.id for p in notifier.posted if isinstance(p.message, MeetingInvitation))


def _sweep_at(services: Services, clock: ManualClock, moment: datetime) -> None:
    clock.set(moment)
    services.deliveries.sweep()


@pytest.mark.parametrize(("starts", "invited", "brought_forward"), [
    ("2027-01-07 10:00", "Wed 2026-12-23 10:00", True),  # 14 days before is Christmas Eve
    ("2027-01-08 10:00", "Wed 2026-12-23 10:00", True),  # Christmas Day, then Christmas Eve
    ("2027-01-11 10:00", "Mon 2026-12-28 10:00", False),  # romjulen: offices are open
    ("2027-01-15 10:00", "Wed 2026-12-30 10:00", True),  # New Year's Day, then New Year's Eve
    ("2027-01-18 10:00", "Mon 2027-01-04 10:00", False),
])
def test_invitations_are_brought_forward_off_christmas_and_new_year(
    services: Services, clock: ManualClock, starts: str, invited: str, brought_forward: bool
) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    outcome = services.meetings.schedule(coordinator(), title="After the holidays", starts_at=_oslo(starts))
    assert _shown(outcome.meeting.invite_at) == invited
    assert outcome.brought_forward is brought_forward and not outcome.invitations_sent


def test_the_meeting_on_14_january_is_not_invited_on_new_years_eve(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    card = services.meetings.schedule(coordinator(), title="January dialogue",
                                      starts_at=_oslo("2027-01-14 15:00")).meeting
    assert _shown(card.invite_at) == "Wed 2026-12-30 15:00"
    with sessions() as session:
        dues = session.scalars(
            select(Delivery.due_at).join(Meeting, Meeting.id == Delivery.meeting_id)
            .where(Meeting.number == card.number, Delivery.kind == "meeting_invitation")
        ).all()
    assert len(dues) == len(EVERYONE) and {_shown(d) for d in dues} == {"Wed 2026-12-30 15:00"}
    _sweep_at(services, clock, card.invite_at - timedelta(seconds=1))
    assert _invited(notifier) == []
    _sweep_at(services, clock, card.invite_at)
    assert _invited(notifier) == EVERYONE


def test_easter_and_the_spring_change_keep_the_wall_clock_time(services: Services, clock: ManualClock) -> None:
    clock.set(datetime(2027, 3, 1, 9, 0, tzinfo=UTC))
    # Monday 12 April 10:00 is summer time (08:00 UTC); 14 days before is Easter Monday, and the
    # last working day before Easter is Wednesday 24 March, still winter time: 10:00 is 09:00 UTC.
    card = services.meetings.schedule(coordinator(), title="Spring dialogue",
                                      starts_at=_oslo("2027-04-12 10:00")).meeting
    assert card.starts_at == datetime(2027, 4, 12, 8, 0, tzinfo=UTC)
    assert card.invite_at == datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    assert _shown(card.invite_at) == "Wed 2027-03-24 10:00"


def test_invitations_due_on_a_weekend_go_out_on_the_friday_before(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    assert T0.weekday() == 0 and clock.now() == T0  # a Monday, 10:00 in Oslo
    starts = T0 + timedelta(days=20)  # Sunday 22 March; 14 days before is Sunday 8 March
    outcome = services.meetings.schedule(coordinator(), title="Weekend meeting", starts_at=starts)
    assert _shown(outcome.meeting.invite_at) == "Fri 2026-03-06 10:00" and outcome.brought_forward
    saturday = services.meetings.schedule(coordinator(), title="Saturday meeting",
                                          starts_at=starts - timedelta(days=1))
    assert saturday.meeting.invite_at == outcome.meeting.invite_at
    _sweep_at(services, clock, outcome.meeting.invite_at - timedelta(minutes=1))
    assert _invited(notifier) == []
    _sweep_at(services, clock, outcome.meeting.invite_at)
    assert _invited(notifier) == sorted(EVERYONE * 2)


def test_a_working_day_already_past_means_at_once(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    clock.set(datetime(2026, 12, 24, 8, 0, tzinfo=UTC))  # 09:00 on Christmas Eve
    # 14 days before is 10:00 today, a day off; 10:00 on the 23rd is already past: invite now.
    outcome = services.meetings.schedule(coordinator(), title="Early January",
                                         starts_at=_oslo("2027-01-07 10:00"))
    assert outcome.meeting.invite_at == clock.now()
    assert outcome.invitations_sent and not outcome.brought_forward
    services.deliveries.sweep()
    assert _invited(notifier) == EVERYONE


def test_a_working_day_still_ahead_is_kept(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    clock.set(datetime(2026, 12, 23, 8, 0, tzinfo=UTC))  # 09:00 on the 23rd, an hour before
    outcome = services.meetings.schedule(coordinator(), title="Early January",
                                         starts_at=_oslo("2027-01-07 10:00"))
    assert _shown(outcome.meeting.invite_at) == "Wed 2026-12-23 10:00"
    assert not outcome.invitations_sent and outcome.brought_forward
    services.deliveries.sweep()
    assert _invited(notifier) == []


def test_urgent_calls_go_out_at_once_even_on_christmas_day(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    clock.set(datetime(2026, 12, 25, 10, 0, tzinfo=UTC))
    called = services.meetings.urgent(coordinator(), title="Storm damage at the shelters")
    assert called.meeting.invite_at == clock.now()
    assert called.invitations_sent and not called.brought_forward
    services.deliveries.sweep()
    assert _invited(notifier) == EVERYONE


def test_a_time_already_passed_names_the_zone_it_was_read_in(services: Services, clock: ManualClock) -> None:
    assert clock.now() == T0  # 10:00 in Oslo
    with pytest.raises(InvalidInput) as refused:
        services.meetings.schedule(coordinator(), title="Too late", starts_at=_oslo("2026-03-02 09:05"))
    assert Translator("en").render(refused.value.message).startswith(
        "09:05 in Europe/Oslo has already passed; it is 10:00 there now.")
    assert Translator("nb").render(refused.value.message).startswith(
        "09:05 (tidssone Europe/Oslo) er allerede passert; klokken er nå 10:00 der.")
