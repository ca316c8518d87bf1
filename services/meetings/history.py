"""What every change to a scheduled meeting shares, whichever use case makes it (the change form,
the agenda, cancelling, the minutes): a new version (the calendar file's SEQUENCE), a line in the
meeting's history (`MeetingChange`), every posted copy re-rendered, and a "what changed" message
planned for everyone who already got the invitation (composed in `services.meetings.changes`)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deliveries import Deliveries, Planned
from services.errors import Field, FieldRef
from services.i18n import N_, Text, text
from services.meetings.common import (
    CHAIR_MAX,
    CHANGE_GRACE,
    CHANGED,
    INVITE,
    NUDGE,
    PROGRESS,
    REMINDER,
    SPEAKER,
    ChangeField,
)
from services.people import Destination, DestinationKind, PersonRef
from storage.models import Delivery, DeliveryState, Meeting, MeetingChange

# Messages that show the meeting (and its answer buttons): re-rendered after every change.
COPIES = (INVITE, REMINDER, NUDGE, PROGRESS, SPEAKER)


def refresh_copies(session: Session, deliveries: Deliveries, meeting_id: int) -> None:
    """Have every posted copy of a meeting re-rendered as it is now: the channel post, each person's
    invitation, reminders and nudges (a cancelled or held meeting loses its answer buttons), and an
    urgent call's progress report."""
    deliveries.refresh(session, meeting_id=meeting_id, kinds=COPIES)


def record_change(session: Session, deliveries: Deliveries, meeting: Meeting, fields: Iterable[ChangeField],
                  by: PersonRef, now: datetime, *, previous_starts_at: datetime | None = None) -> int:
    """Record a change to `meeting` (already applied to it), refresh its copies and tell everyone
    who already got the invitation; returns how many people are told."""
    changed = set(fields)
    meeting.version += 1
    meeting.updated_at = now
    session.add(MeetingChange(
        meeting_id=meeting.id, version=meeting.version,
        fields=",".join(f.value for f in ChangeField if f in changed),
        previous_starts_at=previous_starts_at if ChangeField.TIME in changed else None,
        changed_by_platform=by.platform, changed_by_user_id=by.user_id, changed_at=now,
    ))
    session.flush()
    refresh_copies(session, deliveries, meeting.id)
    # Only people who already got the invitation hear of the change; the others get the
    # invitation as the meeting is when it goes out. An invitation mid-send counts as got.
    got = session.execute(
        select(Delivery.dest_platform, Delivery.dest_id, Delivery.language_hint).where(
            Delivery.meeting_id == meeting.id, Delivery.kind == INVITE,
            Delivery.dest_kind == DestinationKind.PERSON,
            Delivery.state.in_((DeliveryState.SENT, DeliveryState.SENDING)),
        )
    ).all()
    deliveries.plan_many(session, workspace_id=meeting.workspace_id, planned=[
        Planned(CHANGED, f"meeting:{meeting.id}:changed:{meeting.version}",
                Destination(platform, DestinationKind.PERSON, user_id, language),
                due_at=now + CHANGE_GRACE, meeting_id=meeting.id, meeting_version=meeting.version)
        for platform, user_id, language in got
    ])
    return len(got)


def chair_errors(chair: str | None) -> dict[FieldRef | Field, Text]:
    """The chair's name, if typed, within bounds."""
    if chair is not None and not 2 <= len(chair) <= CHAIR_MAX:
        return {Field.CHAIR: text(N_("The chair's name is 2 to {max} characters."), max=CHAIR_MAX)}
    return {}
