"""The bot's own bookkeeping: outgoing messages (deliveries), the workers that send them, and
the inbox of acknowledged requests."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import ID_LENGTH, MESSAGE_REF_LENGTH, Base, enum_column


class DeliveryState(StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class InboxState(StrEnum):
    RECEIVED = "received"
    DONE = "done"


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
    # Subject, kind and destination: room for two platform ids (255 each) and the words between.
    dedupe_key: Mapped[str] = mapped_column(String(1000))
    kind: Mapped[str] = mapped_column(String(32))
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meetings.id", ondelete="CASCADE"))
    topic_id: Mapped[int | None] = mapped_column(ForeignKey("topics.id", ondelete="CASCADE"))
    # For reminders about one follow-up point from the minutes.
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_items.id", ondelete="CASCADE"))
    # For messages about one organisation (a nudge to its contacts).
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE")
    )
    # Destination: a shared place ("channel") or a person ("person"), as (platform, id); the
    # platform decides how a person is reached.
    dest_platform: Mapped[str] = mapped_column(String(16))
    dest_kind: Mapped[str] = mapped_column(String(16))
    dest_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    # Where the row was sent instead, when its person's own platform failed for good and they have
    # an address there (a chat contact's e-mail: services/mailing.py). The destination above stays
    # whom the message is for, which is what composing it reads.
    via_platform: Mapped[str | None] = mapped_column(String(16))
    via_id: Mapped[str | None] = mapped_column(String(ID_LENGTH))
    # The recipient's organisation's language, used until their own locale is known.
    language_hint: Mapped[str | None] = mapped_column(String(8))
    due_at: Mapped[datetime]
    state: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
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
    # The platform's reference to the posted message, opaque here, for later updates and replies.
    message_ref: Mapped[str | None] = mapped_column(String(MESSAGE_REF_LENGTH))
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
    state: Mapped[InboxState] = mapped_column(
        enum_column(InboxState, "inbox_state"), default=InboxState.RECEIVED
    )
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
