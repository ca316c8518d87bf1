"""Topic proposals and who supports them."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import ID_LENGTH, Base, enum_column
from storage.models.workspace import Organisation


class Side(StrEnum):
    """The three sides of a dialogue meeting: the city (its political leadership and
    administration), civil society, and public agencies (the observers' organisations)."""

    CITY = "city"
    CIVIL_SOCIETY = "civil_society"
    AGENCY = "agency"


class TopicState(StrEnum):
    PROPOSED = "proposed"
    SCHEDULED = "scheduled"
    DISCUSSED = "discussed"
    DECLINED = "declined"


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
    proposer_user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    proposer_side: Mapped[Side] = mapped_column(enum_column(Side, "side"))
    proposer_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    state: Mapped[TopicState] = mapped_column(
        enum_column(TopicState, "topic_state"), default=TopicState.PROPOSED
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
    user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    # The organisation the supporter speaks for, if any: support is counted per organisation too.
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime]

    topic: Mapped[Topic] = relationship(back_populates="supports")
