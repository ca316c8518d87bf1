"""What the case archive keeps of a meeting's minutes: a plain record a platform-neutral document
(exports/: PDF/A, DOCX) is made from, in the workspace's language.

People are named by organisation only (names stay on the platform): each organisation invited,
as participant or observer, with how many of its people were recorded present.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.messages import MinutesView
from storage.models import (
    Invitation,
    Meeting,
    MeetingOrganisation,
    Minutes,
    MinutesComment,
    Organisation,
    Role,
    Workspace,
)


@dataclass(frozen=True)
class Presence:
    """An organisation invited to the meeting and how many of its people were there."""

    name: str
    present: int


@dataclass(frozen=True)
class ArchivedMinutes:
    """The minutes with everything around them the archive wants, ready to lay out."""

    minutes: MinutesView
    language: str
    zone: ZoneInfo
    workspace: str | None
    participants: tuple[Presence, ...]
    observers: tuple[Presence, ...]
    written_at: datetime
    final_at: datetime | None
    comments: int


def archive_of(session: Session, meeting: Meeting, minutes: Minutes, view: MinutesView, zone: ZoneInfo,
               language: str) -> ArchivedMinutes:
    """The archive's record of `meeting`'s minutes (`view`, as people read them)."""
    present: dict[int, set[tuple[str, str]]] = {}
    for organisation_id, platform, user_id in session.execute(
        select(Invitation.organisation_id, Invitation.platform, Invitation.user_id)
        .where(Invitation.meeting_id == meeting.id, Invitation.attended.is_(True))
    ):
        present.setdefault(organisation_id, set()).add((platform, user_id))
    # Archived organisations too: the record says who was invited then.
    invited = session.execute(
        select(MeetingOrganisation.organisation_id, MeetingOrganisation.role, Organisation.name)
        .join(Organisation, Organisation.id == MeetingOrganisation.organisation_id)
        .where(MeetingOrganisation.meeting_id == meeting.id)
        .order_by(Organisation.name_key)
    ).all()

    def presence(role: Role) -> tuple[Presence, ...]:
        return tuple(Presence(name, len(present.get(i, ()))) for i, r, name in invited if r == role)

    workspace = session.get(Workspace, meeting.workspace_id)
    comments = session.scalar(select(func.count(MinutesComment.id))
                              .where(MinutesComment.minutes_id == minutes.id)) or 0
    return ArchivedMinutes(
        minutes=view, language=language, zone=zone, workspace=workspace.name if workspace else None,
        participants=presence(Role.PARTICIPANT), observers=presence(Role.OBSERVER),
        written_at=minutes.written_at, final_at=minutes.final_at, comments=comments,
    )
