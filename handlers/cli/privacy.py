"""`bot.py person export|erase <person>` (coordinators) and `bot.py retention [--dry-run]`.

A person is `<platform>:<id>` (`slack:U012AB3CD`), a bare id on the bot's platform, or an e-mail
address (the e-mail platform's ids).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import IO

from services.container import Services
from services.people import Actor, PersonRef
from services.privacy import SECTIONS

EMAIL = "email"
PERSON_HELP = "platform:id (slack:U012AB3CD), an id, or an e-mail address"


def add_arguments(sub: argparse._SubParsersAction) -> list[argparse.ArgumentParser]:  # type: ignore[type-arg]
    """The `person` subcommands, which act as a coordinator (the caller adds --as, --team, ...), and
    `retention`, which serves every workspace."""
    person = sub.add_parser("person", help="a person's data: export it as JSON, or erase it")
    actions = person.add_subparsers(dest="person_command", required=True)
    export = actions.add_parser("export", help="everything the bot holds about a person, as JSON "
                                               "(to FILE or standard output)")
    export.add_argument("person", metavar="PERSON", help=PERSON_HELP)
    export.add_argument("file", type=Path, nargs="?")
    erase = actions.add_parser("erase", help="remove or make anonymous every record naming a person, "
                                             "keeping the organisations' counts")
    erase.add_argument("person", metavar="PERSON", help=PERSON_HELP)
    erase.add_argument("--yes", action="store_true", help="really erase (without it: say what would go)")
    retention = sub.add_parser("retention", help="remove per-person answers, attendance and messages older "
                                                 "than DIALOG_RETENTION (the bot also does this hourly)")
    retention.add_argument("--dry-run", action="store_true", help="only say what would go")
    retention.add_argument("--database-url", metavar="URL",
                           help="the database to use (default: DATABASE_URL)")
    return [export, erase]


def person_of(value: str, platform: str) -> PersonRef:
    """`slack:U1` → (slack, U1); `kari@example.org` → (email, …); `U1` → (`platform`, U1)."""
    value = value.strip()
    prefix, colon, rest = value.partition(":")
    if colon and prefix[:1].isalpha() and prefix.isalnum() and len(prefix) <= 16 and rest:
        return PersonRef(prefix.lower(), rest)
    if "@" in value:
        return PersonRef(EMAIL, value)
    return PersonRef(platform, value)


def person(args: argparse.Namespace, services: Services, actor: Actor, *, out: IO[str] = sys.stdout,
           err: IO[str] = sys.stderr) -> int:
    """`person export` or `person erase`; DomainErrors are the caller's to report."""
    whom = person_of(args.person, actor.person.platform)
    if args.person_command == "export":
        document = json.dumps(services.privacy.export(actor, whom), ensure_ascii=False, indent=2) + "\n"
        if args.file is None:
            out.write(document)
        else:
            args.file.write_text(document, encoding="utf-8")
            print(f"person: everything about {whom.platform}:{whom.user_id} written to {args.file}", file=out)
        return 0
    question = services.privacy.erasure_question(actor, whom)
    held = ", ".join(f"{name.replace('_', ' ')} {count}" for name, count in question.counts
                     if name in SECTIONS) or "only settings"
    if not args.yes:
        print(f"person: {whom.platform}:{whom.user_id} has {held}. Nothing erased: add --yes to erase.",
              file=err)
        return 1
    erased = services.privacy.erase(actor, question.token)
    print(f"person: erased; {erased.rows} records no longer name them", file=out)
    return 0


def retention(args: argparse.Namespace, services: Services, *, out: IO[str] = sys.stdout) -> int:
    """`retention [--dry-run]`: what goes (or would go), by kind."""
    report = services.privacy.retention(dry_run=args.dry_run)
    verb = "would be" if args.dry_run else "were"
    print(f"retention (older than {report.cutoff:%Y-%m-%d %H:%M} UTC): {report.answers} answers {verb} made "
          f"anonymous; {report.messages} messages and {report.comments} comments {verb} deleted", file=out)
    return 0
