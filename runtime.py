"""Dialogbot's composition root: settings → engine → services → platforms → scheduler → serve.

Everything that wires the bot together lives here, so bot.py (the command line), the sandbox's
launcher and the test harness build the same bot the same way.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from microsoft_agents.activity import ConversationReference
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from config import Settings
from handlers.email.links import Links, email_link_key
from handlers.email.notifier import EmailNotifier, SmtpSettings
from handlers.email.pages import register as register_pages
from handlers.email.render import EmailContext
from handlers.slack import PLATFORM
from handlers.slack.app import build_app, make_client
from handlers.slack.context import SlackDeps
from handlers.slack.downloads import Downloads, link_key
from handlers.slack.notifier import SlackNotifier
from handlers.slack.server import create_web_app, make_server, stop_server
from handlers.teams import PLATFORM as TEAMS
from handlers.teams.auth import Gate
from handlers.teams.bot import TeamsBot
from handlers.teams.connector import Connector
from handlers.teams.context import TeamsDeps
from handlers.teams.graph import GraphMeetings
from handlers.teams.notifier import TeamsNotifier
from handlers.teams.render import render_message
from handlers.teams.render.common import Card
from handlers.teams.server import MESSAGES_PATH
from handlers.teams.server import register as register_teams
from scheduling.scheduler import SWEEP_JOB_ID, build_scheduler
from services.calendar import Calendars
from services.clock import Clock, SystemClock
from services.container import Services, build_services
from services.conversations import DIALOGUE
from services.i18n import translator
from services.meetings import MeetingTimings
from services.messages import OutgoingMessage
from services.people import Destination, DestinationKind, WorkspaceRef
from services.ports import Notifier
from services.privacy import PrivacySettings
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

log = logging.getLogger("dialogbot")


@dataclass
class TeamsSide:
    """The Teams tenant a process serves: its own services (the Teams workspace) and scheduler,
    sharing the database and the web server with the Slack side when both run."""

    services: Services
    scheduler: BackgroundScheduler
    bot: TeamsBot
    tenant_id: str
    anonymous: bool

    def health(self) -> dict[str, Any]:
        """The Teams side's state: its sweep, how activities are checked, whether `setup` was done."""
        running = self.scheduler.running and self.scheduler.get_job(SWEEP_JOB_ID) is not None
        workspace = WorkspaceRef(TEAMS, self.tenant_id)
        channel = self.services.conversations.reference(
            Destination(TEAMS, DestinationKind.CHANNEL, DIALOGUE, workspace=workspace))
        return {"scheduler": "running" if running else "stopped",
                "auth": "anonymous" if self.anonymous else "token",
                "dialogue_channel": "set" if channel else "not set (write @Dialogbot setup in it)",
                "endpoint": MESSAGES_PATH}


@dataclass
class Runtime:
    """Everything a running bot holds, so it can be started and stopped as one.

    `services` and `scheduler` are the first platform's: Slack's when it is configured, else
    Teams'. `teams` is the Teams side when a tenant is configured (the same services and scheduler
    when Teams runs alone)."""

    settings: Settings
    engine: Engine
    services: Services
    scheduler: BackgroundScheduler
    web: Any
    bolt: Any
    team_id: str
    socket: Any = None
    teams: TeamsSide | None = None

    @property
    def schedulers(self) -> list[BackgroundScheduler]:
        """Every scheduler to start and stop: one per platform's workspace."""
        extra = [self.teams.scheduler] if self.teams and self.teams.scheduler is not self.scheduler else []
        return [self.scheduler, *extra]

    @property
    def all_services(self) -> list[Services]:
        """Every platform's services (one per workspace served)."""
        extra = [self.teams.services] if self.teams and self.teams.services is not self.services else []
        return [self.services, *extra]

    def health(self) -> dict[str, Any]:
        """Ready when the database answers and the scheduler runs (and, in Socket Mode, say if connected)."""
        database = self.services.database_status()
        scheduler = all(s.running and s.get_job(SWEEP_JOB_ID) is not None for s in self.schedulers)
        status: dict[str, Any] = {
            "status": "ok" if database.ok and scheduler else "unavailable",
            "database": "ok" if database.ok else "failing",
            "scheduler": "running" if scheduler else "stopped",
            "mode": "socket" if self.settings.socket_mode else "http",
        }
        status["slack"] = "on" if self.bolt is not None else "off"
        if self.teams is not None:
            status["teams"] = self.teams.health()
        if not database.ok:
            # The driver's one line (never the URL): what an operator needs to act.
            status["database_error"] = database.reason
            status["database_failing_for_s"] = round(database.failing_for)
        if self.settings.socket_mode:
            # Reported, not gating readiness: a Slack outage must not get healthy bots restarted.
            connected = self.socket is not None and self.socket.client.is_connected()
            status["socket"] = "connected" if connected else "disconnected"
        return status


