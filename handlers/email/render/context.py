"""What rendering an e-mail needs besides the message: links, the time zone, the calendar file."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol
from zoneinfo import ZoneInfo

from handlers.email.links import Links


class CalendarMethod(StrEnum):
    """iTIP methods of the .ics an e-mail carries (RFC 5546)."""

    REQUEST = "REQUEST"
    CANCEL = "CANCEL"


class CalendarFile(Protocol):
    """The meeting's .ics by its calendar token, for one attendee's address, as an invitation
    (REQUEST) or a cancellation (CANCEL): the same UID as the calendar link's, SEQUENCE rising with
    each change, organised by the sender (`services.calendar.Calendars.for_attendee`)."""

    def __call__(self, token: str, method: str, attendee: str, *, organizer: str = "",
                 language: str = "en") -> bytes | None: ...


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class EmailContext:
    """Everything an e-mail's rendering reads besides the message and the reader."""

    links: Links
    zone: ZoneInfo
    default_language: str
    calendar: CalendarFile
    # Who the bot writes as ("Name <address>"), also the organiser in the .ics.
    sender: str
    # The bot's public address (DIALOG_PUBLIC_URL), for links that are not signed e-mail links:
    # the meeting's calendar address, one's data for download. Empty: those are left out.
    public_url: str = ""
    # Now, to tell whether a meeting is still ahead (answer links only then): the services' clock.
    clock: Callable[[], datetime] = field(default=_utc_now)
