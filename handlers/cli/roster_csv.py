"""The roster as CSV: one organisation a line, for bulk import and export through `bot.py`.

Columns: name, tier (core|topic|observer), contacts (separated by spaces or semicolons: Slack user
IDs, e-mail addresses, or `U012AB3CD=ola@example.org` for a Slack user with an address of their
own for what Slack cannot deliver), perspectives and keywords (separated by semicolons),
preferred_time (daytime|afternoon|any), language (en|nb or empty). Only name and tier are required.

Cells that a spreadsheet would run as a formula are exported with a leading quote, which the
import removes again (handlers/cli/cells.py says exactly when).
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from typing import IO

from handlers.cli.cells import read_cell, safe_cell
from services.errors import InvalidInput
from services.i18n import N_, text
from services.mailing import looks_like_address
from services.roster import ContactInput, ContactValue, RosterRow
from services.text import clean_line

COLUMNS = ("name", "tier", "contacts", "perspectives", "preferred_time", "language", "keywords")
REQUIRED = ("name", "tier")
_LIST = re.compile(r"[;\n]")
_PEOPLE = re.compile(r"[\s;,]+")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")
# A Slack user with their own address: `U012AB3CD=ola@example.org`.
_PAIR = re.compile(r"^([UW][A-Z0-9]{2,})=(.+)$")


def _contact(value: str, line: int) -> ContactValue:
    """One cell word: a user ID, a user ID with an address, or an address (checked by the services)."""
    pair = _PAIR.match(value)
    if pair is not None:
        return ContactInput(pair.group(1), pair.group(2))
    if _USER_ID.match(value) or looks_like_address(value):
        return value
    raise InvalidInput(
        text(N_("Line {line}: “{value}” is neither a Slack user ID (like U012AB3CD) nor an e-mail "
                "address."), line=line, value=value)
    )


def _written(contact: ContactValue) -> str:
    """A contact as the contacts column writes it (and `_contact` reads it back)."""
    if isinstance(contact, ContactInput):
        return f"{contact.person}={contact.address}" if contact.person and contact.address else (
            contact.person or contact.address)
    return contact


def _split(value: str, pattern: re.Pattern[str]) -> tuple[str, ...]:
    parts = (clean_line(part).strip() for part in pattern.split(value or ""))
    return tuple(part for part in parts if part)


def _value(raw: str | None) -> str:
    # The export's formula guard comes off first, then what people typed is cleaned as at every
    # other edge (no NUL, control, bidi or zero-width characters; NFC). Lists are split first:
    # their separator may be a newline, which cleaning would turn into a space.
    return read_cell((raw or "").strip()).strip()


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
        values = {(k or "").strip().casefold(): _value(v) for k, v in raw.items() if k}
        contacts = tuple(_contact(c, reader.line_num) for c in _split(values.get("contacts", ""), _PEOPLE))
        rows.append(
            RosterRow(
                name=clean_line(values.get("name", "")).strip(),
                tier=clean_line(values.get("tier", "")).strip(),
                contacts=contacts,
                perspectives=_split(values.get("perspectives", ""), _LIST),
                preferred_time=clean_line(values.get("preferred_time", "")).strip() or "any",
                language=clean_line(values.get("language", "")).strip(),
                keywords=_split(values.get("keywords", ""), _LIST),
            )
        )
    return rows


def write_roster(rows: Iterable[RosterRow], stream: IO[str]) -> None:
    """Write rows in the format `read_roster` reads back, safe to open in a spreadsheet."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in (
            row.name, row.tier, " ".join(_written(c) for c in row.contacts), ";".join(row.perspectives),
            row.preferred_time, row.language, ";".join(row.keywords))])