def timings_of(settings: Settings) -> MeetingTimings:
    """The settings that decide when meeting messages go out."""
    return MeetingTimings(
        invite_lead=settings.invite_lead,
        reminders=settings.reminders,
        nudge_after=settings.nudge_after,
        urgent_notice=settings.urgent_notice,
        urgent_reminders=settings.urgent_reminders,
        timezone=settings.timezone,
    )


def privacy_of(settings: Settings) -> PrivacySettings:
    """The settings that decide what the privacy notice says and how long personal data is kept, and
    the key erasure confirmations are signed with (derived from the app's secrets, as the minutes'
    links are; a salt of its own keeps the two apart)."""
    return PrivacySettings(retention=settings.retention, controller=settings.controller,
                           privacy_contact=settings.privacy_contact,
                           signing_key=link_key(settings.slack_signing_secret, settings.slack_bot_token,
                                                settings.slack_app_token))


def email_links(settings: Settings, clock: Clock) -> Links:
    """The signer of e-mails' links (answers, pages, unsubscribing): DIALOG_LINK_SECRET's keys (the
    first signs), and a key derived from the app's secrets (which a rotation of any of them
    changes), signing only when no DIALOG_LINK_SECRET is set."""
    derived = email_link_key(settings.slack_signing_secret, settings.slack_bot_token,
                             settings.slack_app_token, settings.smtp_password, settings.teams_app_password)
    # The derived key is still read after DIALOG_LINK_SECRET is first set: the links already sent
    # (unsubscribing above all) keep working.
    return Links([*settings.link_secrets, derived], settings.public_url,
                 clock=lambda: clock.now().timestamp())


def email_notifier(settings: Settings, sessions: sessionmaker[Session], clock: Clock,
                   links: Links) -> EmailNotifier | None:
    """The e-mail notifier when SMTP_HOST is set (else e-mail contacts wait for it)."""
    if not settings.has_email():
        return None
    calendars = Calendars(sessions, clock, settings.timezone)
    context = EmailContext(links=links, zone=settings.timezone, default_language=settings.language,
                           calendar=calendars.for_attendee, sender=settings.email_from,
                           public_url=settings.public_url, clock=clock.now)
    smtp = SmtpSettings(settings.smtp_host, settings.smtp_port, settings.smtp_security,
                        settings.smtp_username, settings.smtp_password, settings.email_from)
    return EmailNotifier(smtp, context)


def check_email(settings: Settings, services: Services) -> None:
    """Say clearly at start-up what keeps e-mail contacts from being written to."""
    contacts = services.roster.email_contacts()
    if not contacts:
        return
    if not settings.has_email():
        log.error("%d e-mail contacts are on the roster, but SMTP_HOST is not set: nothing is sent "
                  "to them until it is (see .env.example)", contacts)
    secrets = (*settings.link_secrets, settings.slack_signing_secret, settings.slack_bot_token,
               settings.slack_app_token, settings.smtp_password, settings.teams_app_password)
    if settings.has_email() and not any(secrets):
        log.error("%d e-mail contacts are on the roster, but no key signs their e-mails' links: set "
                  "DIALOG_LINK_SECRET (at least 32 characters; see .env.example)", contacts)
    if not settings.public_url:
        log.error("%d e-mail contacts are on the roster, but DIALOG_PUBLIC_URL is not set: their "
                  "e-mails need it for the answer links and their page; set it to the address "
                  "this bot is reached at from the internet", contacts)


def online_meetings(settings: Settings) -> GraphMeetings | None:
    """Teams online meetings through Microsoft Graph, when GRAPH_* is set (else links are pasted)."""
    return GraphMeetings(settings.graph) if settings.graph is not None else None


