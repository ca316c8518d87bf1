"""How services refer to people, places and workspaces: (platform, id) pairs, never bare ids."""

from __future__ import annotations

from dataclasses import dataclass


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


@dataclass(frozen=True)
class Destination:
    """Where a delivery goes: a channel, or a person's direct messages."""

    platform: str
    kind: str  # "channel" or "user"
    id: str
    # A language to use when the platform does not yet know the person's own (their
    # organisation's), so a fan-out never waits on a per-person look-up.
    language: str | None = None

    @classmethod
    def channel(cls, platform: str, channel_id: str) -> Destination:
        """A channel destination."""
        return cls(platform, "channel", channel_id)

    @classmethod
    def user(cls, person: PersonRef, language: str | None = None) -> Destination:
        """A person's direct messages with the bot."""
        return cls(person.platform, "user", person.user_id, language)


@dataclass(frozen=True)
class MessageRef:
    """The platform's handle on a posted message, for updates in place: the conversation it is in
    and its id there (Slack: channel + ts)."""

    conversation: str
    message: str

    @property
    def channel(self) -> str:
        """Slack's name for `conversation`."""
        return self.conversation

    @property
    def ts(self) -> str:
        """Slack's name for `message`."""
        return self.message
