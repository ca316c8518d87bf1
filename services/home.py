"""A person's home page with the bot: what is coming, what can be supported, what they follow up;
and for coordinators, how the next meeting looks and what is new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.meetings import Meetings, UpcomingMeeting
from services.messages import ActionItemView, TopicCard
from services.people import Actor
from services.planning import Insights, Planning
from services.suggestions import SuggestionCard, Suggestions
from services.topics import Topics
from services.workspaces import Workspaces, is_coordinator, organisations_of
from storage.models import ActionItem, Meeting, Organisation

TOPICS_SHOWN = 10
NEW_FOR = timedelta(days=14)


@dataclass(frozen=True)
class HomeView:
    """Everything on one person's home page."""

    upcoming: tuple[UpcomingMeeting, ...]
    topics: tuple[TopicCard, ...]
    follow_up: tuple[tuple[int, str, ActionItemView], ...]  # (meeting number, meeting title, item)
    coordinator: bool
    next_meeting_insights: Insights | None
    new_proposals: tuple[TopicCard, ...]
    # Coordinators only: suggested organisations waiting for a decision, and the roster's names
    # (to pick one to edit).
    suggestions: tuple[SuggestionCard, ...] = ()
    organisations: tuple[str, ...] = ()


class Home:
    """Builds home pages from the other services' views."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 meetings: Meetings, topics: Topics, planning: Planning,
                 suggestions: Suggestions | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._meetings = meetings
        self._topics = topics
        self._planning = planning
        self._suggestions = suggestions

    def view(self, actor: Actor) -> HomeView:
        """The home page for `actor`."""
        today = self._clock.now().date()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            coordinator = is_coordinator(session, workspace, actor.person)
            mine = [o.id for o in organisations_of(session, workspace, actor.person)]
            rows = session.execute(
                select(ActionItem, Organisation.name, Meeting.number, Meeting.title)
                .join(Organisation, Organisation.id == ActionItem.owner_organisation_id)
                .join(Meeting, Meeting.id == ActionItem.meeting_id)
                .where(ActionItem.owner_organisation_id.in_(mine), ActionItem.due_on >= today)
                .order_by(ActionItem.due_on)
            ).all() if mine else []
            waiting = (self._suggestions.open_in(session, workspace)
                       if coordinator and self._suggestions is not None else ())
            names = tuple(session.scalars(
                select(Organisation.name)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key))) if coordinator else ()
            follow_up = tuple(
                (number, title, ActionItemView(item.description, owner, item.due_on))
                for item, owner, number, title in rows
            )
        upcoming = tuple(self._meetings.upcoming(actor))
        topics = self._topics.open_topics(actor)
        insights = None
        new = ()
        if coordinator:
            if upcoming:
                insights = self._planning.insights(actor, upcoming[0].meeting.number)
            since = self._clock.now() - NEW_FOR
            new = tuple(sorted((t for t in topics if t.created_at >= since and t.state == "proposed"),
                               key=lambda t: -t.number))
        return HomeView(upcoming, tuple(topics[:TOPICS_SHOWN]), follow_up, coordinator, insights, new,
                        waiting, names)
