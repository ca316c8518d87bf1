"""Command-line work through the services: `bot.py roster import FILE`, `bot.py roster export
[FILE]` and `bot.py stats export [FILE] [--meetings | --proposals]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO, Any

from handlers.cli import minutes_export
from handlers.cli import privacy as privacy_cli
from handlers.cli.roster_csv import read_roster, write_roster
from handlers.cli.stats_csv import write_meetings, write_organisations, write_proposals
from services.container import Services
from services.errors import DomainError
from services.i18n import translator
from services.people import Actor, PersonRef, WorkspaceRef


class OfflineNotifier:
    """The command line plans deliveries as rows; the running bot's sweep sends them."""

    def send(self, *_: Any, **__: Any) -> Any:
        """Refuse: the command line does not send messages."""
        raise RuntimeError("the command line does not send messages")

    update = find_sent = send


def add_arguments(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    """The `roster` and `stats` subcommands."""
    roster = sub.add_parser("roster", help="import or export the roster as CSV (see examples/roster.csv)")
    actions = roster.add_subparsers(dest="roster_command", required=True)
    importing = actions.add_parser("import", help="create or update organisations from a CSV file")
    importing.add_argument("file", type=Path)
    exporting = actions.add_parser("export", help="write the roster as CSV (to FILE or standard output)")
    exporting.add_argument("file", type=Path, nargs="?")
    stats = sub.add_parser("stats", help="export statistics as CSV")
    stats_actions = stats.add_subparsers(dest="stats_command", required=True)
    stats_export = stats_actions.add_parser(
        "export", help="per organisation (or, with --meetings, per held meeting; with --proposals, per "
                       "side), to FILE or standard output")
    stats_export.add_argument("file", type=Path, nargs="?")
    tables = stats_export.add_mutually_exclusive_group()
    tables.add_argument("--meetings", action="store_true", help="one line per held meeting instead")
    tables.add_argument("--proposals", action="store_true",
                        help="topic proposals per side instead: city, civil_society, agency")
    minutes = minutes_export.add_arguments(sub)
    people = privacy_cli.add_arguments(sub)
    for parser in (importing, exporting, stats_export, minutes, *people):
        parser.add_argument("--as", dest="as_user", metavar="USER_ID",
                            help="the coordinator doing this (default: the first of DIALOG_COORDINATORS, "
                                 "else the workspace's only coordinator in the database)")
        parser.add_argument("--team", metavar="TEAM_ID",
                            help="the Slack workspace (default: the only one in the database)")
        parser.add_argument("--database-url", metavar="URL",
                            help="the database to use (default: DATABASE_URL); the sandbox's is "
                                 "sqlite:///dialogbot-sandbox.sqlite3")


def run(args: argparse.Namespace, services: Services, *, platform: str, coordinators: tuple[str, ...],
        language: str, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr) -> int:
    """Carry out a `roster` or `stats` subcommand; returns the exit status."""
    t = translator(language)
    if args.command == "retention":
        return privacy_cli.retention(args, services, out=out)
    team = args.team or _only_team(services, platform)
    if not team:
        print("dialogbot: say which workspace with --team TEAM_ID (the database holds none or several; "
              "the bot creates its workspace when it first starts, and the sandbox's database is "
              "--database-url sqlite:///dialogbot-sandbox.sqlite3)", file=err)
        return 2
    user = args.as_user or (coordinators[0] if coordinators else "")
    if not user:
        # With no DIALOG_COORDINATORS (the sandbox, say), a workspace with one coordinator has an
        # obvious choice.
        stored = services.coordinators_of(WorkspaceRef(platform, team))
        user = stored[0] if len(stored) == 1 else ""
    if not user:
        print("dialogbot: name the coordinator doing this with --as USER_ID (or set DIALOG_COORDINATORS)",
              file=err)
        return 2
    actor = Actor(WorkspaceRef(platform, team), PersonRef(platform, user))
    try:
        if args.command == "minutes":
            return minutes_export.export(args, services, actor, out=out, err=err)
        if args.command == "person":
            return privacy_cli.person(args, services, actor, out=out, err=err)
        if args.command == "stats":
            computed = services.stats.compute(actor)
            write = (write_meetings if args.meetings else write_proposals if args.proposals
                     else write_organisations)
            if args.file is None:
                write(computed, out)
            else:
                with args.file.open("w", encoding="utf-8", newline="") as stream:
                    write(computed, stream)
                print(f"stats: written to {args.file}", file=out)
            return 0
        if args.roster_command == "import":
            if not args.file.is_file():
                print(f"dialogbot: no such file: {args.file}", file=err)
                return 2
            with args.file.open(encoding="utf-8-sig", newline="") as stream:
                rows = read_roster(stream)
            report = services.roster.import_rows(actor, rows)
            print(f"roster: {len(report.created)} created, {len(report.updated)} updated, "
                  f"{len(report.unchanged)} unchanged", file=out)
            return 0
        rows = services.roster.export_rows(actor)
        if args.file is None:
            write_roster(rows, out)
        else:
            with args.file.open("w", encoding="utf-8", newline="") as stream:
                write_roster(rows, stream)
            print(f"roster: {len(rows)} organisations written to {args.file}", file=out)
        return 0
    except DomainError as error:
        print(f"dialogbot: {t.render(error.message)}", file=err)
        return 1


def _only_team(services: Services, platform: str) -> str:
    teams = [w.external_id for w in services.known_workspaces() if w.platform == platform]
    return teams[0] if len(teams) == 1 else ""
