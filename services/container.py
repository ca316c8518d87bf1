"""Builds the services from their dependencies: the one place the domain is wired together."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import time, timedelta

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from services.calendar import Calendars
from services.clock import Clock
from services.conversations import Conversations
from services.deliveries import Deliveries
from services.follow_up import FollowUp
from services.home import Home
from services.inbox import Inbox
from services.languages import Languages
from services.mailing import Mailing
from services.meeting_links import MeetingLinks, OnlineMeetings
from services.meetings import Meetings, MeetingTimings
from services.minutes import MinutesService
from services.outside import Outside
from services.people import Channels, WorkspaceRef
from services.planning import Planning
from services.ports import Notifier
from services.privacy import Privacy, PrivacySettings
from services.privacy.erase import PERSONAL_DATA
from services.roster import Roster
from services.stats import StatsService
from services.suggestions import Suggestions
from services.topic_moves import TopicMoves
from services.topics import Topics
from services.workspaces import Workspaces
from storage.db import DatabaseStatus, health_of
from storage.models import Coordinator, Workspace


@dataclass
class Services:
    """Every use case the platforms may call, sharing one clock and one database."""

    clock: Clock
    sessions: sessionmaker[Session]
    workspaces: Workspaces
    deliveries: Deliveries
    inbox: Inbox
    topics: Topics
    roster: Roster
    meetings: Meetings
    planning: Planning
    minutes: MinutesService
    follow_up: FollowUp
    home: Home
    calendars: Calendars
    stats: StatsService
    suggestions: Suggestions
    languages: Languages
    default_language: str
    privacy: Privacy
    mailing: Mailing
    # E-mail contacts on the bot's own pages (answers from a link, their page, unsubscribing).
    outside: Outside
    # Where the bot may write first on platforms that must be told (Teams' conversation references).
    conversations: Conversations
    # Teams online meetings for meetings without a link (None: coordinators paste links).
    meeting_links: MeetingLinks | None = None

    def start(self, workspace: WorkspaceRef) -> None:
        """Prepare `workspace` at start-up: create it and sync DIALOG_COORDINATORS."""
        with self.sessions.begin() as session:
            self.workspaces.sync_seeded_coordinators(session, workspace)

    def known_workspaces(self) -> list[WorkspaceRef]:
        """The workspaces this database serves."""
        with self.sessions() as session:
            return [WorkspaceRef(w.platform, w.external_id)
                    for w in session.scalars(select(Workspace).order_by(Workspace.id))]

    def coordinators_of(self, workspace: WorkspaceRef) -> list[str]:
        """The user ids of `workspace`'s coordinators, as stored (for the command line's default)."""
        with self.sessions() as session:
            return list(session.scalars(
                select(Coordinator.user_id)
                .join(Workspace, Workspace.id == Coordinator.workspace_id)
                .where(Workspace.platform == workspace.platform,
                       Workspace.external_id == workspace.external_id,
                       Coordinator.platform == workspace.platform)
                .order_by(Coordinator.id)))

    def database_status(self) -> DatabaseStatus:
        """The database as this process's own traffic last found it (the heartbeat writes every
        2 s): answering, or failing for how long and why."""
        engine = self.sessions.kw.get("bind")
        if not isinstance(engine, Engine):
            return DatabaseStatus(ok=True)
        return health_of(engine).status()

    def database_ok(self) -> bool:
        """Whether the database takes writes, as far as this process knows.

        Asked of the record, not of the database: a probe would queue behind SQLite's writers
        (or hang on a dead server) just when the answer matters.
        """
        return self.database_status().ok


def build_services(
    sessions: sessionmaker[Session],
    clock: Clock,
    notifier: Notifier,
    *,
    also: Sequence[Notifier] = (),
    platform: str,
    channel_id: str,
    channels: Mapping[str, str] | None = None,
    coordinators: tuple[str, ...],
    default_language: str,
    timings: MeetingTimings,
    office_hours: tuple[time, time] = (time(8, 0), time(16, 0)),
    minutes_review: timedelta | None = None,
    privacy: PrivacySettings | None = None,
    online_meetings: OnlineMeetings | None = None,
) -> Services:
    """Wire the services for one platform's workspace; `notifier` sends that platform's rows, and
    `also` the rows of the platforms its people are reached on besides (e-mail); `channels` the
    dialogue channels of other platforms' workspaces the process serves too."""
    workspaces = Workspaces(clock, coordinators)
    languages = Languages(sessions, clock, workspaces, default_language)
    mailing = Mailing(sessions, clock, workspaces)
    # Each message is written in its reader's language as it is sent, so a later choice counts;
    # not sent at all to someone who has since stopped e-mail; and sent to a chat contact's
    # address when chat refuses it for good.
    deliveries = Deliveries(sessions, clock, {platform: notifier, **{n.platform: n for n in also}},
                            language=languages.for_delivery, suppressed=mailing.suppressed,
                            fallback=mailing.fallback)
    # Each workspace's posts go to its own platform's dialogue channel (`channels` names the other
    # platforms' served by the same process), whichever service plans them.
    channel = Channels({**(channels or {}), platform: channel_id})
    # One owner of a topic's moves (agenda, backlog, discussed, declined), shared by the services
    # that cause them.
    moves = TopicMoves(clock, deliveries)
    topics = Topics(sessions, clock, workspaces, deliveries, channel, moves)
    planning = Planning(sessions, clock, workspaces, timings.timezone, office_hours, timings.invite_lead)
    meetings = Meetings(sessions, clock, workspaces, deliveries, timings, channel, moves, planning)
    roster = Roster(sessions, clock, workspaces, platform)
    roster.on_change(meetings.organisation_changed)
    suggestions = Suggestions(sessions, clock, workspaces, deliveries, roster, meetings)
    minutes = MinutesService(sessions, clock, workspaces, deliveries, moves, channel, timings.timezone,
                             review=minutes_review, language=default_language)
    # One's data export goes to them only, never to an address that may be an office's.
    mailing.private(PERSONAL_DATA)
    return Services(
        clock=clock,
        sessions=sessions,
        workspaces=workspaces,
        deliveries=deliveries,
        inbox=Inbox(sessions, clock, deliveries.worker_id),
        topics=topics,
        roster=roster,
        meetings=meetings,
        planning=planning,
        minutes=minutes,
        follow_up=FollowUp(sessions, clock, workspaces, deliveries),
        home=Home(sessions, clock, workspaces, meetings, topics, planning, suggestions),
        calendars=Calendars(sessions, clock, timings.timezone),
        stats=StatsService(sessions, clock, workspaces),
        suggestions=suggestions,
        languages=languages,
        default_language=default_language,
        privacy=Privacy(sessions, clock, workspaces, deliveries, roster, privacy),
        mailing=mailing,
        outside=Outside(sessions, clock, deliveries, meetings, topics, mailing, languages),
        conversations=Conversations(sessions, clock, workspaces),
        # Only this workspace's platform: the rows a link change plans are swept by its own engine.
        meeting_links=(MeetingLinks(sessions, clock, online_meetings, deliveries, platforms=(platform,))
                       if online_meetings is not None else None),
    )
