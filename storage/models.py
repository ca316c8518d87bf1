"""The schema. Every row belongs to a workspace; people are (platform, user id) pairs.

Perspectives are tags on organisations. Nothing here records a person's background, religion,
gender or age: that is a rule of the domain, not an accident of the schema.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Enum,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from storage.db import UTCDateTime

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime()}


def _enum(enum: type[StrEnum], name: str) -> Enum:
    # VARCHAR + CHECK on every backend: adding a value later is a plain migration.
    return Enum(
        enum,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        values_callable=lambda members: [m.value for m in members],
        length=32,
    )


class Tier(StrEnum):
    CORE = "core"
    TOPIC = "topic"
    OBSERVER = "observer"


class TimeOfDay(StrEnum):
    DAYTIME = "daytime"
    AFTERNOON = "afternoon"
    ANY = "any"


class Side(StrEnum):
    CITY = "city"
    CIVIL_SOCIETY = "civil_society"


class TopicState(StrEnum):
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    DISCUSSED = "discussed"
    DECLINED = "declined"


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


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    MAYBE = "maybe"


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class InboxState(StrEnum):
    RECEIVED = "received"
    DONE = "done"


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    name: Mapped[str | None] = mapped_column(String(200))
    # Counters for the short numbers people type (`topic-no`, `meeting-no`), per workspace.
    last_topic_no: Mapped[int] = mapped_column(Integer, default=0)
    last_meeting_no: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime]


class Coordinator(Base):
    __tablename__ = "coordinators"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(String(16))  # "setting" (DIALOG_COORDINATORS) or "granted"
    created_at: Mapped[datetime]


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name, so "Red Cross" and "red  cross" are one organisation.
    name_key: Mapped[str] = mapped_column(String(200))
    tier: Mapped[Tier] = mapped_column(_enum(Tier, "tier"))
    preferred_time: Mapped[TimeOfDay] = mapped_column(
        _enum(TimeOfDay, "time_of_day"), default=TimeOfDay.ANY
    )
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime]
    # Removed organisations are archived, not deleted: past invitations and minutes refer to them.
    archived_at: Mapped[datetime | None]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan", order_by="Contact.id"
    )
    perspectives: Mapped[list[OrganisationPerspective]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationPerspective.perspective"
    )
    keywords: Mapped[list[OrganisationKeyword]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationKeyword.keyword"
    )


class OrganisationPerspective(Base):
    __tablename__ = "organisation_perspectives"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    perspective: Mapped[str] = mapped_column(String(64), primary_key=True)


class OrganisationKeyword(Base):
    __tablename__ = "organisation_keywords"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), primary_key=True
    )
    keyword: Mapped[str] = mapped_column(String(64), primary_key=True)


class Contact(Base):
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("organisation_id", "platform", "user_id"),
        Index("ix_contacts_person", "platform", "user_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class Topic(Base):
    __tablename__ = "topics"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    title_key: Mapped[str] = mapped_column(String(200), index=True)
    details: Mapped[str] = mapped_column(Text, default="")
    proposer_platform: Mapped[str] = mapped_column(String(16))
    proposer_user_id: Mapped[str] = mapped_column(String(64))
    proposer_side: Mapped[Side] = mapped_column(_enum(Side, "side"))
    proposer_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    state: Mapped[TopicState] = mapped_column(
        _enum(TopicState, "topic_state"), default=TopicState.PROPOSED
    )
    state_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    supports: Mapped[list[TopicSupport]] = relationship(
        back_populates="topic", cascade="all, delete-orphan", order_by="TopicSupport.id"
    )
    proposer_organisation: Mapped[Organisation | None] = relationship()


class TopicSupport(Base):
    __tablename__ = "topic_supports"
    __table_args__ = (UniqueConstraint("topic_id", "platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(64))
    # The organisation the supporter speaks for, if any: support is counted per organisation too.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    topic: Mapped[Topic] = relationship(back_populates="supports")


class Meeting(Base):
    __tablename__ = "meetings"
    __table_args__ = (UniqueConstraint("workspace_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[MeetingKind] = mapped_column(_enum(MeetingKind, "meeting_kind"))
    state: Mapped[MeetingState] = mapped_column(
        _enum(MeetingState, "meeting_state"), default=MeetingState.SCHEDULED
    )
    starts_at: Mapped[datetime]
    duration_minutes: Mapped[int] = mapped_column(Integer, default=60)
    video_link: Mapped[str | None] = mapped_column(String(500))
    # When invitations go out: start − DIALOG_INVITE_LEAD, or at once for urgent meetings.
    invite_at: Mapped[datetime]
    # Bumped whenever time or content changes; deliveries rendered for an older one are stale.
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The unguessable part of the meeting's calendar (.ics) address.
    calendar_token: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_platform: Mapped[str] = mapped_column(String(16))
    created_by_user_id: Mapped[str] = mapped_column(String(64))
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
    role: Mapped[Role] = mapped_column(_enum(Role, "role"))
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
    user_id: Mapped[str] = mapped_column(String(64))
    answer: Mapped[Answer | None] = mapped_column(_enum(Answer, "answer"))
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
    written_by_user_id: Mapped[str] = mapped_column(String(64))
    written_at: Mapped[datetime]
    version: Mapped[int] = mapped_column(Integer, default=1)


class ActionItem(Base):
    """Who follows up what by when (oppfølgingspunkt); owned by an organisation, not a person."""

    __tablename__ = "action_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    owner_organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"))
    due_on: Mapped[date]


class Delivery(Base):
    """One outgoing message to one destination: a row before it is a platform call.

    `dedupe_key` makes (subject, kind, destination) unique, so re-planning never duplicates.
    `content_version` is bumped when the message must be re-rendered in place (a tally, a
    supporter count); the sweep updates sent messages whose `synced_version` lags behind.
    """

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("workspace_id", "dedupe_key"),
        Index("ix_deliveries_due", "state", "due_at"),
        Index("ix_deliveries_stale", "state", "synced_version", "content_version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    dedupe_key: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    # For reminders about one follow-up point from the minutes.
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    # For messages about one organisation (a nudge to its contacts).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # Destination: a channel, or a person (their DM) as (platform, id).
    dest_platform: Mapped[str] = mapped_column(String(16))
    dest_kind: Mapped[str] = mapped_column(String(16))  # "channel" or "user"
    dest_id: Mapped[str] = mapped_column(String(64))
    # The recipient's organisation's language, used until their own locale is known.
    language_hint: Mapped[str | None] = mapped_column(String(8))
    due_at: Mapped[datetime]
    state: Mapped[DeliveryState] = mapped_column(
        _enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    claimed_at: Mapped[datetime | None]
    # When the latest send started: a crash check searches the platform from here.
    attempted_at: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    # Set when the platform call really starts (a claimed row may wait in a queue first). A row
    # claimed by a dead worker with this unset was never handed over: it is released, not in doubt.
    send_started_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    meeting_version: Mapped[int | None] = mapped_column(Integer)
    # The platform's reference to the posted message (Slack: channel + ts), for later updates.
    ref_channel: Mapped[str | None] = mapped_column(String(64))
    ref_ts: Mapped[str | None] = mapped_column(String(64))
    content_version: Mapped[int] = mapped_column(Integer, default=1)
    synced_version: Mapped[int] = mapped_column(Integer, default=0)
    update_claimed_at: Mapped[datetime | None]
    # When the message was last updated in place: updates are spaced to coalesce bursts.
    last_update_at: Mapped[datetime | None]
    created_at: Mapped[datetime]


class InboxEntry(Base):
    """A request the bot acknowledged, stored before the acknowledgement went back.

    The platform adapter writes the row (its own opaque request body, unique per request) before
    it answers, then processes it; a process that dies in between leaves the row to be processed
    by the next one. `effected_at` is set in the same transaction as the request's effect, so a
    second processing can tell the effect already happened.
    """

    __tablename__ = "inbox"
    __table_args__ = (
        UniqueConstraint("platform", "request_key"),
        Index("ix_inbox_state_received", "state", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    request_key: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(32))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[InboxState] = mapped_column(_enum(InboxState, "inbox_state"), default=InboxState.RECEIVED)
    received_at: Mapped[datetime]
    # The worker that wrote the row; while it is alive, the row is its to process.
    received_by: Mapped[str] = mapped_column(String(64))
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    effected_at: Mapped[datetime | None]
    done_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class Worker(Base):
    """A running sweeper (one per bot process), alive while its heartbeat is fresh.

    A delivery claimed by a worker that stopped beating is in doubt: its process died mid-send.
    """

    __tablename__ = "workers"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class AuditEntry(Base):
    """Who did what, when: every coordinator action is recorded."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_log_workspace_at", "workspace_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    actor_platform: Mapped[str] = mapped_column(String(16))
    actor_user_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(200))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    at: Mapped[datetime]
