"""Meetings: who is invited and their answers, the agenda and talks, and the minutes with their
follow-up points."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import ID_LENGTH, Base, enum_column
from storage.models.workspace import Organisation


class MeetingKind(StrEnum):
    REGULAR = "regular"
    URGENT = "urgent"


class MeetingState(StrEnum):
    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"
    HELD = "held"


class Role(StrEnum):
    PARTICIPANT = "participant"
    OBSERVER = "observer"


class FollowUpStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class MinutesState(StrEnum):
    DRAFT = "draft"
    FINAL = "final"


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(enum_column(MeetingKind, "meeting_kind"))
    state: Mapped[MeetingState] = mapped_column(
        enum_column(MeetingState, "meeting_state"), default=MeetingState.SCHEDULED
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    video_link: Mapped[str | None] = mapped_column(String(500))
    # When invitations go out: start − DIALOG_INVITE_LEAD, or at once for urgent meetings.
    invite_at: Mapped[datetime]
    # Bumped whenever time or content changes; deliveries rendered for an older one are stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Who chairs the meeting for the city's political leadership: a name as typed, and the person
    # when they are picked on the platform.
    chair: Mapped[str | None] = mapped_column(String(200))
    chair_platform: Mapped[str | None] = mapped_column(String(16))
    chair_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    # Why the meeting is called (urgent meetings: the situation, in a few lines).
    background: Mapped[str | None] = mapped_column(Text)
    # Passed on to everyone invited when the meeting is cancelled.
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The unguessable part of the meeting's calendar (.ics) address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_platform: Mapped[str] = mapped_column(String(16))
    created_by_user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    organisations: Mapped[list[MeetingOrganisation]] = relationship(
        cascade="all, delete-orphan", order_by="MeetingOrganisation.organisation_id"
    )
    invitations: Mapped[list[Invitation]] = relationship(
        cascade="all, delete-orphan", order_by="Invitation.id"
    )


class MeetingOrganisation(Base):
    __tablename__ = "meeting_organisations"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    added_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship()


class MeetingTopic(Base):
    __tablename__ = "meeting_topics"

    meeting_id: Mapped[int] = mapped_column(
        ForeignKey("meetings.id", ondelete="CASCADE"), primary_key=True
    )
    topic_id: Mapped[int] = mapped_column(
        ForeignKey("topics.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)


class MeetingTalk(Base):
    """One of the short talks (innlegg) that open a meeting, before the open floor."""

    __tablename__ = "meeting_talks"
    __table_args__ = (UniqueConstraint("meeting_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    speaker: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    subject: Mapped[str] = mapped_column(String(200))
    minutes: Mapped[int] = mapped_column(Integer)
    # The speaker as a person on the platform, when picked (they are told about their talk).
    speaker_platform: Mapped[str | None] = mapped_column(String(16))
    speaker_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))


class Invitation(Base):
    """One contact of one organisation invited to one meeting, and their answer."""

    __tablename__ = "invitations"
    __table_args__ = (
        UniqueConstraint("meeting_id", "organisation_id", "platform", "user_id"),
        Index("ix_invitations_person", "platform", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    answer: Mapped[Answer | None] = mapped_column(enum_column(Answer, "answer"))
    answered_at: Mapped[datetime | None]
    attended: Mapped[bool | None]
    created_at: Mapped[datetime]


class Minutes(Base):
    """The written record of a meeting (referat): one per meeting, edited in place."""

    __tablename__ = "minutes"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"), unique=True)
    summary: Mapped[str] = mapped_column(Text)
    decisions: Mapped[str] = mapped_column(Text, default="")
    written_by_platform: Mapped[str] = mapped_column(String(16))
    written_by_user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    written_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)
    # Draft minutes go to those invited for comments until `review_until`, then become final.
    state: Mapped[MinutesState] = mapped_column(
        enum_column(MinutesState, "minutes_state"), default=MinutesState.FINAL
    )
    review_until: Mapped[datetime | None]
    final_at: Mapped[datetime | None]


class MinutesComment(Base):
    """A comment on draft minutes, passed on to the coordinators."""

    __tablename__ = "minutes_comments"

    id: Mapped[int] = mapped_column(primary_key=True)
    minutes_id: Mapped[int] = mapped_column(ForeignKey("minutes.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


class ActionItem(Base):
    """Who follows up what by when (oppfølgingspunkt); owned by an organisation (an agency is one),
    or by the city when `owner_organisation_id` is None; never by a person."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    due_on: Mapped[date]
    status: Mapped[FollowUpStatus] = mapped_column(
        enum_column(FollowUpStatus, "follow_up_status"), default=FollowUpStatus.OPEN
    )
    status_changed_at: Mapped[datetime | None]
    status_changed_by_platform: Mapped[str | None] = mapped_column(String(16))
    status_changed_by_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))


class MeetingChange(Base):
    """One change to a meeting people were told about: which fields changed, at which version.
    The composer of the "what changed" message reads it; it is also the meeting's history."""

    __tablename__ = "meeting_changes"
    __table_args__ = (UniqueConstraint("meeting_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    # The meeting's version after the change.
    version: Mapped[int] = mapped_column(Integer)
    # The changed fields, comma-separated names (services decide the vocabulary: time, link, ...).
    fields: Mapped[str] = mapped_column(String(200))
    # The starting time before the change, so "moved from ... to ..." can be said.
    previous_starts_at: Mapped[datetime | None]
    changed_by_platform: Mapped[str] = mapped_column(String(16))
    changed_by_user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    changed_at: Mapped[datetime]
