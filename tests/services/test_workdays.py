"""Working days: weekends, Norwegian public holidays, Christmas Eve and New Year's Eve, DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.timeutil import local_to_utc, parse_date, parse_time
from services.workdays import invitation_time, is_working_day, last_working_day_at

OSLO = ZoneInfo("Europe/Oslo")
LEAD = timedelta(days=14)


def _oslo(day: str, at: str) -> datetime:
    return local_to_utc(parse_date(day), parse_time(at), OSLO)


@pytest.mark.parametrize("day", [
    "2026-12-24",  # Christmas Eve (julaften): not a public holiday, but offices are closed
    "2026-12-25", "2026-12-26",  # Christmas Day, Boxing Day (a Saturday)
    "2026-12-31",  # New Year's Eve (nyttårsaften)
    "2027-01-01",  # New Year's Day
    "2027-03-25", "2027-03-26", "2027-03-29",  # Maundy Thursday, Good Friday, Easter Monday
    "2027-05-06", "2027-05-17",  # Ascension Day; Constitution Day and Whit Monday
    "2027-01-09", "2027-01-10",  # an ordinary Saturday and Sunday
])
def test_days_off(day: str) -> None:
    assert not is_working_day(date.fromisoformat(day))


@pytest.mark.parametrize("day", [
    "2026-12-23", "2026-12-28", "2026-12-29", "2026-12-30",  # romjulen: offices are open
    "2027-01-04", "2027-03-24", "2027-03-30", "2027-05-18",
])
def test_working_days(day: str) -> None:
    assert is_working_day(date.fromisoformat(day))


def test_a_day_off_moves_back_to_the_same_wall_clock_time_across_the_spring_change() -> None:
    # Easter Monday 2027 is the day after the clocks went forward (28 March): 10:00 CEST there is
    # 10:00 CET on the Wednesday before Easter, an hour later in UTC.
    moved = last_working_day_at(_oslo("2027-03-29", "10:00"), OSLO)
    assert moved == datetime(2027, 3, 24, 9, 0, tzinfo=UTC)
    assert moved.astimezone(OSLO).strftime("%a %d %H:%M") == "Wed 24 10:00"
    ordinary = _oslo("2027-03-30", "10:00")
    assert last_working_day_at(ordinary, OSLO) == ordinary


def test_the_observed_case_a_meeting_on_14_january() -> None:
    # Seen in the sandbox: invitations for 14 January were timed for 31 December 15:00.
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    invite = invitation_time(_oslo("2027-01-14", "15:00"), LEAD, OSLO, now)
    assert invite.astimezone(OSLO).strftime("%Y-%m-%d %H:%M") == "2026-12-30 15:00"


def test_the_local_day_decides_not_the_utc_day() -> None:
    now = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    # 00:30 on a Monday in Oslo is still Sunday in UTC: a working day, and it stays.
    invite = invitation_time(_oslo("2027-02-15", "00:30"), LEAD, OSLO, now)
    assert invite == _oslo("2027-02-01", "00:30")
    # 00:30 on a Saturday in Oslo is still Friday in UTC: a day off, moved to Friday 00:30.
    invite = invitation_time(_oslo("2027-02-13", "00:30"), LEAD, OSLO, now)
    assert invite == _oslo("2027-01-29", "00:30")


def test_never_in_the_past() -> None:
    starts = _oslo("2027-01-07", "10:00")  # 14 days before is Christmas Eve 10:00
    before_it = datetime(2026, 12, 23, 8, 0, tzinfo=UTC)  # 09:00 on the 23rd: 10:00 is still ahead
    assert invitation_time(starts, LEAD, OSLO, before_it) == _oslo("2026-12-23", "10:00")
    too_late = datetime(2026, 12, 23, 9, 30, tzinfo=UTC)  # 10:30 on the 23rd
    assert invitation_time(starts, LEAD, OSLO, too_late) == too_late
    on_the_eve = datetime(2026, 12, 24, 8, 0, tzinfo=UTC)
    assert invitation_time(starts, LEAD, OSLO, on_the_eve) == on_the_eve, "at once, as today"
