"""Bulk roster work from the shell: `bot.py roster import|export`, idempotent, all or nothing."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

from handlers.cli.roster_csv import read_roster, write_roster
from services.errors import InvalidInput
from services.roster import ContactInput, RosterRow

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "examples" / "roster.csv"


def _bot(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIALOG_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, DIALOG_COORDINATORS="UCOORD01")
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=60)


def test_the_sample_file_parses() -> None:
    with SAMPLE.open(newline="") as stream:
        rows = read_roster(stream)
    assert len(rows) == 6
    # An e-mail-only organisation, and a chat contact with an address of their own.
    assert "volunteers@stolav.example.org" in rows[4].contacts
    assert rows[1] == RosterRow("Fjordvik Faith Council", "core", ("U0EXAMPLE2", "U0EXAMPLE3"), ("religion",),
                                "daytime", "", ("interfaith", "integration"))


def test_export_reads_back_the_same() -> None:
    rows = [RosterRow("A, with comma", "core", ("U1AA", "U2BB"), ("religion",), "any", "nb", ("x y", "z"))]
    buffer = io.StringIO()
    write_roster(rows, buffer)
    buffer.seek(0)
    assert read_roster(buffer) == rows


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("organisation,kind\nX,core\n", "header"),
        ("name,tier,contacts\nX,core,@kari\n", "Line 2"),
    ],
)
def test_bad_files_are_refused_with_a_reason(content: str, expected: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        read_roster(io.StringIO(content))
    rendered = refused.value.message.msgid.format(**{k: v for k, v in refused.value.message.params.items()})
    assert expected in rendered or expected.lower() in rendered.lower()


def test_import_twice_then_export(tmp_path: Path, database_url: str) -> None:
    first = _bot(tmp_path, database_url, "roster", "import", str(SAMPLE), "--team", "T0DIALOG")
    assert first.returncode == 0, first.stderr
    assert "6 created, 0 updated, 0 unchanged" in first.stdout
    again = _bot(tmp_path, database_url, "roster", "import", str(SAMPLE))  # the only workspace now
    assert "0 created, 0 updated, 6 unchanged" in again.stdout
    exported = _bot(tmp_path, database_url, "roster", "export")
    assert exported.returncode == 0
    with SAMPLE.open(newline="") as stream:
        sample = read_roster(stream)
    tier_order = {"core": 0, "topic": 1, "observer": 2}
    expected = [
        RosterRow(r.name, r.tier, r.contacts, tuple(sorted(r.perspectives)), r.preferred_time, r.language,
                  tuple(sorted(r.keywords)))
        for r in sorted(sample, key=lambda r: (tier_order[r.tier], r.name.casefold()))
    ]
    assert read_roster(io.StringIO(exported.stdout)) == expected


def test_a_bad_line_writes_nothing_and_names_the_line(tmp_path: Path, database_url: str) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("name,tier,perspectives\nGood Org,core,religion\nBad Org,core,ethnicity\n")
    result = _bot(tmp_path, database_url, "roster", "import", str(bad), "--team", "T0DIALOG")
    assert result.returncode == 1
    assert "Line 3" in result.stderr and "ethnicity" in result.stderr
    exported = _bot(tmp_path, database_url, "roster", "export", "--team", "T0DIALOG")
    assert exported.stdout.strip().splitlines() == ["name,tier,contacts,perspectives,preferred_time,language,keywords"]


def test_only_coordinators_import(tmp_path: Path, database_url: str) -> None:
    result = _bot(tmp_path, database_url, "roster", "import", str(SAMPLE), "--team", "T0DIALOG", "--as", "U0EXAMPLE1")
    assert result.returncode == 1 and "Only coordinators" in result.stderr


def test_stats_export_as_csv(tmp_path: Path, database_url: str) -> None:
    assert _bot(tmp_path, database_url, "roster", "import", str(SAMPLE), "--team", "T0DIALOG").returncode == 0
    exported = _bot(tmp_path, database_url, "stats", "export")
    assert exported.returncode == 0, exported.stderr
    lines = exported.stdout.strip().splitlines()
    assert lines[0] == "organisation,tier,side,invited,answered,answer_rate,meetings_held,attended,attendance_rate"
    assert len(lines) == 7 and lines[1].endswith(",0,0,0.00,0,0,0.00")
    meetings = _bot(tmp_path, database_url, "stats", "export", "--meetings")
    assert meetings.stdout.strip() == "meeting,title,starts_at,kind,perspectives_invited,perspectives_present"
    proposals = _bot(tmp_path, database_url, "stats", "export", "--proposals")
    assert proposals.stdout.strip().splitlines() == ["side,proposals", "city,0", "civil_society,0", "agency,0"]
    refused = _bot(tmp_path, database_url, "stats", "export", "--as", "U0EXAMPLE1")
    assert refused.returncode == 1 and "Only coordinators" in refused.stderr


def test_addresses_in_the_contacts_column_read_and_write_back() -> None:
    content = ("name,tier,contacts\n"
               "Bydelsmødrene,core,ola@example.org\n"
               "Caritas,core,U0KARI01=Kari@Example.org;U0PER001 post@caritas.example.org\n")
    rows = read_roster(io.StringIO(content))
    assert rows[0].contacts == ("ola@example.org",)
    # Read as typed: the services check and normalise the address.
    assert rows[1].contacts == (ContactInput("U0KARI01", "Kari@Example.org"), "U0PER001", "post@caritas.example.org")
    buffer = io.StringIO()
    write_roster(rows, buffer)
    assert "U0KARI01=Kari@Example.org U0PER001 post@caritas.example.org" in buffer.getvalue()
    buffer.seek(0)
    assert read_roster(buffer) == rows


def test_a_file_with_a_bad_address_writes_nothing_and_names_it(tmp_path: Path, database_url: str) -> None:
    good = tmp_path / "good.csv"
    good.write_text("name,tier,contacts\nBydelsmødrene,core,Ola@Example.org\nCaritas,topic,U0KARI01=kari@example.org\n",
                    encoding="utf-8")
    assert _bot(tmp_path, database_url, "roster", "import", str(good), "--team", "T0DIALOG").returncode == 0
    exported = _bot(tmp_path, database_url, "roster", "export")
    rows = read_roster(io.StringIO(exported.stdout))
    assert [r.contacts for r in rows] == [("ola@example.org",), (ContactInput("U0KARI01", "kari@example.org"),)]
    assert _bot(tmp_path, database_url, "roster", "import", str(good)).stdout.strip().endswith(
        "0 created, 0 updated, 2 unchanged")

    bad = tmp_path / "bad.csv"
    bad.write_text("name,tier,contacts\nNew Org,core,ok@example.org\nCaritas,topic,U0KARI01=kari@example\n",
                   encoding="utf-8")
    result = _bot(tmp_path, database_url, "roster", "import", str(bad))
    assert result.returncode == 1
    assert "Line 3" in result.stderr and "“kari@example” is not an e-mail address" in result.stderr
    assert "New Org" not in _bot(tmp_path, database_url, "roster", "export").stdout
    word = tmp_path / "word.csv"
    word.write_text("name,tier,contacts\nNew Org,core,Kari\n", encoding="utf-8")
    refused = _bot(tmp_path, database_url, "roster", "import", str(word))
    assert refused.returncode == 1 and "“Kari” is neither a Slack user ID" in refused.stderr
