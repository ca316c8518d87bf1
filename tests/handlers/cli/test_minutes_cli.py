"""`bot.py minutes export`: the minutes for the case archive from the shell, coordinators only."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import docx
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import build_services
from tests.conftest import CHANNEL, COORDINATOR, TEAM, TIMINGS
from tests.exports.test_minutes_export import record_minutes
from tests.support.notifier import RecordingNotifier

ROOT = Path(__file__).resolve().parents[3]


def _bot(tmp_path: Path, database_url: str, *args: str) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DIALOG_", "DATABASE_URL"))}
    env.update(DATABASE_URL=database_url, DIALOG_COORDINATORS=COORDINATOR, DIALOG_LANGUAGE="nb")
    return subprocess.run([sys.executable, str(ROOT / "bot.py"), *args], cwd=tmp_path, env=env,
                          capture_output=True, timeout=120)


def _held(sessions: sessionmaker[Session], clock: ManualClock) -> int:
    services = build_services(sessions, clock, RecordingNotifier(), platform="slack", channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="nb", timings=TIMINGS)
    return record_minutes(services, clock)


def test_export_as_pdf_and_docx(tmp_path: Path, database_url: str, sessions: sessionmaker[Session],
                                clock: ManualClock) -> None:
    number = _held(sessions, clock)
    pdf = _bot(tmp_path, database_url, "minutes", "export", str(number), "--output", "arkiv.pdf", "--team", TEAM)
    assert pdf.returncode == 0, pdf.stderr.decode()
    assert "arkiv.pdf" in pdf.stdout.decode()
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(tmp_path / "arkiv.pdf").pages).split())
    assert "Referat: Bolig og fellesskap på Grønland" in text and "Oppfølgingspunkter" in text
    assert "Finne lokaler på Tøyen" in text

    # DOCX, named for the archive by default.
    word = _bot(tmp_path, database_url, "minutes", "export", str(number), "--format", "docx", "--team", TEAM)
    assert word.returncode == 0, word.stderr.decode()
    [written] = list(tmp_path.glob("referat-*.docx"))
    document = docx.Document(io.BytesIO(written.read_bytes()))
    assert document.core_properties.title == "Referat: Bolig og fellesskap på Grønland"
    assert any(p.text == "Vi ble enige om å åpne to varmestuer på Grønland før jul." for p in document.paragraphs)

    # To standard output, for a pipe into the archive system.
    piped = _bot(tmp_path, database_url, "minutes", "export", str(number), "--output", "-", "--team", TEAM)
    assert piped.returncode == 0 and piped.stdout.startswith(b"%PDF-")


def test_only_coordinators_and_only_minutes_that_exist(tmp_path: Path, database_url: str,
                                                      sessions: sessionmaker[Session], clock: ManualClock) -> None:
    number = _held(sessions, clock)
    refused = _bot(tmp_path, database_url, "minutes", "export", str(number), "--as", "UBYMISJON", "--team", TEAM)
    assert refused.returncode == 1
    assert "koordinator" in refused.stderr.decode().lower()
    missing = _bot(tmp_path, database_url, "minutes", "export", "99", "--team", TEAM)
    assert missing.returncode == 1
    assert "Møte 99 har ikke noe referat ennå." in missing.stderr.decode()
    assert list(tmp_path.glob("*.pdf")) == []
