"""Workspaces and coordinator rights."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.clock import Clock
from services.errors import NotAllowed
from services.i18n import N_, text
from services.people import Actor, PersonRef, WorkspaceRef
from storage.models import AuditEntry, Contact, Coordinator, Organisation, Workspace


class Workspaces:
    """Finds or creates the workspace rows that every other row belongs to."""

    def __init__(self, clock: Clock, seed_coordinators: Sequence[str]) -> None:
        self._clock = clock
        self._seed = tuple(seed_coordinators)

    def get(self, session: Session, ref: WorkspaceRef) -> Workspace:
        """The workspace row for `ref`, created (with the seeded coordinators) on first use."""
        found = session.scalar(
            select(Workspace).where(
                Workspace.platform == ref.platform, Workspace.external_id == ref.external_id
            )
        )
        if found is not None:
            return found
        now = self._clock.now()
        try:
            # A savepoint: a concurrent first request may create the same workspace.
            with session.begin_nested():
                workspace = Workspace(
                    platform=ref.platform,
                    external_id=ref.external_id,
                    last_topic_no=0,
                    last_meeting_no=0,
                    created_at=now,
                )
                session.add(workspace)
                session.flush()
                for user_id in self._seed:
                    session.add(
                        Coordinator(
                            workspace_id=workspace.id,
                            platform=ref.platform,
                            user_id=user_id,
                            source="setting",
                            created_at=now,
                        )
                    )
                session.flush()
            return workspace
        except IntegrityError:
            return session.scalars(
                select(Workspace).where(
                    Workspace.platform == ref.platform, Workspace.external_id == ref.external_id
                )
            ).one()

    def lock(self, session: Session, ref: WorkspaceRef) -> Workspace:
        """The workspace row for `ref`, locked until the transaction ends: the workspace's changes
        happen one at a time, so a check for duplicates sees every change committed before it.

        SQLite's IMMEDIATE transactions already serialise all writers; PostgreSQL's READ COMMITTED
        would let two identical requests both pass the check and both insert.
        """
        workspace = self.get(session, ref)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(select(Workspace.id).where(Workspace.id == workspace.id).with_for_update())
        return workspace

    def sync_seeded_coordinators(self, session: Session, ref: WorkspaceRef) -> None:
        """Make the setting-seeded coordinators match DIALOG_COORDINATORS (granted ones stay)."""
        workspace = self.get(session, ref)
        rows = session.scalars(
            select(Coordinator).where(
                Coordinator.workspace_id == workspace.id, Coordinator.source == "setting"
            )
        ).all()
        have = {row.user_id: row for row in rows}
        for user_id, row in have.items():
            if user_id not in self._seed:
                session.delete(row)
        existing = set(
            session.scalars(
                select(Coordinator.user_id).where(
                    Coordinator.workspace_id == workspace.id, Coordinator.platform == ref.platform
                )
            )
        )
        for user_id in self._seed:
            if user_id not in existing:
                session.add(
                    Coordinator(
                        workspace_id=workspace.id,
                        platform=ref.platform,
                        user_id=user_id,
                        source="setting",
                        created_at=self._clock.now(),
                    )
                )
        session.flush()


def next_number(session: Session, workspace_id: int, kind: Literal["topic", "meeting"]) -> int:
    """Allocate the next short number of `kind` in a workspace (atomic on every backend)."""
    column = Workspace.last_topic_no if kind == "topic" else Workspace.last_meeting_no
    return session.execute(
        update(Workspace)
        .where(Workspace.id == workspace_id)
        .values({column: column + 1})
        .returning(column)
    ).scalar_one()


def is_coordinator(session: Session, workspace: Workspace, person: PersonRef) -> bool:
    """Whether `person` may run meetings and edit the roster in `workspace`."""
    return (
        session.scalar(
            select(Coordinator.id).where(
                Coordinator.workspace_id == workspace.id,
                Coordinator.platform == person.platform,
                Coordinator.user_id == person.user_id,
            )
        )
        is not None
    )


def coordinators_of(session: Session, workspace: Workspace) -> list[PersonRef]:
    """`workspace`'s coordinators, in the order they were made coordinators."""
    return [PersonRef(platform, user_id) for platform, user_id in session.execute(
        select(Coordinator.platform, Coordinator.user_id)
        .where(Coordinator.workspace_id == workspace.id).order_by(Coordinator.id))]


def require_coordinator(session: Session, workspace: Workspace, person: PersonRef) -> None:
    """Refuse unless `person` is a coordinator of `workspace`."""
    if not is_coordinator(session, workspace, person):
        raise NotAllowed(
            text(
                N_(
                    "Only coordinators can do that. Ask a coordinator of the dialogue meetings "
                    "if you think you should be one."
                )
            )
        )


def organisations_of(session: Session, workspace: Workspace, person: PersonRef) -> list[Organisation]:
    """The active organisations `person` is a contact for, oldest first."""
    return list(
        session.scalars(
            select(Organisation)
            .join(Contact, Contact.organisation_id == Organisation.id)
            .where(
                Organisation.workspace_id == workspace.id,
                Organisation.archived_at.is_(None),
                Contact.platform == person.platform,
                Contact.user_id == person.user_id,
            )
            .order_by(Organisation.id)
        )
    )


def audit(session: Session, workspace: Workspace, actor: Actor, action: str, subject: str,
          clock: Clock, **details: object) -> None:
    """Record a coordinator action."""
    session.add(
        AuditEntry(
            workspace_id=workspace.id,
            actor_platform=actor.person.platform,
            actor_user_id=actor.person.user_id,
            action=action,
            subject=subject,
            details=dict(details),
            at=clock.now(),
        )
    )
