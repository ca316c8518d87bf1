"""What the meeting use cases share: their dependencies, finding and checking a meeting, and
validating what a coordinator typed."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries
from services.errors import Conflict, Field, FieldRef, InvalidInput, NotFound, raise_field_errors
from services.i18n import N_, Command, Hint, Text, plural_text, text
from services.meetings.common import (
    BACKGROUND_MAX,
    DURATION_MAX,
    DURATION_MIN,
    INVITE,
    PROGRESS,
    SPACES,
    TITLE_MAX,
    TITLE_MIN,
    URGENT_REPEAT_WINDOW,
    URL,
    MeetingTimings,
    fold,
)
from services.meetings.queries import no_such_meeting
from services.people import Actor, Channels
from services.planning import Insights, Planning
from services.workspaces import Workspaces, require_coordinator
from storage.models import Meeting, MeetingKind, MeetingState, Topic, TopicState, Workspace

if TYPE_CHECKING:
    from services.topic_moves import TopicMoves


class MeetingsBase:
    """The state and checks every part of `Meetings` uses."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        workspaces: Workspaces,
        deliveries: Deliveries,
        timings: MeetingTimings,
        channels: Channels,
        moves: TopicMoves,
        planning: Planning | None = None,
    ) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._timings = timings
        self._channels = channels
        self._moves = moves
        self._planning = planning

    def _insights(self, actor: Actor, number: int) -> Insights | None:
        """The planning advice on meeting `number`, attached to every outcome of planning it."""
        return self._planning.insights(actor, number) if self._planning is not None else None

    def _refresh_post(self, session: Session, meeting_id: int) -> None:
        """Have the meeting's post in the channel re-rendered: its agenda, invitees or tally changed."""
        self._deliveries.refresh(session, meeting_id=meeting_id, kinds=(INVITE,), channel_only=True)

    def _refresh_progress(self, session: Session, meeting_id: int) -> None:
        """Have an urgent call's progress report re-rendered for the coordinator."""
        self._deliveries.refresh(session, meeting_id=meeting_id, kinds=(PROGRESS,))

    def check(self, title: str, starts_at: datetime | None, duration_minutes: int | None = 60,
              video_link: str | None = None, background: str | None = None) -> None:
        """Refuse a meeting's title, start, length, link or background out of bounds, naming every
        field at fault at once (a form shows them together); None is a start or length not given."""
        self._validate(SPACES.sub(" ", title).strip(), starts_at, duration_minutes,
                       (video_link or "").strip() or None, self._clock.now(),
                       background=(background or "").strip() or None)

    def _validate(self, title: str, starts_at: datetime | None, duration: int | None,
                  video_link: str | None, now: datetime, *, background: str | None = None) -> None:
        errors: dict[FieldRef | Field, Text] = {}
        if not TITLE_MIN <= len(title) <= TITLE_MAX:
            errors[Field.TITLE] = text(N_("A meeting needs a title of {min} to {max} characters."),
                                   min=TITLE_MIN, max=TITLE_MAX)
        if starts_at is None:
            errors[Field.STARTS_AT] = text(N_("Pick a date and time."))
        elif starts_at <= now:
            # Say the zone and its clock: someone elsewhere types their own wall-clock time.
            zone = self._timings.timezone
            local, today = starts_at.astimezone(zone), now.astimezone(zone)
            shape = "%H:%M" if local.date() == today.date() else "%Y-%m-%d %H:%M"
            errors[Field.STARTS_AT] = text(
                N_("{when} in {zone} has already passed; it is {now} there now. Pick a time in the "
                   "future."), when=local.strftime(shape), zone=zone.key, now=today.strftime(shape))
        if duration is None:
            errors[Field.DURATION] = text(N_("The length is a whole number of minutes."))
        elif not DURATION_MIN <= duration <= DURATION_MAX:
            errors[Field.DURATION] = text(N_("A meeting lasts {min} to {max} minutes."),
                                      min=DURATION_MIN, max=DURATION_MAX)
        if video_link and not URL.match(video_link):
            errors[Field.VIDEO_LINK] = text(N_("The video link must be a web address starting with https://."))
        if background and len(background) > BACKGROUND_MAX:
            errors[Field.BACKGROUND] = text(
                N_("Keep the background to {max} characters (it has {count}): the invitation shows "
                   "it in full."), max=BACKGROUND_MAX, count=len(background))
        raise_field_errors(errors)

    def _find(self, session: Session, workspace: Workspace, number: int, *, lock: bool = False) -> Meeting:
        query = select(Meeting).where(Meeting.workspace_id == workspace.id, Meeting.number == number)
        if lock:
            # Changes wait for messages being composed from the meeting, and the other way round
            # (see `_meeting_for`); SQLite's IMMEDIATE transactions serialise them anyway.
            query = query.with_for_update()
        meeting = session.scalar(query)
        if meeting is None:
            raise NotFound(no_such_meeting(number))
        return meeting

    def _not_a_repeat(self, session: Session, workspace: Workspace, title: str, now: datetime) -> None:
        """Refuse a second urgent call with the same title moments after the first: a double submit
        would start two crisis fan-outs to everyone."""
        recent = session.scalars(
            select(Meeting).where(
                Meeting.workspace_id == workspace.id,
                Meeting.kind == MeetingKind.URGENT,
                Meeting.state != MeetingState.CANCELLED,
                Meeting.created_at >= now - URGENT_REPEAT_WINDOW,
            )
        ).all()
        for meeting in recent:
            if fold(meeting.title) == fold(title):
                minutes = max(1, round((now - meeting.created_at).total_seconds() / 60))
                raise Conflict(
                    plural_text(
                        "Urgent meeting {number} “{title}” was called a minute ago and its invitations "
                        "are going out; this looks like the same call, so nothing new was sent. To call "
                        "another urgent meeting now, give it a different title.",
                        "Urgent meeting {number} “{title}” was called {count} minutes ago and its "
                        "invitations are going out; this looks like the same call, so nothing new was "
                        "sent. To call another urgent meeting now, give it a different title.",
                        minutes, number=meeting.number, title=meeting.title),
                    field=Field.TITLE,
                )

    def _upcoming_for_coordinator(self, session: Session, actor: Actor, number: int,
                                  now: datetime) -> tuple[Workspace, Meeting]:
        """The workspace and meeting `number`, for a coordinator changing a meeting still ahead."""
        workspace = self._workspaces.lock(session, actor.workspace)
        require_coordinator(session, workspace, actor.person)
        meeting = self._find(session, workspace, number, lock=True)
        self._require_upcoming(meeting, now)
        return workspace, meeting

    def _require_upcoming(self, meeting: Meeting, now: datetime) -> None:
        if meeting.state == MeetingState.CANCELLED:
            raise InvalidInput(text(N_("Meeting {number} has been cancelled."), number=meeting.number))
        if meeting.starts_at <= now:
            raise InvalidInput(
                text(N_("Meeting {number} has already started."), number=meeting.number)
            )

    def _open_topic(self, session: Session, workspace: Workspace, number: int) -> Topic:
        topic = session.scalar(
            select(Topic).where(Topic.workspace_id == workspace.id, Topic.number == number)
        )
        if topic is None or topic.state not in (TopicState.PROPOSED, TopicState.SCHEDULED):
            raise NotFound(
                text(N_("There is no open topic {number}. {topics} lists the open ones."),
                     number=number, topics=Hint(Command.TOPICS)),
                field=Field.TOPICS,
            )
        return topic
