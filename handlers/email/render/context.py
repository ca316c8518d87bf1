"""What rendering an e-mail needs besides the message: links, the time zone, the calendar file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from zoneinfo import ZoneInfo

from handlers.email.links import Links


class CalendarMethod(StrEnum):
    """iTIP methods of the .ics an e-mail carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


# The meeting's .ics by its calendar token, for one attendee's address, as an invitation (REQUEST)
# or a cancellation (CANCEL): the same UID as the calendar link's, SEQUENCE rising with each change.
CalendarFile = Callable[[str, CalendarMethod, str], bytes | None]


@dataclass(frozen=True)
class EmailContext:
    """Everything an e-mail's rendering reads besides the message and the reader."""

    links: Links
    zone: ZoneInfo
    default_language: str
    calendar: CalendarFile
    # Who the bot writes as ("Name <address>"), also the organiser in the .ics.
    sender: str
