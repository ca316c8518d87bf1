"""Calendar files (.ics, RFC 5545) for meetings, always as the meeting is now.

One UID per meeting for its whole life; SEQUENCE follows the meeting's version, so a calendar
that imported the file sees a moved or cancelled meeting as an update of the same event.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.meetings import meeting_card
from storage.models import Meeting, MeetingState

PRODUCT = "-//Dialogbot//Dialogue meetings//EN"
ALARM_BEFORE = timedelta(minutes=15)


class Calendars:
    """Builds the calendar file behind a meeting's unguessable calendar address."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, zone: ZoneInfo) -> None:
        self._sessions = sessions
        self._clock = clock
        self._zone = zone

    def ics(self, token: str) -> bytes | None:
        """The .ics for the meeting with calendar token `token`, or None if there is none."""
        if not token or len(token) > 64:
            return None
        with self._sessions.begin() as session:
            meeting = session.scalar(select(Meeting).where(Meeting.calendar_token == token))
            if meeting is None:
                return None
            card = meeting_card(session, meeting)
            uid = f"meeting-{meeting.id}-{meeting.workspace_id}@dialogbot"
            cancelled = meeting.state == MeetingState.CANCELLED
            version = meeting.version
        calendar = Calendar()
        calendar.add("prodid", PRODUCT)
        calendar.add("version", "2.0")
        calendar.add("method", "CANCEL" if cancelled else "PUBLISH")
        event = Event()
        event.add("uid", uid)
        event.add("sequence", version - 1)
        event.add("dtstamp", self._clock.now())
        start: datetime = card.starts_at.astimezone(self._zone)
        event.add("dtstart", start)
        event.add("dtend", start + timedelta(minutes=card.duration_minutes))
        event.add("summary", card.title)
        event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
        lines = [f"{n}. {talk.subject}: {talk.speaker}" for n, talk in enumerate(card.talks, start=1)]
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
        calendar.add_component(event)
        calendar.add_missing_timezones()
        return calendar.to_ical()
