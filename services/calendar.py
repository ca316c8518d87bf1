"""Calendar files (.ics, RFC 5545) for meetings, always as the meeting is now.

One UID per meeting for its whole life; SEQUENCE follows the meeting's version, so a calendar
that imported the file sees a moved or cancelled meeting as an update of the same event.

Two shapes of the same event: `ics` for the meeting's calendar address (METHOD:PUBLISH, anyone
with the link subscribes), and `for_attendee` for the file an e-mail carries (iTIP, RFC 5546:
METHOD:REQUEST or CANCEL, the organiser and the one attendee it was sent to).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.i18n import translator
from services.meetings import meeting_card
from services.messages import MeetingCard
from storage.models import Meeting, MeetingState

PRODUCT = "-//Dialogbot//Dialogue meetings//EN"
ALARM_BEFORE = timedelta(minutes=15)
# The iTIP methods an e-mail's file may have (the e-mail platform names them as a StrEnum of
# the same values; services know no platform).
REQUEST = "REQUEST"
CANCEL = "CANCEL"


@dataclass(frozen=True)
class _Found:
    card: MeetingCard
    uid: str
    cancelled: bool
    version: int


class Calendars:
    """Builds the calendar file behind a meeting's unguessable calendar address."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, zone: ZoneInfo) -> None:
        self._sessions = sessions
        self._clock = clock
        self._zone = zone

    def ics(self, token: str) -> bytes | None:
        """The .ics for the meeting with calendar token `token`, or None if there is none."""
        found = self._find(token)
        if found is None:
            return None
        calendar = _calendar("CANCEL" if found.cancelled else "PUBLISH")
        event = self._event(found, cancelled=found.cancelled, chair_label=None)
        calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()

    def for_attendee(self, token: str, method: str, attendee: str, *, organizer: str = "",
                     language: str = "en") -> bytes | None:
        """The .ics an e-mail to `attendee` carries: the meeting as an invitation (`method`
        "REQUEST") or its cancellation ("CANCEL"), organised by `organizer` ("Name <address>"),
        the chair named in `language`; None if there is no such meeting or method."""
        if method not in (REQUEST, CANCEL) or not attendee:
            return None
        found = self._find(token)
        if found is None:
            return None
        cancelled = method == CANCEL
        calendar = _calendar(str(method))
        event = self._event(found, cancelled=cancelled,
                            chair_label=translator(language).gettext("Chair"))
        name, address = parseaddr(organizer)
        if address:
            who = vCalAddress(f"mailto:{address}")
            if name:
                who.params["CN"] = " ".join(name.split())
            event.add("organizer", who)
        # Answers go through the e-mail's signed links (they land in the same tally as a chat
        # click), not as iTIP replies to the bot's address: RSVP=FALSE says so to the calendar.
        guest = vCalAddress(f"mailto:{attendee}")
        guest.params["CUTYPE"] = "INDIVIDUAL"
        guest.params["ROLE"] = "REQ-PARTICIPANT"
        guest.params["PARTSTAT"] = "NEEDS-ACTION"
        guest.params["RSVP"] = "FALSE"
        event.add("attendee", guest)
        calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()

    def _find(self, token: str) -> _Found | None:
        if not token or len(token) > 64:
            return None
        with self._sessions.begin() as session:
            meeting = session.scalar(select(Meeting).where(Meeting.calendar_token == token))
            if meeting is None:
                return None
            uid = f"meeting-{meeting.id}-{meeting.workspace_id}@dialogbot"
            return _Found(meeting_card(session, meeting), uid, meeting.state == MeetingState.CANCELLED,
                          meeting.version)

    def _event(self, found: _Found, *, cancelled: bool, chair_label: str | None) -> Event:
        card = found.card
        event = Event()
        event.add("uid", found.uid)
        event.add("sequence", found.version - 1)
        event.add("dtstamp", self._clock.now())
        start: datetime = card.starts_at.astimezone(self._zone)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=card.duration_minutes))
        event.add("summary", card.title)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        lines = []
        if chair_label and card.chair:
            lines.append(f"{chair_label}: {card.chair}")
        lines += [f"{n}. {talk.subject}: {talk.speaker}" for n, talk in enumerate(card.talks, start=1)]
        lines += [f"#{number} {title}" for number, title in card.agenda]
        if card.video_link:
            event.add("location", card.video_link)
            event.add("url", card.video_link)
            lines.append(card.video_link)
        if lines:
            event.add("description", "\n".join(lines))
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", card.title)
            alarm.add("trigger", -ALARM_BEFORE)
            event.add_component(alarm)
        return event


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    return calendar
