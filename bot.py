"""Dialogbot's entry point: settings → engine → services → Slack app → scheduler → serve."""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import logging
import secrets
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy import Engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from config import ConfigError, Secret, Settings, load_settings, read_environment, redact_url
from handlers.cli import commands as roster_cli
from handlers.slack import PLATFORM
from handlers.slack.app import build_app, make_client
from handlers.slack.context import SlackDeps
from handlers.slack.locale import Locales
from handlers.slack.notifier import SlackNotifier
from handlers.slack.server import create_web_app, make_server, stop_server
from sandbox import demo
from sandbox.fake_slack import FakeSlack
from sandbox.web import Site, create_sandbox_app
from sandbox.workspace import SandboxError, SandboxWorkspace
from scheduling.scheduler import SWEEP_JOB_ID, build_scheduler
from services.clock import Clock, SystemClock
from services.container import Services, build_services
from services.meetings import MeetingTimings
from services.people import Actor, WorkspaceRef
from storage.db import make_engine, make_session_factory
from storage.migrate import upgrade

log = logging.getLogger("dialogbot")

NO_CREDENTIALS = """\
Dialogbot needs a Slack app to talk to. Missing: {missing}

To connect a workspace:
  1. Go to https://api.slack.com/apps → Create New App → From a manifest, and paste manifest.json.
  2. Install it to your workspace, then copy the Bot User OAuth Token (xoxb-…) into SLACK_BOT_TOKEN.
  3. HTTP mode: copy Basic Information → Signing Secret into SLACK_SIGNING_SECRET, and point all
     three request URLs in the manifest (the slash command's url, interactivity's request_url and
     event_subscriptions' request_url) at https://<your-host>/slack/events.
     Socket Mode instead: create an app-level token with connections:write and set SLACK_APP_TOKEN.
  4. Put the channel ID for invitations in DIALOG_CHANNEL and invite the bot there.
Settings can go in a .env file next to bot.py; .env.example lists them all (see README.md).
To try Dialogbot without Slack first: `.venv/bin/python bot.py sandbox` (or `make run` with no
Slack settings, no DATABASE_URL and the default HOST) serves a local sandbox workspace."""

SANDBOX_BANNER = """\
Dialogbot runs a local sandbox workspace (no Slack credentials are set).

    Open {url} in a browser.

Everything in it is fictional demo data, kept in {database} and {state}.
To use a real Slack workspace instead, set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)
and DIALOG_CHANNEL (see README.md: "Connecting a Slack workspace").
"""

LOOPBACK = ("127.0.0.1", "localhost", "::1")
KEPT_HISTORY = 2000
"""Calls and similar records the sandbox's fake keeps for inspection (it runs for days)."""


@dataclass
class Runtime:
    """Everything a running bot holds, so it can be started and stopped as one."""

    settings: Settings
    engine: Engine
    services: Services
    scheduler: BackgroundScheduler
    web: Any
    bolt: Any
    team_id: str
    socket: Any = None
    locales: tuple[Any, ...] = ()

    def health(self) -> dict[str, Any]:
        """Ready when the database answers and the scheduler runs (and, in Socket Mode, say if connected)."""
        database = self.services.database_status()
        scheduler = self.scheduler.running and self.scheduler.get_job(SWEEP_JOB_ID) is not None
        status: dict[str, Any] = {
            "status": "ok" if database.ok and scheduler else "unavailable",
            "database": "ok" if database.ok else "failing",
            "scheduler": "running" if scheduler else "stopped",
            "mode": "socket" if self.settings.socket_mode else "http",
        }
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


