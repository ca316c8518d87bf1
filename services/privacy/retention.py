"""Retention: per-person answers, attendance and messages are kept for `DIALOG_RETENTION` only.

What goes once it is older than the limit (`cutoff` = now − retention), so that no aggregate moves
(the statistics, the minutes' and the archive's counts are the same before and after):

- answers and attendance: the invitations of meetings that started (or were to start) before the
  cutoff keep their organisation, answer, when it was given and whether the person came, but no
  longer say who: each person's id becomes one pseudonym per meeting (`anonymous-<random>`, not
  derived from the id, no key kept). Someone invited for two organisations is still one person
  at that meeting (the minutes count people), and not linked across meetings.
- the invitation messages of those meetings: sent ones are kept under the same pseudonym, without
  the platform's reference to the message (the statistics measure how long an answer took from
  the invitation); the rest go. An invitation's message goes with its meeting, not before.
- other messages to a person (reminders, nudges, notices...) planned before the cutoff and settled
  (sent, failed or skipped), or still pending though due before the cutoff (stale): deleted.
  Messages to the channel name nobody and stay.
- comments on draft minutes written before the cutoff: their words and their author go, the row
  stays (the archive says how many comments the draft received).

Nothing else is touched: topics, supports, minutes and the audit log are the organisations' and
the city's record (docs/privacy.md).
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from services.meetings import INVITE
from services.people import DestinationKind
from services.privacy.erase import whole_word
from services.pseudonyms import ANONYMOUS_PREFIX
from storage.models import Delivery, DeliveryState, Invitation, Meeting, Minutes, MinutesComment

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


class _Pseudonyms:
    """One fresh pseudonym per person per meeting, for the length of a run."""

    def __init__(self) -> None:
        self._given: dict[tuple[int | None, str, str], str] = {}

    def __call__(self, meeting_id: int | None, platform: str, user_id: str) -> str:
        key = (meeting_id, platform, user_id)
        return self._given.setdefault(key, ANONYMOUS_PREFIX + secrets.token_hex(6))


def apply_retention(session: Session, cutoff: datetime, *, dry_run: bool) -> RetentionReport:
    """Anonymise and delete what is older than `cutoff`, in the caller's transaction (every
    workspace); with `dry_run`, only count it."""
    old_meetings = select(Meeting.id).where(Meeting.starts_at < cutoff).scalar_subquery()
    named = ~Invitation.user_id.startswith(ANONYMOUS_PREFIX)
    answers = (Invitation.meeting_id.in_(old_meetings), named)
    to_person = (Delivery.dest_kind == str(DestinationKind.PERSON),
                 ~Delivery.dest_id.startswith(ANONYMOUS_PREFIX))
    invitation_of_old = (Delivery.kind == INVITE) & Delivery.meeting_id.in_(old_meetings)
    # A row still pending that was due before the cutoff never went out in all that time: stale.
    expired = ((Delivery.kind != INVITE) | Delivery.meeting_id.is_(None)) & (Delivery.created_at < cutoff) & (
        Delivery.state.in_(SETTLED) | (Delivery.due_at < cutoff))
    messages = (*to_person, invitation_of_old | expired)
    comments = (MinutesComment.created_at < cutoff, ~MinutesComment.user_id.startswith(ANONYMOUS_PREFIX))
    if dry_run:
        def count(model: type, *where: object) -> int:
            return session.scalar(select(func.count()).select_from(model).where(*where)) or 0

        return RetentionReport(cutoff, count(Invitation, *answers), count(Delivery, *messages),
                               count(MinutesComment, *comments), applied=False)
    pseudonym = _Pseudonyms()
    anonymised = _anonymise_answers(session, answers, pseudonym)
    kept = _anonymise_invitation_messages(session, (*to_person, invitation_of_old), pseudonym)
    deleted = session.execute(delete(Delivery).where(*messages),
                              execution_options={"synchronize_session": False}).rowcount
    removed = _anonymise_comments(session, comments, pseudonym)
    return RetentionReport(cutoff, anonymised, kept + deleted, removed, applied=True)


def _anonymise_answers(session: Session, where: tuple[object, ...], pseudonym: _Pseudonyms) -> int:
    rows = session.scalars(select(Invitation).where(*where)).all()
    for invitation in rows:
        invitation.user_id = pseudonym(invitation.meeting_id, invitation.platform, invitation.user_id)
    session.flush()
    return len(rows)


def _anonymise_invitation_messages(session: Session, where: tuple[object, ...],
                                   pseudonym: _Pseudonyms) -> int:
    """Sent invitations under the person's pseudonym at that meeting (what is not sent is deleted
    by the caller, as it matches the same rows still naming the person)."""
    rows = session.scalars(select(Delivery).where(*where, Delivery.state == DeliveryState.SENT)).all()
    for delivery in rows:
        alias = pseudonym(delivery.meeting_id, delivery.dest_platform, delivery.dest_id)
        delivery.dedupe_key = whole_word(delivery.dest_id).sub(alias, delivery.dedupe_key)
        delivery.dest_id = alias
        # Sent to their e-mail address instead of chat: the address names them as much.
        delivery.via_id = alias if delivery.via_id is not None else None
        delivery.message_ref = None
        delivery.last_error = None
        delivery.synced_version = delivery.content_version
    session.flush()
    return len(rows)


def _anonymise_comments(session: Session, where: tuple[object, ...], pseudonym: _Pseudonyms) -> int:
    rows = session.execute(
        select(MinutesComment, Minutes.meeting_id).join(Minutes, Minutes.id == MinutesComment.minutes_id)
        .where(*where)).all()
    for comment, meeting_id in rows:
        comment.user_id = pseudonym(meeting_id, comment.platform, comment.user_id)
        comment.body = ""
    session.flush()
    return len(rows)
