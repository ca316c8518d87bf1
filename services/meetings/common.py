"""Delivery kinds, limits and settings of meetings, and the title folding that spots duplicates."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from services.errors import DomainError

INVITE = "meeting_invitation"
REMINDER = "meeting_reminder"
NUDGE = "meeting_nudge"
CANCELLED = "meeting_cancelled"
PROGRESS = "urgent_progress"
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


def fold(title: str) -> str:
    """A title as compared for duplicates: spaces collapsed, case folded."""
    return SPACES.sub(" ", title).strip().casefold()
