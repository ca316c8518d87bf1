"""Workspaces, their coordinators, and the roster: organisations and the people who speak for them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import ID_LENGTH, Base, enum_column


class Tier(StrEnum):
    CORE = "core"
    TOPIC = "topic"
    OBSERVER = "observer"


class TimeOfDay(StrEnum):
    DAYTIME = "daytime"
    AFTERNOON = "afternoon"
    ANY = "any"


class Workspace(Base):
    __tablename__ = "workspaces"
    __table_args__ = (UniqueConstraint("platform", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    platform: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(ID_LENGTH))
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
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    source: Mapped[str] = mapped_column(String(16))  # "setting" (DIALOG_COORDINATORS) or "granted"
    created_at: Mapped[datetime]


class Person(Base):
    """What a person chose for themselves in one workspace (their language); a row only once
    they chose something. Nothing here says who they are: names stay on their platform."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    # "nb" or "en"; None: their organisation's language, then the workspace's.
    language: Mapped[str | None] = mapped_column(String(8))
    # When they asked for no more messages on this platform (e-mail: the unsubscribe link); they
    # stay a contact, and may take it back.
    unsubscribed_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class Organisation(Base):
    __tablename__ = "organisations"
    __table_args__ = (UniqueConstraint("workspace_id", "name_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded name, so "Red Cross" and "red  cross" are one organisation.
    name_key: Mapped[str] = mapped_column(String(200))
    tier: Mapped[Tier] = mapped_column(enum_column(Tier, "tier"))
    preferred_time: Mapped[TimeOfDay] = mapped_column(
        enum_column(TimeOfDay, "time_of_day"), default=TimeOfDay.ANY
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
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    # A chat contact's e-mail address: written to only with what chat could not deliver
    # (services/mailing.py). None for an e-mail contact, whose address is its user_id.
    email: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    created_at: Mapped[datetime]

    organisation: Mapped[Organisation] = relationship(back_populates="contacts")


class Conversation(Base):
    """Where the bot may write first, on a platform that must have been told where (Teams: the
    conversation reference it is given when the app is installed for a person or in a team).
    `kind` is "person" (key: their user id) or "channel" (key: the place's role, e.g. "dialog").
    The reference is the platform's own, opaque here."""

    __tablename__ = "conversations"
    __table_args__ = (UniqueConstraint("workspace_id", "platform", "kind", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    platform: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(ID_LENGTH))
    reference: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime]
