"""A person's home page with the bot: what is coming, what can be supported, what they follow up;
and for coordinators, how the next meeting looks and what is new."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.action_items import points_for
from services.clock import Clock
from services.meetings import Meetings, UpcomingMeeting
from services.messages import ActionItemView, TopicCard
from services.people import Actor
from services.planning import Insights, Planning
from services.reachability import Undelivered, undelivered
from services.suggestions import Decision, SuggestionCard, Suggestions
from services.topics import Topics
from services.workspaces import Workspaces, is_coordinator, organisations_of
from storage.models import Organisation, Tier

TOPICS_SHOWN = 10
NEW_FOR = timedelta(days=14)
UNDELIVERED_FOR = timedelta(days=30)


@dataclass(frozen=True)
class HomeView:
    """Everything on one person's home page."""

    upcoming: tuple[UpcomingMeeting, ...]
    topics: tuple[TopicCard, ...]
    # Points still to do that the person's organisations own (coordinators: the city's too), with
    # their status: (meeting number, meeting title, point).
    follow_up: tuple[tuple[int, str, ActionItemView], ...]
    coordinator: bool
    next_meeting_insights: Insights | None
    new_proposals: tuple[TopicCard, ...]
    # Coordinators only: suggested organisations waiting for a decision, and the roster's names
    # (to pick one to edit).
    suggestions: tuple[SuggestionCard, ...] = ()
    organisations: tuple[str, ...] = ()
    # Coordinators only: contacts the bot could not write to lately (an address a mail server
    # refused, a closed chat account), with the reason, so someone can mend the roster.
    undelivered: tuple[Undelivered, ...] = ()


@dataclass(frozen=True)
class DecidedOnHome:
    """A coordinator's decision on a suggestion taken on their home page, and the page as it is now
    (the suggestion gone from it), for the platform to show in answer to the click."""

    decision: Decision
    home: HomeView


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
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            coordinator = is_coordinator(session, workspace, actor.person)
            mine = [o.id for o in organisations_of(session, workspace, actor.person)]
            follow_up = tuple(points_for(session, workspace.id, mine, city=coordinator))
            waiting = (self._suggestions.open_in(session, workspace)
                       if coordinator and self._suggestions is not None else ())
            since = self._clock.now() - UNDELIVERED_FOR
            failed = undelivered(session, workspace, since) if coordinator else ()
            names = tuple(session.scalars(
                select(Organisation.name)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key))) if coordinator else ()
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
                        suggestions=waiting, organisations=names, undelivered=failed)

    def accept_suggestion(self, actor: Actor, suggestion_id: int, tier: Tier = Tier.TOPIC) -> DecidedOnHome:
        """Accept a suggestion from the home page (see `Suggestions.accept`); the page follows."""
        decision = self._decider().accept(actor, suggestion_id, tier)
        return DecidedOnHome(decision, self.view(actor))

    def dismiss_suggestion(self, actor: Actor, suggestion_id: int) -> DecidedOnHome:
        """Dismiss a suggestion from the home page (see `Suggestions.dismiss`); the page follows."""
        decision = self._decider().dismiss(actor, suggestion_id)
        return DecidedOnHome(decision, self.view(actor))

    def _decider(self) -> Suggestions:
        if self._suggestions is None:
            raise RuntimeError("the home page was built without suggestions")
        return self._suggestions