def build(settings: Settings, *, clock: Clock | None = None) -> Runtime:
    """Wire the whole bot from its settings (migrating the database on the way)."""
    engine = make_engine(settings.database_url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    listener_client = make_client(settings.slack_bot_token, settings.slack_api_url, retries=True)
    sweep_client = make_client(settings.slack_bot_token, settings.slack_api_url, retries=False)
    identity = listener_client.auth_test()
    team_id = str(identity.get("team_id") or "")
    # One cache of readers' languages for listeners and the sweep alike. Look-ups go through the
    # client without retries: a rate-limited look-up falls back to the default language at once
    # (and is tried again a minute later) instead of sleeping on a listener or the sweep.
    locales = Locales(sweep_client, settings.language)
    services = build_services(
        sessions,
        clock or SystemClock(),
        # The sweep looks readers up with its own client: no retry sleeps on the sweep's thread.
        SlackNotifier(sweep_client, locales, settings.timezone, settings.public_url),
        platform=PLATFORM,
        channel_id=settings.dialog_channel,
        coordinators=settings.coordinators,
        default_language=settings.language,
        timings=timings_of(settings),
        office_hours=settings.office_hours,
    )
    services.start(WorkspaceRef(PLATFORM, team_id))
    deps = SlackDeps(services, locales, settings.dialog_channel, settings.timezone, team_id,
                     public_url=settings.public_url)
    bolt = build_app(deps, listener_client, signing_secret=settings.slack_signing_secret)
    scheduler = build_scheduler(services)
    runtime = Runtime(settings, engine, services, scheduler, None, bolt, team_id,
                      locales=(locales,))
    runtime.web = create_web_app(None if settings.socket_mode else bolt, runtime.health,
                                 services.calendars.ics, signing_secret=settings.slack_signing_secret)
    return runtime


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
    runtime.scheduler.start()
    socket_handler = runtime.socket
    server = make_server(runtime.web, settings.host, settings.port)
    stopping = threading.Event()

    def stop() -> None:
        if not stopping.is_set():
            stopping.set()
            stop_server(server)

    _on_signals(stop)
    port = server.effective_port
    mode = "Socket Mode" if settings.socket_mode else f"POST http://{settings.host}:{port}/slack/events"
    log.info("Dialogbot is up: %s; health at http://%s:%s/healthz", mode, settings.host,
             server.effective_port)
    try:
        server.run()
    finally:
        if socket_handler is not None:
            socket_handler.close()
        shut_down(runtime)


def shut_down(runtime: Runtime) -> None:
    """Stop the scheduler and background work, hand back claimed deliveries, close the database."""
    if runtime.scheduler.running:
        runtime.scheduler.shutdown(wait=True)
    if hasattr(runtime.bolt, "drain"):
        runtime.bolt.drain()
    for locales in runtime.locales:
        locales.close()
    runtime.services.deliveries.retire()
    runtime.engine.dispose()


def _on_signals(handler: Callable[[], None]) -> None:
    def stop(signum: int, _frame: Any) -> None:
        log.info("received signal %s; stopping", signum)
        handler()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)


SANDBOX_DATABASE_URL = "sqlite:///dialogbot-sandbox.sqlite3"
"""The sandbox's own database: its fictional workspace never shares a database (and so a
delivery sweep) with a real one."""


def sandbox_state_file(database_url: str) -> Path | None:
    """Where the sandbox keeps its messages: beside a SQLite database file, else in the working
    directory; None for an in-memory database (nothing else survives a restart either)."""
    try:
        url = make_url(database_url)
    except ArgumentError:
        return Path("dialogbot.workspace.json")
    if url.get_backend_name() != "sqlite":
        return Path("dialogbot.workspace.json")
    if not url.database or url.database == ":memory:" or url.database.startswith("file:"):
        return None
    database = Path(url.database)
    return database.with_name(database.stem + ".workspace.json")


class SandboxUnavailable(Exception):
    """The sandbox cannot start; the message says why and what to do."""


@dataclass
class Sandbox:
    """A running sandbox: the bot, the workspace people act in, and the one server for both."""

    runtime: Runtime
    workspace: SandboxWorkspace
    server: Any
    thread: threading.Thread
    url: str

    def stop(self) -> None:
        """Stop the bot's scheduled work while its Slack (this server) still answers, then stop
        serving, then save the workspace."""
        # A sweep cut off from the API mid-send would count its sends as failed attempts.
        if self.runtime.scheduler.running:
            self.runtime.scheduler.shutdown(wait=True)
        self.workspace.fake.release_waiters()
        stop_server(self.server)
        self.thread.join(timeout=15)
        shut_down(self.runtime)
        self.workspace.close()


_BESIDE_DATABASE = Path()


def _url_host(host: str) -> str:
    """The host part of a URL for reaching a server bound to `host` from this machine."""
    if host in ("", "0.0.0.0"):
        return "127.0.0.1"
    if host == "::":
        return "[::1]"
    return f"[{host}]" if ":" in host else host


