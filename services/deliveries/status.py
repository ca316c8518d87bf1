"""Where deliveries stand, read from their rows: the one place the rest of the services learn who
got a message, whose delivery failed and why, and who had one lately. The rows belong to the
delivery engine; callers never query them for state themselves."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from services.people import DestinationKind, PersonRef
from storage.models import Delivery, DeliveryState

SETTLED = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED)


@dataclass(frozen=True)
class Reach:
    """One person's delivery: its state and, when it failed, the platform's reason."""

    state: DeliveryState
    error: str | None = None

    @property
    def settled(self) -> bool:
        """Sent, failed for good, or skipped: nothing more will happen to it."""
        return self.state in SETTLED


def fan_out(session: Session, *, meeting_id: int, kind: str) -> dict[PersonRef, Reach]:
    """Each person's delivery of `kind` about a meeting (one per person: rows are unique per
    destination), with its state and failure reason; channel posts are left out."""
    rows = session.execute(
        select(Delivery.dest_platform, Delivery.dest_id, Delivery.state, Delivery.last_error).where(
            Delivery.meeting_id == meeting_id, Delivery.kind == kind,
            Delivery.dest_kind == DestinationKind.PERSON,
        )
    ).all()
    return {PersonRef(platform, dest_id): Reach(state, error) for platform, dest_id, state, error in rows}


def had_lately(session: Session, *, meeting_id: int, kind: str, sent_since: datetime,
               queued_by: datetime | None = None, exclude: int | None = None,
               person: PersonRef | None = None, organisation_id: int | None = None) -> set[PersonRef]:
    """The people who were sent a delivery of `kind` about a meeting at or after `sent_since`, and,
    with `queued_by`, those with one waiting to go that is due by then (planned, not yet sent);
    `exclude` leaves one delivery out (the one being decided), `person` asks about one person and
    `organisation_id` about messages on one organisation's behalf."""
    recent = (Delivery.state == DeliveryState.SENT) & (Delivery.sent_at >= sent_since)
    condition = recent
    if queued_by is not None:
        waiting = Delivery.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)) & (
            Delivery.due_at <= queued_by)
        condition = or_(recent, waiting)
    query = select(Delivery.dest_platform, Delivery.dest_id).where(
        Delivery.meeting_id == meeting_id, Delivery.kind == kind,
        Delivery.dest_kind == DestinationKind.PERSON, condition,
    )
    if exclude is not None:
        query = query.where(Delivery.id != exclude)
    if person is not None:
        query = query.where(Delivery.dest_platform == person.platform, Delivery.dest_id == person.user_id)
    if organisation_id is not None:
        query = query.where(Delivery.organisation_id == organisation_id)
    return {PersonRef(platform, dest_id) for platform, dest_id in session.execute(query)}
