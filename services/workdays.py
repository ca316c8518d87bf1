"""Working days in Norway, for when invitations go out and which slots `suggest` offers.

Public holidays come from the `holidays` package (Norway's calendar, kept up to date there, Easter
included), never from a list of our own; weekends are handled here, explicitly.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from services.timeutil import before

# Christmas Eve (julaften) and New Year's Eve (nyttårsaften) are not public holidays by law, but
# public offices close at noon or stay closed, and volunteers are with their families: an
# invitation timed for either sits unread until January, as one timed for 31 December 15:00 did.
# So neither counts as a working day here. The days between them (romjulen) do.
DAYS_OFF = ((12, 24), (12, 31))

# How far back to look for a working day; Norway never has more than five days off in a row
# (Easter: Maundy Thursday to Easter Monday), so this only guards against a calendar gone wrong.
_LOOK_BACK = 14


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    # include_sundays=False: Norway's calendar can count every Sunday as a holiday (helligdag);
    # we want the named holidays only, and treat Saturdays and Sundays alike in is_working_day.
    return frozenset(holidays.country_holidays("NO", years=year, include_sundays=False))


def is_working_day(day: date) -> bool:
    """Whether `day` is a working day: Monday to Friday, no public holiday, not 24 or 31 December."""
    return (
        day.weekday() < 5
        and (day.month, day.day) not in DAYS_OFF
        and day not in _public_holidays(day.year)
    )


def last_working_day_at(moment: datetime, zone: ZoneInfo) -> datetime:
    """`moment` if its day in `zone` is a working day, else the same wall-clock time there on the
    last working day before it (so 15:00 stays 15:00 across a change of the clocks)."""
    local = moment.astimezone(zone)
    day = local.date()
    for _ in range(_LOOK_BACK):
        if is_working_day(day):
            break
        day -= timedelta(days=1)
    if day == local.date():
        return moment
    # fold=0: a wall time that occurs twice means its first occurrence, as in timeutil.
    wall = datetime.combine(day, local.time())
    return wall.replace(tzinfo=zone).astimezone(UTC)


def invitation_time(starts_at: datetime, lead: timedelta, zone: ZoneInfo, now: datetime) -> datetime:
    """When a regular meeting's invitations go out: `lead` before the start, moved back to a working
    day at the same local time, and never before `now` (a moved time already past means now)."""
    return max(now, last_working_day_at(before(starts_at, lead, zone), zone))
