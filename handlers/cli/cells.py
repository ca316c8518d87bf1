"""Spreadsheet-safe CSV cells: what the bot exports never runs as a formula where it is opened.

A cell that starts with `=`, `+`, `-` or `@` (or a tab or carriage return, which some
spreadsheets skip before looking) is read by Excel, LibreOffice and Google Sheets as a formula:
`=HYPERLINK("https://evil.example", "Click")` in an organisation's name or a meeting's title
would become a live link or worse. As OWASP recommends, such a cell is written with a single
quote in front, which spreadsheets show as text and hide.

Reading back (`bot.py roster import` of an exported file) removes that quote exactly where the
export added it, so export then import gives back the same names. The rule is one the export
keeps for every value: a quote is added to a value that starts with a trigger character, and
also to one that starts with quotes followed by a trigger; so on reading, one leading quote is
removed when quotes and then a trigger follow, and never otherwise. A hand-written `'=x` in a file
is therefore read as `=x`, as a spreadsheet would show it; `'s-Hertogenbosch Club` is untouched.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r"
_NEEDS_QUOTE = re.compile(rf"^'*[{re.escape(TRIGGERS)}]")
_QUOTED = re.compile(rf"^'+[{re.escape(TRIGGERS)}]")


def safe_cell(value: object) -> object:
    """A value to write to CSV: text that a spreadsheet would run as a formula gets a leading quote
    (numbers are left alone: they are the bot's own and a negative one is no formula)."""
    if isinstance(value, str) and _NEEDS_QUOTE.match(value):
        return "'" + value
    return value


def read_cell(value: str) -> str:
    """A cell as it was before `safe_cell`: the one quote the export added is removed."""
    return value[1:] if _QUOTED.match(value) else value
