"""Builds the services from their dependencies: the one place the domain is wired together."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy import select
from sqlalchemy import text as sql
from sqlalchemy.orm import Session, sessionmaker

from services.calendar import Calendars
from services.clock import Clock
from services.deliveries import Deliveries
from services.home import Home
from services.meetings import Meetings, MeetingTimings
from services.minutes import MinutesService
from services.people import Destination, WorkspaceRef
from services.planning import Planning
from services.ports import Notifier
from services.roster import Roster
from services.stats import StatsService
from services.topics import Topics
from services.workspaces import Workspaces
from storage.models import Workspace


@dataclass
class Services:
    """Every use case the platforms may call, sharing one clock and one database."""

    clock: Clock
    sessions: sessionmaker[Session]
    workspaces: Workspaces
    deliveries: Deliveries
    topics: Topics
    roster: Roster
    meetings: Meetings
    planning: Planning
    minutes: MinutesService
    home: Home
    calendars: Calendars
    stats: StatsService
    default_language: str

    def start(self, workspace: WorkspaceRef) -> None:
        """Prepare `workspace` at start-up: create it and sync DIALOG_COORDINATORS."""
        with self.sessions.begin() as session:
            self.workspaces.sync_seeded_coordinators(session, workspace)

    def known_workspaces(self) -> list[WorkspaceRef]:
        """The workspaces this database serves."""
        with self.sessions() as session:
            return [WorkspaceRef(w.platform, w.external_id)
                    for w in session.scalars(select(Workspace).order_by(Workspace.id))]

    def database_ok(self) -> bool:
        """Whether the database answers."""
        try:
            with self.sessions() as session:
                session.execute(sql("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - a health check reports, it does not raise
            return False


def build_services(
    sessions: sessionmaker[Session],
    clock: Clock,
    notifier: Notifier,
    *,
    platform: str,
    channel_id: str,
    coordinators: tuple[str, ...],
    default_language: str,
    timings: MeetingTimings,
    office_hours: tuple[time, time] = (time(8, 0), time(16, 0)),
) -> Services:
    """Wire the services for one platform's workspace."""
    workspaces = Workspaces(clock, coordinators)
    deliveries = Deliveries(sessions, clock, notifier)
    channel = Destination.channel(platform, channel_id) if channel_id else None
    topics = Topics(sessions, clock, workspaces, deliveries, channel)
    meetings = Meetings(sessions, clock, workspaces, deliveries, timings, channel)
    roster = Roster(sessions, clock, workspaces, platform)
    roster.on_change(meetings.organisation_changed)
    planning = Planning(sessions, clock, workspaces, timings.timezone, office_hours)
    return Services(
        clock=clock,
        sessions=sessions,
        workspaces=workspaces,
        deliveries=deliveries,
        topics=topics,
        roster=roster,
        meetings=meetings,
        planning=planning,
        minutes=MinutesService(sessions, clock, workspaces, deliveries, meetings, channel, timings.timezone),
        home=Home(sessions, clock, workspaces, meetings, topics, planning),
        calendars=Calendars(sessions, clock, timings.timezone),
        stats=StatsService(sessions, clock, workspaces),
        default_language=default_language,
    )
