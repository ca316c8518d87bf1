"""`bot.py stats export [FILE]`: the statistics as CSV, one organisation (or meeting, or side) a line.

Names and titles are people's text: each cell goes through `safe_cell`, so none runs as a
spreadsheet formula (see handlers/cli/cells.py)."""

from __future__ import annotations

import csv
from typing import IO

from handlers.cli.cells import safe_cell
from services.stats import Stats

ORGANISATION_COLUMNS = ("organisation", "tier", "side", "invited", "answered", "answer_rate", "meetings_held",
                        "attended", "attendance_rate")
MEETING_COLUMNS = ("meeting", "title", "starts_at", "kind", "perspectives_invited", "perspectives_present")
PROPOSAL_COLUMNS = ("side", "proposals")


def write_organisations(stats: Stats, stream: IO[str]) -> None:
    """Participation per organisation."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(ORGANISATION_COLUMNS)
    for o in stats.organisations:
        writer.writerow([safe_cell(cell) for cell in (
            o.name, o.tier.value, o.side.value, o.invited, o.answered, f"{o.answer_rate:.2f}", o.held,
            o.attended, f"{o.attendance_rate:.2f}")])


def write_meetings(stats: Stats, stream: IO[str]) -> None:
    """Perspectives invited and present per held meeting."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(MEETING_COLUMNS)
    for m in stats.meetings:
        writer.writerow([safe_cell(cell) for cell in (
            m.number, m.title, m.starts_at.isoformat(), m.kind, ";".join(m.perspectives_invited),
            ";".join(m.perspectives_present))])


def write_proposals(stats: Stats, stream: IO[str]) -> None:
    """Topic proposals per side: the city, civil society, public agencies."""
    writer = csv.writer(stream, lineterminator="\n")
    writer.writerow(PROPOSAL_COLUMNS)
    for side, count in stats.proposals_by_side.items():
        writer.writerow([side.value, count])
