"""Delivery kinds, limits and settings of meetings, and the title folding that spots duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from services.errors import DomainError

INVITE = "meeting_invitation"
REMINDER = "meeting_reminder"
NUDGE = "meeting_nudge"
CANCELLED = "meeting_cancelled"
# Told to those who already got the invitation: what changed (services.meetings.changes).
CHANGED = "meeting_changed"
PROGRESS = "urgent_progress"
# To a person picked as a talk's speaker (services/meetings/speakers.py).
SPEAKER = "talk_speaker"
# A proposer told of their topic's move; planned and composed by `services.topic_moves.TopicMoves`.
TOPIC_SCHEDULED = "topic_scheduled"
TOPIC_UNSCHEDULED = "topic_unscheduled"
TOPIC_DISCUSSED = "topic_discussed"
TALKS_MAX = 2
TALK_MINUTES_MAX = 60
# An agenda that leaves less than this for the open floor gets a warning.
OPEN_FLOOR_MIN = 15

TITLE_MIN, TITLE_MAX = 3, 150
DURATION_MIN, DURATION_MAX = 15, 8 * 60
SPACES = re.compile(r"\s+")
# An urgent call with the same title within this window is taken for a double submit.
URGENT_REPEAT_WINDOW = timedelta(minutes=10)
URL = re.compile(r"^https?://[^\s<>|]+$")
# An urgent call's background: the situation in a few lines, shown in every invitation.
BACKGROUND_MAX = 500
# Nobody is nudged twice about one meeting within this window, by the button or automatically.
NUDGE_REPEAT_WINDOW = timedelta(hours=1)
# An urgent call's silent organisations get one nudge this long before the start, when that is
# at least URGENT_NUDGE_MIN after their invitation (sooner is pointless: the coordinator has the
# report's button). Before the start, not halfway: a call at 15:00 for tomorrow's 15:00 nudges at
# 13:00, never in the night.
URGENT_NUDGE_BEFORE = timedelta(hours=2)
URGENT_NUDGE_MIN = timedelta(hours=1)

# A chair's name as typed, and a cancellation's reason, are held to these lengths.
CHAIR_MAX = 120
REASON_MAX = 500
# "What changed" waits this long after a change, so a burst of quick fixes is told once.
CHANGE_GRACE = timedelta(minutes=2)


class ChangeField(StrEnum):
    """What a change to a meeting touched, as recorded in its history (`MeetingChange.fields`) and
    told to the people already invited; the order here is the order they are told in."""

    TIME = "time"
    LENGTH = "length"
    TITLE = "title"
    LINK = "link"
    BACKGROUND = "background"
    CHAIR = "chair"
    AGENDA = "agenda"


class NotInvited(DomainError):
    """The person is not on the meeting's invitation list."""


@dataclass(frozen=True)
class MeetingTimings:
    """The settings that decide when meeting messages go out."""

    invite_lead: timedelta
    reminders: tuple[timedelta, ...]
    nudge_after: timedelta
    urgent_notice: timedelta
    urgent_reminders: tuple[timedelta, ...]
    timezone: ZoneInfo = ZoneInfo("Europe/Oslo")


def urgent_nudge_at(invited_at: datetime, starts_at: datetime) -> datetime | None:
    """When an urgent call nudges an organisation invited at `invited_at` if it is still silent;
    None when the call is too close for a nudge to help."""
    due = starts_at - URGENT_NUDGE_BEFORE
    return due if due - invited_at >= URGENT_NUDGE_MIN else None


def fold(title: str) -> str:
    """A title as compared for duplicates: spaces collapsed, case folded."""
    return SPACES.sub(" ", title).strip().casefold()
