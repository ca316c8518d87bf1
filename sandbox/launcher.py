"""Start the sandbox: the fake Slack and its workspace, the page, and the real bot wired to them,
all on one loopback port (`bot.py sandbox`, or `make run` on a first try)."""

from __future__ import annotations

import dataclasses
import logging
import secrets
import sys
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from slack_sdk.errors import SlackClientError
from sqlalchemy import make_url
from sqlalchemy.exc import ArgumentError

from config import Secret, Settings
from fakes.slack import FakeSlack
from handlers.slack import PLATFORM
from handlers.slack.server import make_server, stop_server
from handlers.teams import PLATFORM as TEAMS
from runtime import Runtime, build, on_signals, shut_down
from sandbox import LOOPBACK, demo
from sandbox.mailbox import Mailbox, MailServer
from sandbox.teams import TeamsSandbox, settings_overrides
from sandbox.web import Site, create_sandbox_app
from sandbox.workspace import SandboxError, SandboxWorkspace
from services.clock import Clock
from services.people import Actor

log = logging.getLogger("dialogbot")

SANDBOX_BANNER = """\
Dialogbot runs a local sandbox workspace (no Slack credentials are set).

    Open {url} in a browser.

Everything in it is fictional demo data, kept in {database} and {state}.
The bot's e-mails go to the page's Mailbox (a local SMTP server on {smtp}); none leaves this computer.
The page's Teams tab shows the same bot serving a Microsoft Teams tenant (a fake Bot Connector on {teams}).
To use a real Slack workspace instead, set SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN)
and DIALOG_CHANNEL (see README.md: "Connecting a Slack workspace").
"""

KEPT_HISTORY = 2000
"""Calls and similar records the sandbox's fake keeps for inspection (it runs for days)."""


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
    mail: MailServer
    teams: TeamsSandbox

    @property
    def mailbox(self) -> Mailbox:
        """The e-mails the bot has sent, caught by the sandbox's own SMTP server."""
        return self.mail.mailbox

    def stop(self) -> None:
        """Stop the bot's scheduled work while its Slack (this server) and its mail server still
        answer, then stop serving, then save the workspace."""
        # A sweep cut off from the API mid-send would count its sends as failed attempts.
        for scheduler in self.runtime.schedulers:
            if scheduler.running:
                scheduler.shutdown(wait=True)
        self.workspace.fake.release_waiters()
        self.mailbox.release_waiters()
        self.teams.release_waiters()
        stop_server(self.server)
        self.thread.join(timeout=15)
        shut_down(self.runtime)
        self.mail.stop()
        self.teams.stop()
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
    mail = MailServer(Mailbox())
    teams = TeamsSandbox()
    site = Site(create_sandbox_app(workspace, mail.mailbox, teams))
    try:
        server = make_server(site, settings.host, settings.port, threads=32)
    except OSError as error:
        raise SandboxUnavailable(f"cannot serve the sandbox on {settings.host}:{settings.port} "
                                 f"({error.strerror or error}); set PORT to a free port") from None
    try:
        mail.start()
    except OSError as error:
        server.close()
        raise SandboxUnavailable(f"cannot start the sandbox's mail server on loopback "
                                 f"({error.strerror or error})") from None
    try:
        teams.start()
    except OSError as error:
        server.close()
        mail.stop()
        raise SandboxUnavailable(f"cannot start the sandbox's fake Teams Connector on loopback "
                                 f"({error.strerror or error})") from None
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
            language=demo.LANGUAGE,
            coordinators=tuple(dict.fromkeys((*settings.coordinators, demo.COORDINATOR))),
            public_url=settings.public_url or url,
            # E-mail always goes to the Mailbox, even where SMTP settings are set: the demo's
            # addresses are made up, and a newcomer's first run must not write to anyone.
            smtp_host=mail.host,
            smtp_port=mail.port,
            smtp_security="none",
            smtp_username="",
            smtp_password=Secret(""),
            email_from=demo.EMAIL_FROM,
            # The Teams tab: the same bot serving a fake tenant beside the Slack workspace.
            **settings_overrides(settings.teams_coordinators),
        )
        runtime = build(sandbox_settings, clock=clock)
        demo.seed(runtime.services, lambda user: Actor.of(PLATFORM, runtime.team_id, user))
        site.bot = runtime.web
        side = runtime.teams
        if side is not None:
            # Through the bot's real /api/messages: the Connector's address changes at each start.
            teams.connect(url)
            teams.seed(side.services, lambda user: Actor.of(TEAMS, side.tenant_id, user))
    except BaseException:
        if runtime is not None:
            shut_down(runtime)
        fake.release_waiters()
        mail.mailbox.release_waiters()
        teams.release_waiters()
        if thread.is_alive():
            stop_server(server)
            thread.join(timeout=15)
        else:
            server.close()
        mail.stop()
        teams.stop()
        workspace.close()
        raise
    workspace.connect(url)
    for scheduler in runtime.schedulers:
        scheduler.start()
    return Sandbox(runtime, workspace, server, thread, url, mail, teams)


def run_sandbox(settings: Settings) -> int:
    """The sandbox, until SIGTERM or Ctrl-C; returns the exit status."""
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
    on_signals(stopping.set)
    state = sandbox.workspace.state_file or "memory"
    database = make_url(settings.database_url).render_as_string(hide_password=True)
    print(SANDBOX_BANNER.format(url=sandbox.url, database=database, state=state,
                                smtp=f"{sandbox.mail.host}:{sandbox.mail.port}",
                                teams=sandbox.teams.connector.url), flush=True)
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
