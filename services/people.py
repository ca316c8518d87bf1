"""How services refer to people, places and workspaces: (platform, id) pairs, never bare ids."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from storage.models.base import MESSAGE_REF_LENGTH

EMAIL = "email"
"""The platform of people reached by e-mail: their `user_id` is their address, normalised
(`services.mailing.normalise_address`). A workspace on any platform may have e-mail contacts."""


@dataclass(frozen=True)
class WorkspaceRef:
    """A workspace on a platform: a Slack team id today, a Teams tenant later."""

    platform: str
    external_id: str


@dataclass(frozen=True)
class PersonRef:
    """A person on a platform."""

    platform: str
    user_id: str


@dataclass(frozen=True)
class Actor:
    """Who is asking, and in which workspace."""

    workspace: WorkspaceRef
    person: PersonRef

    @classmethod
    def of(cls, platform: str, workspace_id: str, user_id: str) -> Actor:
        """Build an actor from the platform's workspace and user ids."""
        return cls(WorkspaceRef(platform, workspace_id), PersonRef(platform, user_id))


class DestinationKind(StrEnum):
    """Whom a delivery addresses: everyone in a shared place, or one person."""

    CHANNEL = "channel"
    PERSON = "person"


class Channels:
    """The dialogue channel of each platform's workspaces, where topics are announced and the
    channel's copy of each invitation and of the minutes is posted: asked by the workspace's
    platform, so any service plans a workspace's posts in that workspace's own channel."""

    def __init__(self, ids: dict[str, str]) -> None:
        self._ids = {platform: channel for platform, channel in ids.items() if channel}

    def of(self, platform: str) -> Destination | None:
        """The dialogue channel for workspaces on `platform`, or None if it has none."""
        channel = self._ids.get(platform)
        return Destination.channel(platform, channel) if channel else None


@dataclass(frozen=True)
class Destination:
    """Where a delivery goes: a shared place (a channel), or a person, whom the platform reaches
    its own way (Slack: their DM with the bot; e-mail: their address; Teams: a personal chat)."""

    platform: str
    kind: DestinationKind
    id: str
    # The language to write in. Planned: the organisation's, if known; as it is sent, the delivery
    # engine sets it by the one rule (services/languages.py), so the platform never looks it up.
    language: str | None = None
    # The workspace the message is sent for, set by the delivery engine as it sends: a platform
    # whose messages carry links back to the bot (e-mail) signs them for this workspace.
    workspace: WorkspaceRef | None = None
    # Whom the message is for, when that is not who is reached at `id`: a chat contact's message
    # sent to their e-mail address because chat refused it (the engine sets it for such a row).
    recipient: PersonRef | None = None

    @classmethod
    def channel(cls, platform: str, channel_id: str) -> Destination:
        """A shared place everyone invited can read."""
        return cls(platform, DestinationKind.CHANNEL, channel_id)

    @classmethod
    def person(cls, person: PersonRef, language: str | None = None) -> Destination:
        """One person, however their platform reaches them."""
        return cls(person.platform, DestinationKind.PERSON, person.user_id, language)

    @property
    def for_person(self) -> PersonRef:
        """Whom a person's message is for: `recipient` when set, else the person reached."""
        return self.recipient or PersonRef(self.platform, self.id)

    @property
    def is_person(self) -> bool:
        """Whether this addresses one person."""
        return self.kind == DestinationKind.PERSON


@dataclass(frozen=True)
class MessageRef:
    """The platform's handle on a posted message, for updates in place and replies: opaque to the
    domain, which only stores it (at most `MESSAGE_REF_LENGTH` characters) and hands it back."""

    value: str

    def __post_init__(self) -> None:
        if not self.value or len(self.value) > MESSAGE_REF_LENGTH:
            raise ValueError(f"a message reference is 1 to {MESSAGE_REF_LENGTH} characters")

