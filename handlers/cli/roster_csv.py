"""The roster as CSV: one organisation a line, for bulk import and export through `bot.py`.

Columns: name, tier (core|topic|observer), contacts (Slack user IDs separated by spaces or
semicolons), perspectives and keywords (separated by semicolons), preferred_time
(daytime|afternoon|any), language (en|nb or empty). Only name and tier are required.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

from services.errors import InvalidInput
from services.i18n import N_, text
from services.roster import RosterRow

COLUMNS = ("name", "tier", "contacts", "perspectives", "preferred_time", "language", "keywords")
REQUIRED = ("name", "tier")
_LIST = re.compile(r"[;\n]")
_PEOPLE = re.compile(r"[\s;,]+")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


def _split(value: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    return tuple(part.strip() for part in pattern.split(value or "") if part.strip())


def read_roster(stream: IO[str]) -> list[RosterRow]:
    """Parse roster CSV; raise InvalidInput naming the line and column at fault."""
    reader = csv.DictReader(stream)
    header = [h.strip().casefold() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        raise InvalidInput(
            text(N_("The CSV header must name the columns {columns} (name and tier are required)."),
                 columns=", ".join(COLUMNS))
        )
    rows = []
    for raw in reader:
        values = {(k or "").strip().casefold(): (v or "").strip() for k, v in raw.items() if k}
        contacts = _split(values.get("contacts", ""), _PEOPLE)
        for contact in contacts:
            if not _USER_ID.match(contact):
                raise InvalidInput(
                    text(N_("Line {line}: “{value}” is not a Slack user ID (like U012AB3CD)."),
                         line=reader.line_num, value=contact)
                )
        rows.append(
            RosterRow(
                name=values.get("name", ""),
                tier=values.get("tier", ""),
                contacts=contacts,
                perspectives=_split(values.get("perspectives", ""), _LIST),
                preferred_time=values.get("preferred_time", "") or "any",
                language=values.get("language", ""),
                keywords=_split(values.get("keywords", ""), _LIST),
            )
        )
    return rows


def write_roster(rows: Iterable[RosterRow], stream: IO[str]) -> None:
    """Write rows in the format `read_roster` reads back."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow(
            [row.name, row.tier, " ".join(row.contacts), ";".join(row.perspectives),
             row.preferred_time, row.language, ";".join(row.keywords)]
        )
