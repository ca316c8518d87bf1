"""Where the bot may write first, on platforms that must have been told where: Teams hands the bot
a conversation reference when its app is installed for a person, or when a coordinator makes a
channel the dialogue channel. The references are the platform's own, opaque here."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.people import Actor, Destination, DestinationKind, PersonRef, WorkspaceRef
from services.workspaces import Workspaces, audit, require_coordinator
from storage.models import Conversation, Workspace

PERSON = "person"
CHANNEL = "channel"
# The channel id the services use for the dialogue channel on such a platform: the place itself
# is whichever conversation a coordinator set up (`setup`), and may change.
DIALOGUE = "dialog"


@dataclass(frozen=True)
class ChannelSet:
    """A dialogue channel set up: whether it replaced another one."""

    replaced: bool


class Conversations:
    """The conversation references of one platform's people and channels, per workspace."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces

    def remember_person(self, workspace: WorkspaceRef, person: PersonRef, reference: str) -> None:
        """Keep (or refresh) how to reach `person` in a chat of their own with the bot."""
        with self._sessions.begin() as session:
            self._store(session, self._workspaces.get(session, workspace), person.platform, PERSON,
                        person.user_id, reference)

    def forget_person(self, workspace: WorkspaceRef, person: PersonRef) -> None:
        """Forget how to reach `person` (they removed the app): their messages fail, to be reported."""
        with self._sessions.begin() as session:
            row = self._workspace_row(session, workspace)
            if row is not None:
                session.execute(delete(Conversation).where(
                    Conversation.workspace_id == row.id, Conversation.platform == person.platform,
                    Conversation.kind == PERSON, Conversation.key == person.user_id))

    def set_dialogue_channel(self, actor: Actor, reference: str) -> ChannelSet:
        """Make the conversation `reference` names the dialogue channel (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            before = self._find(session, workspace.id, actor.workspace.platform, CHANNEL, DIALOGUE)
            replaced = before is not None and before.reference != reference
            self._store(session, workspace, actor.workspace.platform, CHANNEL, DIALOGUE, reference)
            audit(session, workspace, actor, "channel.setup", DIALOGUE, self._clock)
            return ChannelSet(replaced=replaced)

    def reference(self, destination: Destination) -> str | None:
        """The stored reference for `destination` (a person, or the dialogue channel), if any."""
        if destination.workspace is None:
            return None
        kind = PERSON if destination.kind is DestinationKind.PERSON else CHANNEL
        with self._sessions() as session:
            row = self._workspace_row(session, destination.workspace)
            if row is None:
                return None
            found = self._find(session, row.id, destination.platform, kind, destination.id)
            return found.reference if found is not None else None

    def _store(self, session: Session, workspace: Workspace, platform: str, kind: str, key: str,
               reference: str) -> None:
        now = self._clock.now()
        found = self._find(session, workspace.id, platform, kind, key)
        if found is None:
            try:
                # A savepoint: the same person's install and first message may arrive together.
                with session.begin_nested():
                    session.add(Conversation(workspace_id=workspace.id, platform=platform, kind=kind,
                                             key=key, reference=reference, updated_at=now))
                return
            except IntegrityError:
                found = self._find(session, workspace.id, platform, kind, key)
                if found is None:
                    raise
        if found.reference != reference:
            found.reference, found.updated_at = reference, now

    @staticmethod
    def _find(session: Session, workspace_id: int, platform: str, kind: str, key: str) -> Conversation | None:
        return session.scalar(select(Conversation).where(
            Conversation.workspace_id == workspace_id, Conversation.platform == platform,
            Conversation.kind == kind, Conversation.key == key))

    @staticmethod
    def _workspace_row(session: Session, ref: WorkspaceRef) -> Workspace | None:
        return session.scalar(select(Workspace).where(Workspace.platform == ref.platform,
                                                      Workspace.external_id == ref.external_id))
