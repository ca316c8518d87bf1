"""The domain's vocabularies, for callers outside services (platform handlers, the CLI)."""

from storage.models import Answer, MeetingKind, MeetingState, Role, Side, Tier, TimeOfDay

__all__ = ["Answer", "MeetingKind", "MeetingState", "Role", "Side", "Tier", "TimeOfDay"]