def teams_notifier(settings: Settings, connector: Connector,
                   services: Callable[[], Services]) -> TeamsNotifier:
    """The Teams notifier: cards rendered in each reader's language, sent where the conversation
    references stored for the destination say (`services` is asked late: it is built after)."""
    def references(destination: Destination) -> ConversationReference | None:
        stored = services().conversations.reference(destination)
        return ConversationReference.model_validate_json(stored) if stored else None

    def render(message: OutgoingMessage, destination: Destination) -> Card:
        t = translator(destination.language or settings.language)
        personal = destination.kind is DestinationKind.PERSON
        return render_message(t, message, settings.timezone, personal=personal,
                              public_url=settings.public_url)

    return TeamsNotifier(connector, references, render)


def build_teams(settings: Settings, sessions: sessionmaker[Session], clock: Clock,
                mail: EmailNotifier | None) -> TeamsSide:
    """The Teams side: its services over the shared database, its notifier, bot and scheduler."""
    connector = Connector(app_id=settings.teams_app_id, password=settings.teams_app_password,
                          tenant_id=settings.teams_tenant_id, anonymous=settings.teams_anonymous)
    holder: list[Services] = []
    services = build_services(
        sessions, clock, teams_notifier(settings, connector, lambda: holder[0]),
        also=[mail] if mail else [],
        platform=TEAMS,
        # The dialogue channel is whichever channel a coordinator set up (`@Dialogbot setup`).
        channel_id=DIALOGUE,
        # A Slack workspace served beside it posts in its own channel, whichever service plans it.
        channels={PLATFORM: settings.dialog_channel} if settings.has_slack_settings() else None,
        coordinators=settings.teams_coordinators,
        default_language=settings.language,
        timings=timings_of(settings),
        office_hours=settings.office_hours,
        minutes_review=settings.minutes_review,
        privacy=privacy_of(settings),
        online_meetings=online_meetings(settings),
    )
    holder.append(services)
    services.start(WorkspaceRef(TEAMS, settings.teams_tenant_id))
    check_email(settings, services)
    deps = TeamsDeps(services, settings.teams_tenant_id, settings.timezone, connector,
                     public_url=settings.public_url)
    return TeamsSide(services, build_scheduler(services), TeamsBot(deps), settings.teams_tenant_id,
                     settings.teams_anonymous)


