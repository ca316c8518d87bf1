"""What a meeting's messages say, composed when each is sent from the database as it is then."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deliveries import NotYet, had_lately
from services.meetings.base import MeetingsBase
from services.meetings.cards import meeting_card
from services.meetings.common import INVITE, NUDGE, NUDGE_REPEAT_WINDOW, REMINDER
from services.meetings.queries import invitations_of, timing_version
from services.meetings.roles import listens_only
from services.messages import (
    MeetingCancelled,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
)
from services.people import DestinationKind, PersonRef
from storage.models import Answer, Delivery, DeliveryState, Invitation, Meeting, MeetingState, Organisation


class Composing(MeetingsBase):
    """The composers the delivery engine calls for meeting messages."""

    def _meeting_for(self, session: Session, delivery: Delivery) -> Meeting | None:
        """The delivery's meeting, share-locked: a cancel in progress finishes first, so it either
        sees this message as sent (and plans the cancellation) or this sees the meeting cancelled."""
        if delivery.meeting_id is None:
            return None
        return session.get(Meeting, delivery.meeting_id, with_for_update={"read": True})

    def _live(self, session: Session, delivery: Delivery) -> Meeting | None:
        meeting = self._meeting_for(session, delivery)
        if meeting is None or meeting.state != MeetingState.SCHEDULED:
            return None
        if self._clock.now() >= meeting.starts_at:
            return None
        return meeting

    def _compose_invitation(self, session: Session, delivery: Delivery) -> MeetingInvitation | None:
        meeting = self._meeting_for(session, delivery)
        if meeting is None:
            return None
        if delivery.dest_kind == DestinationKind.CHANNEL:
            # Sent only while the meeting is ahead; once posted, it is re-rendered for any change
            # (the tally, a cancellation) for as long as it exists.
            if delivery.state != DeliveryState.SENT and self._live(session, delivery) is None:
                return None
            return MeetingInvitation(meeting_card(session, meeting), personal=False)
        if delivery.state != DeliveryState.SENT:
            if self._live(session, delivery) is None:
                return None
            if not invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id)):
                return None
        # Once posted, a person's invitation too shows the meeting as it is now: moved, renamed,
        # cancelled or held (then without answer buttons).
        person = PersonRef(delivery.dest_platform, delivery.dest_id)
        return MeetingInvitation(meeting_card(session, meeting), personal=True,
                                 listening=listens_only(session, meeting.id, person))

    def _timed_for_old_start(self, session: Session, meeting: Meeting, delivery: Delivery) -> bool:
        """Whether a reminder or nudge was planned before the meeting's start last moved: its time
        is wrong, and a replacement was planned with the move."""
        return (delivery.meeting_version or 0) < timing_version(session, meeting.id)

    def _reminded_now(self, session: Session, delivery: Delivery) -> MeetingReminder | None:
        """A reminder already sent, as the meeting is now (re-rendered after a change)."""
        meeting = self._meeting_for(session, delivery)
        if meeting is None:
            return None
        mine = invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id))
        answer = next((i.answer for i in mine if i.answer), None)
        return MeetingReminder(meeting_card(session, meeting), answer)

    def _compose_reminder(self, session: Session, delivery: Delivery) -> MeetingReminder | None:
        if delivery.state == DeliveryState.SENT:
            return self._reminded_now(session, delivery)
        meeting = self._live(session, delivery)
        if meeting is None or self._timed_for_old_start(session, meeting, delivery):
            return None
        mine = invitations_of(session, meeting.id, PersonRef(delivery.dest_platform, delivery.dest_id))
        if not mine or all(i.answer == Answer.NO for i in mine):
            return None
        later_due = session.scalar(
            select(Delivery.id).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == REMINDER,
                Delivery.dest_id == delivery.dest_id, Delivery.dest_platform == delivery.dest_platform,
                Delivery.due_at > delivery.due_at, Delivery.due_at <= self._clock.now(),
            )
        )
        if later_due is not None:
            # After downtime, only the latest reminder that fell due is worth sending.
            return None
        answer = next((i.answer for i in mine if i.answer), None)
        return MeetingReminder(meeting_card(session, meeting), answer)

    def _compose_nudge(self, session: Session, delivery: Delivery) -> MeetingNudge | None:
        organisation_id = delivery.organisation_id
        organisation = session.get(Organisation, organisation_id) if organisation_id else None
        if delivery.state == DeliveryState.SENT:
            # Sent already: re-rendered as the meeting is now (a cancelled one without buttons).
            meeting = self._meeting_for(session, delivery)
            if meeting is None or organisation is None:
                return None
            return MeetingNudge(meeting_card(session, meeting), organisation.name)
        meeting = self._live(session, delivery)
        if meeting is None or self._timed_for_old_start(session, meeting, delivery):
            return None
        if organisation is None or organisation.archived_at is not None:
            return None
        answered = session.scalar(
            select(Invitation.id).where(
                Invitation.meeting_id == meeting.id,
                Invitation.organisation_id == organisation_id,
                Invitation.answer.is_not(None),
            )
        )
        if answered is not None:
            return None
        person = PersonRef(delivery.dest_platform, delivery.dest_id)
        mine = [i for i in invitations_of(session, meeting.id, person)
                if i.organisation_id == organisation_id]
        if not mine:
            return None
        if had_lately(session, meeting_id=meeting.id, kind=NUDGE, person=person, exclude=delivery.id,
                      organisation_id=organisation_id, sent_since=self._clock.now() - NUDGE_REPEAT_WINDOW):
            # Nudged about this organisation moments ago (by the coordinator's button).
            return None
        return MeetingNudge(meeting_card(session, meeting), organisation.name)

    def _compose_cancellation(self, session: Session, delivery: Delivery) -> MeetingCancelled | None:
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None or meeting.state != MeetingState.CANCELLED:
            return None
        invitation = session.scalar(
            select(Delivery.state).where(
                Delivery.meeting_id == meeting.id, Delivery.kind == INVITE,
                Delivery.dest_kind == DestinationKind.PERSON, Delivery.dest_id == delivery.dest_id,
                Delivery.dest_platform == delivery.dest_platform,
            )
        )
        if invitation in (DeliveryState.SENDING, DeliveryState.PENDING):
            # Its invitation is still being decided (mid-send, or in doubt): wait for the outcome.
            raise NotYet()
        # Only someone who got the invitation needs to hear the meeting is off.
        return MeetingCancelled(meeting_card(session, meeting)) if invitation == DeliveryState.SENT else None

    def _invitation_settled(self, session: Session, delivery: Delivery) -> None:
        """Keep an urgent call's progress report in step with its fan-out."""
        if delivery.kind == INVITE and delivery.meeting_id is not None:
            self._refresh_progress(session, delivery.meeting_id)
