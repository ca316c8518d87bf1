"""Read helpers shared by the meeting parts (and the topic moves): agenda links, a person's invitations."""

from __future__ import annotations

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from services.i18n import N_, Command, Hint, Text, text
from services.meetings.common import ChangeField
from services.people import PersonRef
from storage.models import Contact, Invitation, Meeting, MeetingChange, MeetingTopic, Organisation


def agenda_links(session: Session, meeting: Meeting) -> list[MeetingTopic]:
    return list(
        session.scalars(
            select(MeetingTopic).where(MeetingTopic.meeting_id == meeting.id).order_by(MeetingTopic.position)
        )
    )


def invitations_of(session: Session, meeting_id: int, person: PersonRef) -> list[Invitation]:
    """A person's invitations to a meeting, one per organisation they still speak for (active ones)."""
    return list(
        session.scalars(
            select(Invitation)
            .join(Organisation, Organisation.id == Invitation.organisation_id)
            .join(Contact, and_(Contact.organisation_id == Invitation.organisation_id,
                                Contact.platform == Invitation.platform,
                                Contact.user_id == Invitation.user_id))
            .where(
                Invitation.meeting_id == meeting_id,
                Invitation.platform == person.platform,
                Invitation.user_id == person.user_id,
                Organisation.archived_at.is_(None),
            )
            .order_by(Invitation.id)
        )
    )


def no_such_meeting(number: int) -> Text:
    return text(N_("There is no meeting {number}. {meetings} lists the upcoming ones."),
                number=number, meetings=Hint(Command.MEETINGS))


def timing_version(session: Session, meeting_id: int) -> int:
    """The meeting's version when its start last moved (1: never moved). Reminders and nudges
    planned at an older version were timed for the old start: they are stale, and their
    replacements are keyed by this version, so moving back and forth never collides."""
    moved = [version for version, fields in session.execute(
        select(MeetingChange.version, MeetingChange.fields).where(MeetingChange.meeting_id == meeting_id)
    ) if ChangeField.TIME in fields.split(",")]
    return max(moved, default=1)
