"""What the bot tells people, described without saying how it looks on any platform."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from services.people import PersonRef


@dataclass(frozen=True)
class TopicCard:
    """A topic as people see it."""

    number: int
    title: str
    details: str
    state: str
    proposer: PersonRef
    proposer_side: str  # "city" or "civil_society"
    proposer_organisation: str | None
    supporters: int
    supporting_organisations: int
    created_at: datetime


@dataclass(frozen=True)
class TopicAnnouncement:
    """The channel post announcing a proposal, with a way to support it."""

    topic: TopicCard


OutgoingMessage = TopicAnnouncement
