"""Who someone is at a meeting: invited to take part, or only to listen in (an observer
organisation's contact: a public agency)."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from services.people import PersonRef
from storage.models import Invitation, MeetingOrganisation, Role


def listens_only(session: Session, meeting_id: int, person: PersonRef) -> bool:
    """Whether every invitation `person` has to the meeting is for an observer organisation: then
    they are invited to listen in. Someone who also speaks for a participant takes part."""
    roles = set(session.scalars(
        select(MeetingOrganisation.role)
        .join(Invitation, and_(Invitation.meeting_id == MeetingOrganisation.meeting_id,
                               Invitation.organisation_id == MeetingOrganisation.organisation_id))
        .where(Invitation.meeting_id == meeting_id, Invitation.platform == person.platform,
               Invitation.user_id == person.user_id)
    ))
    return roles == {Role.OBSERVER}