def build(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Wire the whole bot from its settings (migrating the database on the way): Slack, Teams, or
    both, with e-mail beside them."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    clock = clock or SystemClock()
    links = email_links(settings, clock)
    mail = email_notifier(settings, sessions, clock, links)
    teams = build_teams(settings, sessions, clock, mail) if settings.has_teams() else None
    if not settings.has_slack_settings() and teams is not None:
        return _teams_only(settings, engine, teams, links)
    listener_client = make_client(settings.slack_bot_token, settings.slack_api_url, retries=True)
    sweep_client = make_client(settings.slack_bot_token, settings.slack_api_url, retries=False)
    identity = listener_client.auth_test()
    team_id = str(identity.get("team_id") or "")
    services = build_services(
        sessions,
        clock,
        # The sweep posts with its own client: no retry sleeps on the sweep's thread.
        SlackNotifier(sweep_client, settings.language, settings.timezone, settings.public_url),
        also=[mail] if mail else [],
        platform=PLATFORM,
        channel_id=settings.dialog_channel,
        channels={TEAMS: DIALOGUE} if teams is not None else None,
        coordinators=settings.coordinators,
        default_language=settings.language,
        timings=timings_of(settings),
        office_hours=settings.office_hours,
        minutes_review=settings.minutes_review,
        privacy=privacy_of(settings),
        online_meetings=online_meetings(settings),
    )
    services.start(WorkspaceRef(PLATFORM, team_id))
    check_email(settings, services)
    downloads = Downloads(services, link_key(settings.slack_signing_secret, settings.slack_bot_token,
                                             settings.slack_app_token),
                          settings.public_url, clock=lambda: services.clock.now().timestamp())
    deps = SlackDeps(services, settings.dialog_channel, settings.timezone, team_id,
                     public_url=settings.public_url, downloads=downloads)
    bolt = build_app(deps, listener_client, signing_secret=settings.slack_signing_secret)
    scheduler = build_scheduler(services)
    runtime = Runtime(settings, engine, services, scheduler, None, bolt, team_id, teams=teams)
    runtime.web = create_web_app(None if settings.socket_mode else bolt, runtime.health,
                                 services.calendars.ics, signing_secret=settings.slack_signing_secret,
                                 files=downloads.serve, personal_data=services.privacy.download)
    _register_shared(runtime, links)
    return runtime


def _teams_only(settings: Settings, engine: Engine, teams: TeamsSide, links: Links) -> Runtime:
    """A bot serving a Teams tenant without Slack."""
    services = teams.services
    runtime = Runtime(settings, engine, services, teams.scheduler, None, None, "", teams=teams)
    runtime.web = create_web_app(None, runtime.health, services.calendars.ics,
                                 personal_data=services.privacy.download)
    _register_shared(runtime, links)
    return runtime


def _register_shared(runtime: Runtime, links: Links) -> None:
    """The routes every configuration has besides its platforms': e-mail contacts' pages
    (answers from a link, their own page, unsubscribing) under /p/, and Teams' endpoint."""
    settings, services = runtime.settings, runtime.services
    register_pages(runtime.web, services, links, zone=settings.timezone,
                   clock=lambda: services.clock.now().timestamp())
    if runtime.teams is not None:
        register_teams(runtime.web, runtime.teams.bot,
                       Gate(app_id=settings.teams_app_id, tenant_id=settings.teams_tenant_id,
                            anonymous=settings.teams_anonymous))


def migrate(database_url: str) -> None:
    """Bring the database schema up to date."""
    upgrade(make_engine(database_url))


@contextmanager
def offline_services(settings: Settings, database_url: str, notifier: Notifier) -> Iterator[Services]:
    """The services over `database_url` (migrated first) for command-line work, without a platform:
    `notifier` stands in for one, and the running bot's sweep sends what the work plans."""
    engine = make_engine(database_url)
    upgrade(engine)
    services = build_services(
        make_session_factory(engine), SystemClock(), notifier, platform=PLATFORM,
        channel_id=settings.dialog_channel, coordinators=settings.coordinators,
        default_language=settings.language, timings=timings_of(settings), privacy=privacy_of(settings),
    )
    try:
        yield services
    finally:
        engine.dispose()


def connect_socket_mode(runtime: Runtime) -> None:
    """Open the Socket Mode connection when an app-level token is configured."""
    if not runtime.settings.socket_mode:
        return
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    handler = SocketModeHandler(runtime.bolt, runtime.settings.slack_app_token)
    handler.connect()
    runtime.socket = handler


def serve(runtime: Runtime) -> None:
    """Start the scheduler and the HTTP server; stop on SIGTERM/SIGINT."""
    settings = runtime.settings
    for scheduler in runtime.schedulers:
        scheduler.start()
    socket_handler = runtime.socket
    server = make_server(runtime.web, settings.host, settings.port, trusted_proxy=settings.trusted_proxy)
    stopping = threading.Event()

    def stop() -> None:
        if not stopping.is_set():
            stopping.set()
            stop_server(server)

    on_signals(stop)
    port = server.effective_port
    modes = []
    if runtime.bolt is not None:
        modes.append("Socket Mode (Slack)" if settings.socket_mode
                     else f"Slack: POST http://{settings.host}:{port}/slack/events")
    if runtime.teams is not None:
        modes.append(f"Teams: POST http://{settings.host}:{port}{MESSAGES_PATH}")
    log.info("Dialogbot is up: %s; health at http://%s:%s/healthz", "; ".join(modes), settings.host, port)
    try:
        server.run()
    finally:
        if socket_handler is not None:
            socket_handler.close()
        shut_down(runtime)


def shut_down(runtime: Runtime) -> None:
    """Stop the scheduler and background work, hand back claimed deliveries, close the database."""
    for scheduler in runtime.schedulers:
        if scheduler.running:
            scheduler.shutdown(wait=True)
    if hasattr(runtime.bolt, "drain"):
        runtime.bolt.drain()
    for services in runtime.all_services:
        services.deliveries.retire()
    runtime.engine.dispose()


def on_signals(handler: Callable[[], None]) -> None:
    """Call `handler` on SIGTERM and SIGINT (after logging which arrived)."""
    def stop(signum: int, _frame: Any) -> None:
        log.info("received signal %s; stopping", signum)
        handler()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
