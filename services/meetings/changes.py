"""Changing a meeting once it is scheduled: `change` takes the whole form (title, time, length,
video link, chair) and changes what differs, in one transaction, recorded as every change is
(`services.meetings.history.record_change`).

The "what changed" message to people who already got the invitation waits a little
(`CHANGE_GRACE`) and is composed here when it is sent, from the history since the person last
heard: a burst of quick fixes is told once, and a time moved and moved back is not told at all.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.deliveries import NotYet
from services.errors import (
    Conflict,
    DomainError,
    Field,
    FieldRef,
    InvalidInput,
    field_errors,
    raise_field_errors,
)
from services.i18n import N_, Text, text
from services.meetings.cards import meeting_card
from services.meetings.common import CHANGED, INVITE, SPACES, ChangeField, fold
from services.meetings.composing import Composing
from services.meetings.history import chair_errors, record_change
from services.meetings.outcomes import ChangeForm, ChangeOutcome
from services.meetings.queries import invitations_of
from services.meetings.scheduling import Scheduling
from services.messages import MeetingChanged
from services.people import Actor, DestinationKind, PersonRef
from services.timeutil import before
from services.workdays import invitation_time
from services.workspaces import audit, require_coordinator
from storage.models import (
    Delivery,
    DeliveryState,
    Meeting,
    MeetingChange,
    MeetingKind,
    MeetingState,
    MeetingTalk,
)


class Changes(Scheduling, Composing):
    """Changing a meeting's title, time, length, video link and chair; coordinators only."""

    def change_form(self, actor: Actor, number: int) -> ChangeForm:
        """What the change form starts from (coordinators only, meetings still ahead)."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = self._find(session, workspace, number)
            self._require_upcoming(meeting, now)
            return ChangeForm(meeting_card(session, meeting), meeting.invite_at <= now)

    def change(
        self,
        actor: Actor,
        number: int,
        *,
        title: str,
        starts_at: datetime | None,
        duration_minutes: int | None,
        video_link: str | None = None,
        chair: str | None = None,
        chair_person: PersonRef | None = None,
        background: str | None = None,
    ) -> ChangeOutcome:
        """Change what differs of a meeting's title, start, length, video link, chair and background
        (None: left as it is; empty: removed), checked as when scheduling; every copy follows, and
        people who already got the invitation are told."""
        title = SPACES.sub(" ", title).strip()
        video_link = (video_link or "").strip() or None
        chair = SPACES.sub(" ", chair or "").strip() or None
        new_background = background.strip() or None if background is not None else None
        now = self._clock.now()
        errors: dict[FieldRef | Field, Text] = {}
        try:
            self._validate(title, starts_at, duration_minutes, video_link, now, background=new_background)
        except DomainError as error:
            errors.update(field_errors(error))
        errors.update(chair_errors(chair))
        raise_field_errors(errors)
        assert starts_at is not None and duration_minutes is not None  # refused above otherwise
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            was_chair = (meeting.chair, meeting.chair_platform, meeting.chair_user_id)
            new_chair = (chair, chair_person.platform if chair_person else None,
                         chair_person.user_id if chair_person else None)
            changed = [field for field, differs in (
                (ChangeField.TIME, starts_at != meeting.starts_at),
                (ChangeField.LENGTH, duration_minutes != meeting.duration_minutes),
                (ChangeField.TITLE, title != meeting.title),
                (ChangeField.LINK, video_link != meeting.video_link),
                (ChangeField.BACKGROUND, background is not None and new_background != meeting.background),
                (ChangeField.CHAIR, new_chair != was_chair),
            ) if differs]
            if not changed:
                return ChangeOutcome(meeting_card(session, meeting), (), 0, meeting.invite_at <= now)
            self._no_clash(session, meeting, title, starts_at)
            talks = sum(session.scalars(
                select(MeetingTalk.minutes).where(MeetingTalk.meeting_id == meeting.id)))
            if talks > duration_minutes:
                raise InvalidInput(
                    text(N_("The talks take {total} minutes, more than the {duration}-minute meeting. "
                            "Shorten them or lengthen the meeting."), total=talks, duration=duration_minutes),
                    field=Field.DURATION)
            previous = meeting.starts_at
            brought_forward = False
            meeting.title, meeting.starts_at, meeting.duration_minutes = title, starts_at, duration_minutes
            meeting.video_link = video_link
            if background is not None:
                meeting.background = new_background
            meeting.chair, meeting.chair_platform, meeting.chair_user_id = new_chair
            if ChangeField.TIME in changed and meeting.invite_at > now:
                brought_forward = self._move_invitations(session, meeting, now)
            told = record_change(session, self._deliveries, meeting, changed, actor.person, now,
                                 previous_starts_at=previous)
            if ChangeField.TIME in changed:
                # Reminders and nudges are timed from the start: plan them anew (those timed for the
                # old start are stale and skipped, see `timing_version`).
                self._plan_for_invitees(session, meeting)
            audit(session, workspace, actor, "meeting.change", f"meeting {meeting.number}", self._clock,
                  changes=[str(f) for f in changed], starts_at=starts_at.isoformat(),
                  previous_starts_at=previous.isoformat())
            outcome = ChangeOutcome(meeting_card(session, meeting), tuple(str(f) for f in changed), told,
                                    meeting.invite_at <= now, brought_forward)
        self._deliveries.wake()
        return replace(outcome, insights=self._insights(actor, number))

    def _no_clash(self, session: Session, meeting: Meeting, title: str, starts_at: datetime) -> None:
        """Refuse a change that makes this meeting a double of another at the same time."""
        for other in session.scalars(
            select(Meeting).where(Meeting.workspace_id == meeting.workspace_id, Meeting.id != meeting.id,
                                  Meeting.starts_at == starts_at, Meeting.state != MeetingState.CANCELLED)
        ):
            if fold(other.title) == fold(title):
                raise Conflict(
                    text(N_("Meeting {number} “{title}” is already scheduled at that time."),
                         number=other.number, title=other.title),
                    field=Field.TITLE,
                )

    def _move_invitations(self, session: Session, meeting: Meeting, now: datetime) -> bool:
        """Invitations not out yet follow a moved start: start − lead on a working day (an urgent
        call's: now). Returns whether that time was brought forward off a weekend or holiday."""
        lead, zone = self._timings.invite_lead, self._timings.timezone
        if meeting.kind == MeetingKind.URGENT:
            meeting.invite_at = now
        else:
            meeting.invite_at = invitation_time(meeting.starts_at, lead, zone, now)
        session.execute(
            update(Delivery)
            .where(Delivery.meeting_id == meeting.id, Delivery.kind == INVITE,
                   Delivery.state == DeliveryState.PENDING)
            .values(due_at=meeting.invite_at)
            .execution_options(synchronize_session=False)
        )
        return meeting.kind != MeetingKind.URGENT and now < meeting.invite_at < before(
            meeting.starts_at, lead, zone)

    def _compose_change(self, session: Session, delivery: Delivery) -> MeetingChanged | None:
        """What changed since this person last heard, told once for a burst of changes."""
        meeting = self._live(session, delivery)
        if meeting is None or delivery.meeting_version is None:
            return None
        person = PersonRef(delivery.dest_platform, delivery.dest_id)
        mine = (Delivery.meeting_id == meeting.id, Delivery.dest_kind == DestinationKind.PERSON,
                Delivery.dest_platform == person.platform, Delivery.dest_id == person.user_id)
        newer = session.scalar(
            select(Delivery.id).where(*mine, Delivery.kind == CHANGED,
                                      Delivery.meeting_version > delivery.meeting_version).limit(1)
        )
        if newer is not None:
            return None  # a later change is told to them too, and says this one as well
        invitation = session.execute(
            select(Delivery.state, Delivery.attempted_at, Delivery.sent_at)
            .where(*mine, Delivery.kind == INVITE)
        ).first()
        if invitation is None or invitation.state == DeliveryState.PENDING:
            return None
        if invitation.state == DeliveryState.SENDING:
            raise NotYet()  # its invitation is mid-send: whether it went out decides
        if invitation.state != DeliveryState.SENT or not invitations_of(session, meeting.id, person):
            return None
        told = session.scalar(
            select(func.max(Delivery.meeting_version)).where(*mine, Delivery.kind == CHANGED,
                                                             Delivery.state == DeliveryState.SENT)
        ) or 0
        # Changes made before their invitation was written are in it already.
        since = invitation.attempted_at or invitation.sent_at
        history = session.scalars(
            select(MeetingChange)
            .where(MeetingChange.meeting_id == meeting.id, MeetingChange.version > told,
                   MeetingChange.version <= delivery.meeting_version,
                   *([MeetingChange.changed_at >= since] if since is not None else []))
            .order_by(MeetingChange.version)
        ).all()
        fields = {name for change in history for name in change.fields.split(",") if name}
        previous = next((c.previous_starts_at for c in history
                         if ChangeField.TIME in c.fields.split(",")), None)
        if previous is not None and previous == meeting.starts_at:
            fields.discard(ChangeField.TIME)  # moved and moved back: the time they know holds
        ordered = tuple(f.value for f in ChangeField if f in fields)
        if not ordered:
            return None
        return MeetingChanged(meeting_card(session, meeting), ordered,
                              previous if ChangeField.TIME in fields else None)
