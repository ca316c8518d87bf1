"""Minutes that reach everyone invited, optionally after a round of comments.

Final minutes go to every contact of every organisation invited (participants and observers,
whatever they answered), to everyone recorded present, and to the channel. With a review period
(`DIALOG_MINUTES_REVIEW`) recorded minutes first go out as a draft to those invited, who can
comment until the deadline; each comment is stored and passed on to the coordinators. When the
deadline passes (a scheduled job) or a coordinator says so, the minutes become final and go out
to everyone as final. A correction re-renders every copy already sent.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries, Planned
from services.errors import Conflict, Field, InvalidInput, NotAllowed, NotFound
from services.i18n import N_, text
from services.meetings.audience import meeting_invitees
from services.messages import MinutesCommented
from services.people import Actor, Channels, Destination, PersonRef
from services.text import clean_text
from services.workspaces import Workspaces, audit, coordinators_of, is_coordinator, organisations_of
from storage.models import (
    Delivery,
    Invitation,
    Meeting,
    Minutes,
    MinutesComment,
    MinutesState,
    Organisation,
    Workspace,
)

log = logging.getLogger(__name__)

POSTED = "minutes_posted"
DRAFT = "minutes_draft"
COMMENT = "minutes_comment"
COMMENT_MIN, COMMENT_MAX = 3, 2000


@dataclass(frozen=True)
class CommentOutcome:
    """A comment stored and on its way to the coordinators."""

    meeting_number: int
    meeting_title: str
    review_until: datetime | None
    coordinators: int


@dataclass(frozen=True)
class FinalOutcome:
    """Minutes made final (or found final already) and going out to everyone."""

    meeting_number: int
    meeting_title: str
    already: bool
    readers: int


def readers(session: Session, meeting: Meeting) -> dict[PersonRef, str | None]:
    """Everyone the minutes go to, with their organisation's language: every contact of every
    organisation invited (participants and observers alike, whatever they answered), and everyone
    recorded present."""
    people: dict[PersonRef, str | None] = {}
    languages: dict[int, str | None] = {}
    for invitee in meeting_invitees(session, meeting):
        languages[invitee.id] = invitee.language
        for person in sorted(invitee.people, key=lambda p: (p.platform, p.user_id)):
            people.setdefault(person, invitee.language)
    present = session.execute(
        select(Invitation.platform, Invitation.user_id, Invitation.organisation_id, Organisation.language)
        .outerjoin(Organisation, Organisation.id == Invitation.organisation_id)
        .where(Invitation.meeting_id == meeting.id, Invitation.attended.is_(True))
        .order_by(Invitation.id)
    ).all()
    for platform, user_id, organisation_id, language in present:
        people.setdefault(PersonRef(platform, user_id), languages.get(organisation_id, language))
    return people


class MinutesReview:
    """Draft minutes, comments on them, and making them final."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 deliveries: Deliveries, channels: Channels, review: timedelta | None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._channels = channels
        self._review = review if review and review > timedelta(0) else None
        deliveries.register(COMMENT, self._compose_comment)

    @property
    def period(self) -> timedelta | None:
        """How long drafts are open for comments (None: minutes are final at once)."""
        return self._review

    def publish(self, session: Session, meeting: Meeting, minutes: Minutes, *, new: bool) -> int:
        """Send recorded (or corrected) minutes on: new ones as a draft when there is a review
        period, else as final; a correction keeps the state and re-renders every copy. Returns how
        many people they go to."""
        now = self._clock.now()
        if new and self._review is not None:
            minutes.state = MinutesState.DRAFT
            minutes.review_until = now + self._review
        elif new or minutes.state is None:
            minutes.state = MinutesState.FINAL
        if minutes.state != MinutesState.DRAFT:
            return self._go_final(session, meeting, minutes, now)
        people = readers(session, meeting)
        self._plan(session, meeting, DRAFT, f"meeting:{meeting.id}:minutes-draft",
                   [Destination.person(person, language) for person, language in people.items()], now)
        self._deliveries.refresh(session, meeting_id=meeting.id, kinds=(DRAFT,))
        return len(people)

    def _go_final(self, session: Session, meeting: Meeting, minutes: Minutes, now: datetime) -> int:
        minutes.state = MinutesState.FINAL
        minutes.final_at = minutes.final_at or now
        people = readers(session, meeting)
        workspace = session.get(Workspace, meeting.workspace_id)
        found = self._channels.of(workspace.platform) if workspace is not None else None
        channel = [found] if found is not None else []
        self._plan(session, meeting, POSTED, f"meeting:{meeting.id}:minutes",
                   channel + [Destination.person(person, language) for person, language in people.items()],
                   now)
        # A correction re-renders what was already posted; drafts now say comments are closed.
        self._deliveries.refresh(session, meeting_id=meeting.id, kinds=(POSTED, DRAFT))
        return len(people)

    def _plan(self, session: Session, meeting: Meeting, kind: str, key: str,
              destinations: list[Destination], now: datetime) -> None:
        # In bulk: a city-wide meeting's minutes reach hundreds of people.
        self._deliveries.plan_many(session, workspace_id=meeting.workspace_id, planned=[
            Planned(kind, key, destination, now, meeting_id=meeting.id) for destination in destinations])

    def comment(self, actor: Actor, number: int, body: str) -> CommentOutcome:
        """Comment on draft minutes (those invited, and coordinators); the coordinators are told."""
        body = clean_text(body).strip()
        if not COMMENT_MIN <= len(body) <= COMMENT_MAX:
            raise InvalidInput(text(N_("Write a comment of {min} to {max} characters."),
                                    min=COMMENT_MIN, max=COMMENT_MAX), field=Field.COMMENT)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            meeting, minutes = self._minutes(session, workspace, number)
            if not (actor.person in readers(session, meeting)
                    or is_coordinator(session, workspace, actor.person)):
                raise NotAllowed(text(N_("Only those invited to meeting {number} can comment on its "
                                         "minutes."), number=number), field=Field.COMMENT)
            if minutes.state != MinutesState.DRAFT or (minutes.review_until and now >= minutes.review_until):
                raise Conflict(text(N_("The minutes of meeting {number} are final: comments are closed. "
                                       "Tell a coordinator if something needs correcting."),
                                    number=number), field=Field.COMMENT)
            comment = MinutesComment(minutes_id=minutes.id, platform=actor.person.platform,
                                     user_id=actor.person.user_id, body=body, created_at=now)
            session.add(comment)
            session.flush()
            coordinators = coordinators_of(session, workspace)
            for coordinator in coordinators:
                # The key names the comment: the composer reads it back (see `_comment_id`).
                self._deliveries.plan(session, workspace_id=workspace.id, kind=COMMENT,
                                      key=f"minutes-comment:{comment.id}",
                                      destination=Destination.person(coordinator), due_at=now,
                                      meeting_id=meeting.id)
            outcome = CommentOutcome(meeting.number, meeting.title, minutes.review_until, len(coordinators))
        self._deliveries.wake()
        return outcome

    def finalise(self, actor: Actor, number: int) -> FinalOutcome:
        """Make draft minutes final at once (coordinators): they go out to everyone as final."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            if not is_coordinator(session, workspace, actor.person):
                raise NotAllowed(text(N_("Only coordinators can make minutes final.")))
            meeting, minutes = self._minutes(session, workspace, number, lock=True)
            already = minutes.state == MinutesState.FINAL
            count = len(readers(session, meeting)) if already else self._go_final(
                session, meeting, minutes, self._clock.now())
            if not already:
                audit(session, workspace, actor, "meeting.minutes_final", f"meeting {meeting.number}",
                      self._clock)
            outcome = FinalOutcome(meeting.number, meeting.title, already, count)
        self._deliveries.wake()
        return outcome

    def finalise_due(self) -> int:
        """Make final every draft whose review period has passed (the scheduled job); how many."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            due = session.execute(
                select(Minutes, Meeting)
                .join(Meeting, Meeting.id == Minutes.meeting_id)
                .join(Workspace, Workspace.id == Meeting.workspace_id)
                .where(Minutes.state == MinutesState.DRAFT, Minutes.review_until <= now,
                       Workspace.platform.in_(self._deliveries.platforms))
                .with_for_update(of=Minutes)
            ).all()
            for minutes, meeting in due:
                self._go_final(session, meeting, minutes, now)
        if due:
            self._deliveries.wake()
        return len(due)

    def _minutes(self, session: Session, workspace: Workspace, number: int, *,
                 lock: bool = False) -> tuple[Meeting, Minutes]:
        meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == workspace.id,
                                                       Meeting.number == number))
        query = select(Minutes).where(Minutes.meeting_id == meeting.id) if meeting else None
        minutes = session.scalar(query.with_for_update() if lock else query) if query is not None else None
        if meeting is None or minutes is None:
            raise NotFound(text(N_("Meeting {number} has no minutes yet."), number=number),
                           field=Field.COMMENT)
        return meeting, minutes

    def _compose_comment(self, session: Session, delivery: Delivery) -> MinutesCommented | None:
        comment = session.get(MinutesComment, _comment_id(delivery))
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if comment is None or meeting is None:
            return None
        minutes = session.get(Minutes, comment.minutes_id)
        workspace = session.get(Workspace, meeting.workspace_id)
        author = PersonRef(comment.platform, comment.user_id)
        names = tuple(o.name for o in organisations_of(session, workspace, author)) if workspace else ()
        return MinutesCommented(meeting.number, meeting.title, author, names, comment.body,
                                minutes.review_until if minutes else None,
                                final=minutes is not None and minutes.state == MinutesState.FINAL)


def _comment_id(delivery: Delivery) -> int:
    """The comment a delivery passes on, from its key (`minutes-comment:<id>:…`)."""
    try:
        return int(delivery.dedupe_key.split(":")[1])
    except (IndexError, ValueError):
        return 0
