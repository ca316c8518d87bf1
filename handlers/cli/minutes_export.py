"""`bot.py minutes export <meeting-no> [--format pdf|docx] [--output FILE]`: a meeting's minutes
for the case archive, as PDF/A or DOCX, in the workspace's language (coordinators)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import IO

from exports.fonts import FontMissing
from exports.minutes_content import file_name
from exports.minutes_docx import minutes_docx
from exports.minutes_pdf import minutes_pdf
from services.container import Services
from services.people import Actor


def add_arguments(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:  # type: ignore[type-arg]
    """The `minutes export` subcommand; returns its parser (the caller adds --as, --team, ...)."""
    minutes = sub.add_parser("minutes", help="export a meeting's minutes for the case archive")
    actions = minutes.add_subparsers(dest="minutes_command", required=True)
    export = actions.add_parser("export", help="write the minutes as PDF/A (default) or DOCX")
    export.add_argument("number", type=int, metavar="MEETING_NO")
    export.add_argument("--format", choices=("pdf", "docx"), default="pdf")
    export.add_argument("--output", metavar="FILE",
                        help="where to write (default: minutes-<no>-<date>.<format> here; - for "
                             "standard output)")
    return export


def export(args: argparse.Namespace, services: Services, actor: Actor, *, out: IO[str] = sys.stdout,
           err: IO[str] = sys.stderr) -> int:
    """Write the minutes; DomainErrors are the caller's to report. Returns the exit status."""
    archived = services.minutes.archive(actor, args.number)
    try:
        content = minutes_pdf(archived) if args.format == "pdf" else minutes_docx(archived)
    except FontMissing as missing:
        print(f"dialogbot: {missing}", file=err)
        return 1
    if args.output == "-":
        sys.stdout.buffer.write(content)
        sys.stdout.buffer.flush()
        return 0
    target = Path(args.output) if args.output else Path(file_name(archived, args.format))
    target.write_bytes(content)
    print(f"minutes: meeting {args.number} written to {target} ({len(content)} bytes)", file=out)
    return 0
