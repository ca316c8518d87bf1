"""Answers: an invitee's RSVP, and the meetings a person sees ahead."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.errors import InvalidInput, NotFound
from services.i18n import N_, text
from services.meetings.base import MeetingsBase
from services.meetings.cards import meeting_card
from services.meetings.common import NotInvited
from services.meetings.outcomes import RsvpOutcome, UpcomingMeeting
from services.meetings.queries import invitations_of, no_such_meeting
from services.messages import MeetingCard
from services.people import Actor
from services.workspaces import is_coordinator
from storage.models import Answer, Meeting, MeetingState


class Answers(MeetingsBase):
    """Use cases for invitees: answering, and looking up meetings."""

    def rsvp(self, actor: Actor, number: int, answer: Answer) -> RsvpOutcome:
        """Record `actor`'s answer; the last answer wins, and clicking twice changes nothing."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            meeting = self._find(session, workspace, number)
            if meeting.invite_at > now and not is_coordinator(session, workspace, actor.person):
                # A draft exists only for coordinators until its invitations go out: say exactly
                # what is said of a meeting that does not exist, title and all withheld.
                raise NotFound(no_such_meeting(number))
            mine = invitations_of(session, meeting.id, actor.person)
            if not mine:
                raise NotInvited(
                    text(N_("You are not on the invitation list for meeting {number}. If your "
                            "organisation should take part, ask a coordinator to invite it."),
                         number=number)
                )
            if meeting.state == MeetingState.CANCELLED:
                raise InvalidInput(text(N_("Meeting {number} has been cancelled."), number=number))
            if (meeting.state == MeetingState.HELD
                    or now >= meeting.starts_at + timedelta(minutes=meeting.duration_minutes)):
                raise InvalidInput(text(N_("Meeting {number} is over; answers are closed."), number=number))
            previous = mine[0].answer
            changed = [i for i in mine if i.answer != answer]
            for invitation in changed:
                invitation.answer = answer
                invitation.answered_at = now
            if changed:
                self._refresh_post(session, meeting.id)
                self._refresh_progress(session, meeting.id)
            outcome = RsvpOutcome(meeting.number, meeting.title, answer, previous)
        if changed:
            self._deliveries.wake()
        return outcome

    def upcoming(self, actor: Actor) -> list[UpcomingMeeting]:
        """Meetings not yet over, soonest first, with `actor`'s invitation and answer.

        Before invitations go out a meeting is the coordinators' draft: others do not see it yet.
        """
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            coordinator = is_coordinator(session, workspace, actor.person)
            meetings = session.scalars(
                select(Meeting)
                .where(Meeting.workspace_id == workspace.id, Meeting.state == MeetingState.SCHEDULED)
                .order_by(Meeting.starts_at, Meeting.number)
            ).all()
            found = []
            for meeting in meetings:
                if meeting.starts_at + timedelta(minutes=meeting.duration_minutes) <= now:
                    continue
                if meeting.invite_at > now and not coordinator:
                    continue
                mine = invitations_of(session, meeting.id, actor.person)
                answer = mine[0].answer if mine else None
                found.append(UpcomingMeeting(meeting_card(session, meeting), bool(mine), answer))
        return found

    def get(self, actor: Actor, number: int) -> MeetingCard:
        """One meeting by its number."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            return meeting_card(session, self._find(session, workspace, number))
