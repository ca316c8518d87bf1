"""Dialogbot's command line: parse the arguments, configure logging, dispatch.

The bot is wired in runtime.py; the sandbox starts from sandbox/launcher.py (imported only when
it runs, so a real bot never loads the fake Slack); `roster` and `stats` are handlers/cli.
"""

from __future__ import annotations

import argparse
import dataclasses
import faulthandler
import logging
import sys

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.exc import SQLAlchemyError

from config import ConfigError, Settings, load_settings, read_environment, redact_url
from handlers.cli import commands as roster_cli
from handlers.slack import PLATFORM
from runtime import build, connect_socket_mode, migrate, offline_services, serve
from sandbox import LOOPBACK, SANDBOX_DATABASE_URL

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
Microsoft Teams instead of (or beside) Slack: set TEAMS_APP_ID, TEAMS_APP_PASSWORD and
TEAMS_TENANT_ID (README.md, "Connecting Microsoft Teams").
Settings can go in a .env file next to bot.py; .env.example lists them all (see README.md).
To try Dialogbot without Slack first: `.venv/bin/python bot.py sandbox` (or `make run` with no
Slack settings, no DATABASE_URL and the default HOST) serves a local sandbox workspace."""


def database_failure(error: SQLAlchemyError) -> int:
    """Say the database cannot be used, with the driver's first line (never the URL, which may
    hold a password); returns the exit status."""
    reason = (str(getattr(error, "orig", error)).strip().splitlines() or ["unknown error"])[0]
    print(f"dialogbot: cannot use the database in DATABASE_URL: {reason}", file=sys.stderr)
    return 2


def unreachable(settings: Settings, error: Exception) -> int:
    """Say Slack could not be reached (the URL without credentials); returns the exit status."""
    print(f"dialogbot: could not reach Slack at SLACK_API_URL={redact_url(settings.slack_api_url)} "
          f"({type(error).__name__})", file=sys.stderr)
    return 2


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
    return (not settings.has_slack_settings() and not settings.has_teams()
            and not environment.get("DATABASE_URL", "").strip() and settings.host in LOOPBACK)


def run_sandbox(settings: Settings, database_url: str) -> int:
    """The sandbox on its own database, imported only now: a real bot never loads the fake Slack."""
    from sandbox.launcher import run_sandbox as launch

    return launch(dataclasses.replace(settings, database_url=database_url))


def run_maintenance(args: argparse.Namespace, settings: Settings) -> int:
    """`bot.py roster import|export` and `bot.py stats export`, against the database in DATABASE_URL
    (or --database-url, e.g. the sandbox's)."""
    database_url = getattr(args, "database_url", None) or settings.database_url
    with offline_services(settings, database_url, roster_cli.OfflineNotifier()) as services:
        return roster_cli.run(args, services, platform=PLATFORM, coordinators=settings.coordinators,
                              language=settings.language)


def run_bot(settings: Settings) -> int:
    """The bot against Slack, Teams or both until SIGTERM or Ctrl-C; returns the exit status."""
    if settings.has_teams() and not settings.has_slack_settings():
        return _serve_built(settings)
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
        return unreachable(settings, error)
    except SQLAlchemyError as error:
        return database_failure(error)
    try:
        connect_socket_mode(runtime)
    except SlackApiError as error:
        code = error.response.get("error") if error.response is not None else "error"
        print(f"dialogbot: Slack refused SLACK_APP_TOKEN ({code}); check it is the app-level token "
              "(xapp-…) with connections:write and that Socket Mode is on", file=sys.stderr)
        runtime.engine.dispose()
        return 2
    except (SlackClientError, OSError) as error:
        status = unreachable(settings, error)
        runtime.engine.dispose()
        return status
    serve(runtime)
    return 0


def _serve_built(settings: Settings) -> int:
    """Teams alone: nothing to reach before serving (the Connector answers as activities come)."""
    try:
        runtime = build(settings)
    except SQLAlchemyError as error:
        return database_failure(error)
    serve(runtime)
    return 0


def configure_logging() -> None:
    """One format for every line, and the chatty libraries kept to their warnings."""
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


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    """`run` (the default), `migrate`, `sandbox`, `roster …` and `stats …`."""
    parser = argparse.ArgumentParser(prog="bot.py", description="Dialogbot")
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("run", help="run the bot (the default)")
    sub.add_parser("migrate", help="bring the database schema up to date and exit")
    sandbox = sub.add_parser("sandbox", help="run the local sandbox workspace (its own database)")
    sandbox.add_argument("--database-url", default=SANDBOX_DATABASE_URL,
                         help=f"the sandbox's database (default {SANDBOX_DATABASE_URL})")
    roster_cli.add_arguments(sub)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run the bot (default) or one of its maintenance commands."""
    args = parse_arguments(argv)
    configure_logging()
    environment = read_environment()
    settings = _settings(environment)
    try:
        if args.command == "migrate":
            migrate(settings.database_url)
            print("dialogbot: database is up to date")
            return 0
        if args.command in ("roster", "stats", "minutes", "person", "retention"):
            return run_maintenance(args, settings)
        if args.command == "sandbox":
            return run_sandbox(settings, args.database_url)
        if sandbox_by_default(settings, environment):
            return run_sandbox(settings, SANDBOX_DATABASE_URL)
    except SQLAlchemyError as error:
        return database_failure(error)
    return run_bot(settings)


if __name__ == "__main__":
    sys.exit(main())