def start_sandbox(settings: Settings, *, clock: Clock | None = None,
                  state_file: Path | None = _BESIDE_DATABASE) -> Sandbox:
    """Serve a local Slack-like workspace and the real bot wired to it, on settings.host:port,
    with settings.database_url.

    The bot is built exactly as in production: its client talks to the sandbox's Web API
    (SLACK_API_URL), and every click reaches it as a signed request at /slack/events. The
    workspace is kept in `state_file` (default: beside the database; None: not kept).
    """
    signing_secret = secrets.token_hex(16)
    fake = FakeSlack(team_id=demo.TEAM_ID, team_name=demo.TEAM_NAME,
                     bot_token="xoxb-sandbox-" + secrets.token_hex(12), keep_history=KEPT_HISTORY)
    workspace = SandboxWorkspace(fake, demo.PEOPLE, channel_id=demo.CHANNEL_ID,
                                 channel_name=demo.CHANNEL_NAME, signing_secret=signing_secret)
    site = Site(create_sandbox_app(workspace))
    try:
        server = make_server(site, settings.host, settings.port, threads=32)
    except OSError as error:
        raise SandboxUnavailable(f"cannot serve the sandbox on {settings.host}:{settings.port} "
                                 f"({error.strerror or error}); set PORT to a free port") from None
    url = f"http://{_url_host(settings.host)}:{server.effective_port}"
    fake.attach(url)
    thread = threading.Thread(target=server.run, name="sandbox-http", daemon=True)
    runtime: Runtime | None = None
    try:
        if state_file is _BESIDE_DATABASE:
            state_file = sandbox_state_file(settings.database_url)
        if state_file is not None:
            workspace.keep_in(state_file)
        else:
            workspace.populate()
        thread.start()
        sandbox_settings = dataclasses.replace(
            settings,
            slack_bot_token=Secret(fake.bot_token),
            slack_signing_secret=Secret(signing_secret),
            slack_app_token=Secret(""),
            slack_api_url=fake.api_url,
            dialog_channel=demo.CHANNEL_ID,
            coordinators=tuple(dict.fromkeys((*settings.coordinators, demo.COORDINATOR))),
            public_url=settings.public_url or url,
        )
        runtime = build(sandbox_settings, clock=clock)
        demo.seed(runtime.services, lambda user: Actor.of(PLATFORM, runtime.team_id, user))
    except BaseException:
        if runtime is not None:
            shut_down(runtime)
        fake.release_waiters()
        if thread.is_alive():
            stop_server(server)
            thread.join(timeout=15)
        else:
            server.close()
        workspace.close()
        raise
    site.bot = runtime.web
    workspace.connect(url)
    runtime.scheduler.start()
    return Sandbox(runtime, workspace, server, thread, url)


def run_sandbox(settings: Settings) -> int:
    """The sandbox, until SIGTERM or Ctrl-C."""
    try:
        sandbox = start_sandbox(settings)
    except SandboxUnavailable as error:
        print(f"dialogbot: {error}", file=sys.stderr)
        return 2
    except SandboxError as error:
        print(f"dialogbot: the sandbox cannot start: {error.message}", file=sys.stderr)
        return 2
    except (SlackClientError, OSError) as error:
        print(f"dialogbot: the sandbox could not reach its own Web API ({type(error).__name__}: {error})",
              file=sys.stderr)
        return 2
    stopping = threading.Event()
    _on_signals(stopping.set)
    state = sandbox.workspace.state_file or "memory"
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    print(SANDBOX_BANNER.format(url=sandbox.url, database=database, state=state), flush=True)
    log.info("Dialogbot sandbox is up at %s; health at %s/healthz", sandbox.url, sandbox.url)
    if settings.host not in LOOPBACK:
        log.warning("the sandbox has no sign-in: anyone who can reach %s:%s can act as anyone in it",
                    settings.host, settings.port)
    failed = False
    while not stopping.wait(1.0):
        if not sandbox.thread.is_alive():
            log.error("the sandbox's HTTP server stopped")
            failed = True
            break
    sandbox.stop()
    return 1 if failed else 0


class _OfflineNotifier:
    """The CLI plans deliveries as rows; the running bot's sweep sends them."""

    def send(self, *_: Any, **__: Any) -> Any:
        raise RuntimeError("the command line does not send messages")

    update = find_sent = send


def run_roster(args: argparse.Namespace, settings: Settings) -> int:
    """`bot.py roster import|export` and `bot.py stats export`, against the database in DATABASE_URL
    (or --database-url, e.g. the sandbox's)."""
    engine = make_engine(getattr(args, "database_url", None) or settings.database_url)
    upgrade(engine)
    services = build_services(
        make_session_factory(engine), SystemClock(), _OfflineNotifier(), platform=PLATFORM,
        channel_id=settings.dialog_channel, coordinators=settings.coordinators,
        default_language=settings.language, timings=timings_of(settings),
    )
    try:
        return roster_cli.run(args, services, platform=PLATFORM, coordinators=settings.coordinators,
                              language=settings.language)
    finally:
        engine.dispose()


