"""CSV exports never run as spreadsheet formulas, and the roster import reads its own export back."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

import pytest

from handlers.cli.cells import read_cell, safe_cell
from handlers.cli.roster_csv import read_roster, write_roster
from handlers.cli.stats_csv import write_meetings, write_organisations
from services.enums import Tier
from services.roster import RosterRow
from services.stats import MeetingStats, OrganisationStats, Stats

FORMULAS = ['=HYPERLINK("https://evil.example","Click")', "+47 Foundation", "-2+3", "@SUM(A1:A9)",
            "\t=cmd|' /C calc'!A0", "\r=1+1"]
TRICKY = [*FORMULAS, "'=already quoted", "''+two quotes", "'s-Hertogenbosch Club", "Plain name", "Tom's = fine",
          "'", ""]


def _cells(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("value", FORMULAS)
def test_a_formula_cell_is_written_as_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", TRICKY)
def test_reading_undoes_exactly_what_writing_did(value: str) -> None:
    assert read_cell(str(safe_cell(value))) == value


def test_numbers_and_plain_text_are_left_alone() -> None:
    assert safe_cell(-3) == -3 and safe_cell(0.5) == 0.5
    assert safe_cell("Caritas") == "Caritas" and safe_cell("'s-Hertogenbosch") == "'s-Hertogenbosch"


def test_the_roster_export_guards_every_formula_and_reads_back_the_same() -> None:
    rows = [RosterRow(name, "core", ("U1AA",), ("religion",), "any", "", ("-housing", "=x"))
            for name in ('=HYPERLINK("https://evil.example","Click")', "+47 Foundation", "@home", "'=quoted",
                         "Plain, with comma")]
    buffer = io.StringIO()
    write_roster(rows, buffer)
    cells = _cells(buffer.getvalue())[1:]
    assert [line[0] for line in cells] == ["'=HYPERLINK(\"https://evil.example\",\"Click\")", "'+47 Foundation",
                                           "'@home", "''=quoted", "Plain, with comma"]
    assert all(line[6] == "'-housing;=x" for line in cells)
    assert not any(cell[:1] in ("=", "+", "-", "@", "\t", "\r") for line in cells for cell in line)
    buffer.seek(0)
    assert read_roster(buffer) == rows


def test_the_roster_import_cleans_names_as_every_other_edge_does() -> None:
    content = ("name,tier,contacts,keywords\n"
               "\"Red\u200b Cross\x00 \u202eOslo\",core,U1AA,\"hous\u200bing;\x00youth\"\n")
    [row] = read_roster(io.StringIO(content))
    assert (row.name, row.keywords) == ("Red Cross Oslo", ("housing", "youth"))


def test_the_stats_exports_guard_names_and_titles() -> None:
    stats = Stats(
        organisations=(OrganisationStats("=1+1", Tier.CORE, invited=2, answered=1, attended=1, held=1),),
        meetings=(MeetingStats(3, "@evil title", datetime(2026, 3, 2, 9, tzinfo=UTC), "regular",
                               ("religion",), ()),),
        proposals_by_side={}, median_answer_minutes={},
    )
    organisations, meetings = io.StringIO(), io.StringIO()
    write_organisations(stats, organisations)
    write_meetings(stats, meetings)
    assert _cells(organisations.getvalue())[1][:4] == ["'=1+1", "core", "civil_society", "2"]
    assert _cells(meetings.getvalue())[1][:2] == ["3", "'@evil title"]
