"""Suggestions of organisations to invite: anyone may suggest, a coordinator decides."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import ID_LENGTH, Base, enum_column


class SuggestionState(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DISMISSED = "dismissed"


class OrganisationSuggestion(Base):
    """"Check with civil society who is relevant and interested": someone suggests an organisation
    (and why); it is only a suggestion until a coordinator adds it to the roster."""

    __tablename__ = "organisation_suggestions"
    __table_args__ = (Index("ix_organisation_suggestions_open", "workspace_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(ForeignKey("workspaces.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    # Case- and space-folded, as on organisations, to spot a suggestion of one already listed.
    name_key: Mapped[str] = mapped_column(String(200))
    # How to reach them, as the suggester knows it (free text), or a person on the platform.
    contact: Mapped[str] = mapped_column(Text, default="")
    contact_platform: Mapped[str | None] = mapped_column(String(16))
    contact_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    perspective: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(Text, default="")
    # The meeting it was suggested for, if any.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="SET NULL"))
    suggested_by_platform: Mapped[str] = mapped_column(String(16))
    suggested_by_user_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    state: Mapped[SuggestionState] = mapped_column(
        enum_column(SuggestionState, "suggestion_state"), default=SuggestionState.OPEN
    )
    # The roster entry it became, once accepted.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="SET NULL"))
    decided_by_platform: Mapped[str | None] = mapped_column(String(16))
    decided_by_user_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    decided_at: Mapped[datetime | None]
    created_at: Mapped[datetime]