def _reason(error: SQLAlchemyError) -> str:
    """The driver's first line says what failed; the URL (and any password in it) is not shown."""
    return (str(getattr(error, "orig", error)).strip().splitlines() or ["unknown error"])[0]


def _settings(environment: dict[str, str]) -> Settings:
    try:
        return load_settings(environment)
    except ConfigError as error:
        raise SystemExit(f"dialogbot: bad setting {error}") from None


def sandbox_by_default(settings: Settings, environment: dict[str, str]) -> bool:
    """A first `make run`: no Slack setting at all, no database chosen, a loopback address.

    A deployment that lost its secrets has a DATABASE_URL or a public HOST: it must stop with
    the credentials error, not come up as an open sandbox.
    """
    return (not settings.has_slack_settings() and not environment.get("DATABASE_URL", "").strip()
            and settings.host in LOOPBACK)


def main(argv: list[str] | None = None) -> int:
    """Run the bot (default) or one of its maintenance commands."""
    parser = argparse.ArgumentParser(prog="bot.py", description="Dialogbot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("migrate", help="bring the database schema up to date and exit")
    sandbox = sub.add_parser("sandbox", help="run the local sandbox workspace (its own database)")
    sandbox.add_argument("--database-url", default=SANDBOX_DATABASE_URL,
                         help=f"the sandbox's database (default {SANDBOX_DATABASE_URL})")
    roster_cli.add_arguments(sub)
    args = parser.parse_args(argv)
    # A fatal signal (SIGBUS from SQLite's mapped -shm when its file fails) still leaves a line
    # and a stack in the log instead of a silent death.
    faulthandler.enable()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)
    # "Adding job tentatively": jobs are added before the scheduler starts, by design.
    logging.getLogger("apscheduler.scheduler").setLevel(logging.WARNING)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # Waitress logs client disconnects at INFO with the request's decoded path, which a client
    # chooses: only its warnings are worth a line.
    logging.getLogger("waitress").setLevel(logging.WARNING)
    environment = read_environment()
    settings = _settings(environment)
    try:
        if args.command == "migrate":
            upgrade(make_engine(settings.database_url))
            print("dialogbot: database is up to date")
            return 0
        if args.command in ("roster", "stats"):
            return run_roster(args, settings)
    except SQLAlchemyError as error:
        print(f"dialogbot: cannot use the database in DATABASE_URL: {_reason(error)}", file=sys.stderr)
        return 2
    try:
        if args.command == "sandbox":
            return run_sandbox(dataclasses.replace(settings, database_url=args.database_url))
        if sandbox_by_default(settings, environment):
            return run_sandbox(dataclasses.replace(settings, database_url=SANDBOX_DATABASE_URL))
    except SQLAlchemyError as error:
        print(f"dialogbot: cannot use the database in DATABASE_URL: {_reason(error)}", file=sys.stderr)
        return 2
    if settings.missing_slack_credentials():
        # Everything still needed at once, the channel included, not one variable per attempt.
        print(NO_CREDENTIALS.format(missing=", ".join(settings.missing_to_connect())), file=sys.stderr)
        return 2
    if not settings.dialog_channel:
        print("dialogbot: bad setting DIALOG_CHANNEL: set the ID of the channel for announcements "
              "and invitations (like C012AB3CD)", file=sys.stderr)
        return 2
    try:
        runtime = build(settings)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "error"
        print(f"dialogbot: Slack refused SLACK_BOT_TOKEN ({code}); check the token and that the app "
              "is installed in the workspace", file=sys.stderr)
        return 2
    except (SlackClientError, OSError) as error:
        print(f"dialogbot: could not reach Slack at SLACK_API_URL={redact_url(settings.slack_api_url)} "
              f"({type(error).__name__})", file=sys.stderr)
        return 2
    except SQLAlchemyError as error:
        print(f"dialogbot: cannot use the database in DATABASE_URL: {_reason(error)}", file=sys.stderr)
        return 2
    try:
        connect_socket_mode(runtime)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "error"
        print(f"dialogbot: Slack refused SLACK_APP_TOKEN ({code}); check it is the app-level token "
              "(xapp-…) with connections:write and that Socket Mode is on", file=sys.stderr)
        runtime.engine.dispose()
        return 2
    except (SlackClientError, OSError) as error:
        print(f"dialogbot: could not reach Slack at SLACK_API_URL={redact_url(settings.slack_api_url)} "
              f"({type(error).__name__})", file=sys.stderr)
        runtime.engine.dispose()
        return 2
    serve(runtime)
    return 0


if __name__ == "__main__":
    sys.exit(main())
