"""Reading the times people type, in the dialogue's time zone, honest about DST gaps."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from services.errors import Field, InvalidInput
from services.i18n import N_, text

_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})$")


def parse_date(value: str) -> date:
    """`YYYY-MM-DD`."""
    match = _DATE.match(value.strip())
    try:
        if match:
            return date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        pass
    raise InvalidInput(
        text(N_("“{value}” is not a date; write it as YYYY-MM-DD, e.g. 2026-03-14."), value=value),
        field=Field.STARTS_AT,
    )


def parse_time(value: str) -> time:
    """`HH:MM` (or `HH.MM`, as Norwegians often write it)."""
    match = _TIME.match(value.strip())
    try:
        if match:
            return time(int(match[1]), int(match[2]))
    except ValueError:
        pass
    raise InvalidInput(
        text(N_("“{value}” is not a time; write it as HH:MM, e.g. 14:30."), value=value),
        field=Field.STARTS_AT,
    )


def local_to_utc(day: date, at: time, zone: ZoneInfo) -> datetime:
    """The UTC instant of a wall-clock time in `zone`; refuses times skipped by a DST change.

    A time that occurs twice (clocks go back) means the first occurrence, as calendars do.
    """
    local = datetime.combine(day, at, tzinfo=zone)
    round_trip = local.astimezone(UTC).astimezone(zone)
    if (round_trip.hour, round_trip.minute) != (at.hour, at.minute) or round_trip.date() != day:
        raise InvalidInput(
            text(
                N_("{time} does not exist on {date} in {zone}: the clocks change that night. "
                   "Pick another time."),
                time=at.strftime("%H:%M"), date=day.isoformat(), zone=str(zone),
            ),
            field=Field.STARTS_AT,
        )
    return local.astimezone(UTC)



def _shift(moment: datetime, lead: timedelta, zone: ZoneInfo, sign: int) -> datetime:
    days = timedelta(days=lead.days)
    wall = moment.astimezone(zone).replace(tzinfo=None) + sign * days
    # fold=0: a wall time that occurs twice means its first occurrence.
    shifted = wall.replace(tzinfo=zone).astimezone(UTC)
    return shifted + sign * (lead - days)


def before(moment: datetime, lead: timedelta, zone: ZoneInfo) -> datetime:
    """`moment` minus `lead`, where whole days count on the wall clock of `zone`.

    "2 days before a 10:00 meeting" is 10:00 two days earlier even when the clocks changed in
    between; hours and minutes are exact durations.
    """
    return _shift(moment, lead, zone, -1)


def after(moment: datetime, lead: timedelta, zone: ZoneInfo) -> datetime:
    """`moment` plus `lead`, whole days on the wall clock of `zone` (see `before`)."""
    return _shift(moment, lead, zone, 1)
