"""Retention: per-person answers, attendance and messages are kept for `DIALOG_RETENTION` only.

What goes once it is older than the limit (`cutoff` = now − retention):

- answers and attendance: the invitations of meetings that started (or were to start) before the
  cutoff keep their answer, when it was given and whether the person came, but no longer say who:
  the person's id becomes `anonymous-<invitation id>`. Every count (invited, answered, attended,
  per organisation and meeting) stays as it was.
- messages to a person (invitations, reminders, notices...) planned before the cutoff and settled
  (sent, failed or skipped), or still pending though due before the cutoff (stale): deleted.
  Messages to the channel name nobody and stay.
- comments on draft minutes written before the cutoff: deleted.

Nothing else is touched: topics, supports, minutes and the audit log are the organisations' and
the city's record (docs/privacy.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, cast, delete, func, literal, select, update
from sqlalchemy.orm import Session

from services.people import DestinationKind
from storage.models import Delivery, DeliveryState, Invitation, Meeting, MinutesComment

ANONYMOUS_PREFIX = "anonymous-"
SETTLED = (DeliveryState.SENT, DeliveryState.FAILED, DeliveryState.SKIPPED)


@dataclass(frozen=True)
class RetentionReport:
    """What a retention run removed (or, as a dry run, would remove), by kind."""

    cutoff: datetime
    answers: int
    messages: int
    comments: int
    applied: bool

    @property
    def total(self) -> int:
        """Every row concerned."""
        return self.answers + self.messages + self.comments


def apply_retention(session: Session, cutoff: datetime, *, dry_run: bool) -> RetentionReport:
    """Anonymise and delete what is older than `cutoff`, in the caller's transaction (every
    workspace); with `dry_run`, only count it."""
    old_meetings = select(Meeting.id).where(Meeting.starts_at < cutoff).scalar_subquery()
    answers = (Invitation.meeting_id.in_(old_meetings), ~Invitation.user_id.startswith(ANONYMOUS_PREFIX))
    # A row still pending that was due before the cutoff never went out in all that time: stale.
    messages = (Delivery.dest_kind == str(DestinationKind.PERSON), Delivery.created_at < cutoff,
                Delivery.state.in_(SETTLED) | (Delivery.due_at < cutoff))
    comments = (MinutesComment.created_at < cutoff,)
    if dry_run:
        def count(model: type, *where: object) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return RetentionReport(cutoff, count(Invitation, *answers), count(Delivery, *messages),
                               count(MinutesComment, *comments), applied=False)
    options = {"synchronize_session": False}
    anonymised = session.execute(
        update(Invitation).where(*answers)
        .values(user_id=literal(ANONYMOUS_PREFIX) + cast(Invitation.id, String)),
        execution_options=options).rowcount
    deleted = session.execute(delete(Delivery).where(*messages), execution_options=options).rowcount
    removed = session.execute(delete(MinutesComment).where(*comments), execution_options=options).rowcount
    return RetentionReport(cutoff, anonymised, deleted, removed, applied=True)
