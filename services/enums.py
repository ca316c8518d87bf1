"""The domain's vocabularies, for callers outside services (platform handlers, the CLI)."""

from storage.models import (
    Answer,
    FollowUpStatus,
    MeetingKind,
    MeetingState,
    MinutesState,
    Role,
    Side,
    Tier,
    TimeOfDay,
)

__all__ = [
    "Answer", "FollowUpStatus", "MeetingKind", "MeetingState", "MinutesState", "Role", "Side", "Tier",
    "TimeOfDay",
]
