"""The minutes for the case archive: PDF/A and DOCX, opened again by a parser and read back, in
the workspace's language, with Norwegian letters intact."""

from __future__ import annotations

import io
from datetime import timedelta

import docx
import pytest
from pypdf import PdfReader
from sqlalchemy.orm import Session, sessionmaker

from exports.minutes_content import file_name
from exports.minutes_docx import minutes_docx
from exports.minutes_pdf import minutes_pdf
from services.clock import ManualClock
from services.container import Services, build_services
from services.errors import NotAllowed
from services.messages import Talk
from services.minutes import THE_CITY, ActionItemInput
from services.minutes_archive import ArchivedMinutes
from storage.models import Answer, FollowUpStatus, Tier
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

SUMMARY = "Vi ble enige om å åpne to varmestuer på Grønland før jul.\n\nBydelen følger opp lokalene."


def record_minutes(services: Services, clock: ManualClock) -> int:
    """A held meeting with Norwegian minutes: talks, agenda, follow-up points of every owner."""
    boss = coordinator()
    services.roster.add(boss, "Kirkens Bymisjon", Tier.CORE, ["UBYMISJON"])
    services.roster.add(boss, "Søndre Nordstrand frivilligsentral", Tier.CORE, ["USONDRE1", "USONDRE2"])
    services.roster.add(boss, "Bydel Gamle Oslo", Tier.OBSERVER, ["UBYDEL"])
    services.topics.propose(person("UBYMISJON"), "Varme rom i vinter")
    card = services.meetings.schedule(boss, title="Bolig og fellesskap på Grønland",
                                      starts_at=clock.now() + timedelta(days=1), topic_numbers=[1],
                                      organisations=["Bydel Gamle Oslo"], chair="Byrådsleder Åse Ødegård").meeting
    services.meetings.set_agenda(boss, card.number, topic_numbers=[1], talks=[
        Talk("Kari Ærø", "Kirkens Bymisjon", "Bolignød blant eldre", 10)])
    services.meetings.rsvp(person("UBYMISJON"), card.number, Answer.YES)
    clock.set(card.starts_at + timedelta(hours=2))
    due = clock.now().date() + timedelta(days=14)
    services.minutes.record(boss, card.number, summary=SUMMARY, decisions="Åpne to rom til; søke midler.",
                            attendees=[person("UBYMISJON").person, person("USONDRE1").person,
                                       person("USONDRE2").person, person("UBYDEL").person],
                            discussed=[1], action_items=[
                                ActionItemInput("Skaffe frivillige til nattevakter", "Kirkens Bymisjon", due),
                                ActionItemInput("Finne lokaler på Tøyen", THE_CITY, due),
                                ActionItemInput("Kartlegge behov", "Bydel Gamle Oslo", due)])
    services.follow_up.set_status(person("UBYMISJON"), card.number, 1, FollowUpStatus.IN_PROGRESS)
    return card.number


@pytest.fixture
def norwegian(sessions: sessionmaker[Session], clock: ManualClock) -> Services:
    """Services for a Norwegian workspace (DIALOG_LANGUAGE=nb)."""
    return build_services(sessions, clock, RecordingNotifier(), platform="slack", channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="nb", timings=TIMINGS)


@pytest.fixture
def archived(norwegian: Services, clock: ManualClock) -> ArchivedMinutes:
    return norwegian.minutes.archive(coordinator(), record_minutes(norwegian, clock))


EXPECTED = [
    "Referat: Bolig og fellesskap på Grønland", "Byrådsleder Åse Ødegård",
    "Kirkens Bymisjon: 1 person til stede", "Søndre Nordstrand frivilligsentral: 2 personer til stede",
    "Bydel Gamle Oslo: 1 person til stede", "Varme rom i vinter", "Kari Ærø, Kirkens Bymisjon: Bolignød blant eldre",
    "Vi ble enige om å åpne to varmestuer på Grønland før jul.", "Åpne to rom til; søke midler.",
    "Oppfølgingspunkter", "Skaffe frivillige til nattevakter", "pågår", "Finne lokaler på Tøyen", "kommunen",
    "Bydel Gamle Oslo (offentlig etat)", "åpen", "Deltakere etter organisasjon", "Observatører",
]


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_the_pdf_is_pdf_a_and_reads_back_in_norwegian(archived: ArchivedMinutes) -> None:
    content = minutes_pdf(archived)
    reader = PdfReader(io.BytesIO(content))
    text = _flat("\n".join(page.extract_text() for page in reader.pages))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    # PDF/A-2u: declared in the XMP metadata, every font embedded, the language set.
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>2</pdfaid:part>" in raw and "<pdfaid:conformance>U</pdfaid:conformance>" in raw
    assert reader.trailer["/Root"]["/Lang"] == "nb-NO"
    fonts = {font.get_object()["/BaseFont"] for page in reader.pages
             for font in page["/Resources"]["/Font"].values()}
    assert fonts and all("DejaVu" in name for name in fonts)
    assert "/OutputIntents" in reader.trailer["/Root"]
    assert "Referat: Bolig og fellesskap på Grønland" in raw, "the title in the XMP metadata"


def test_the_docx_reads_back_in_norwegian(archived: ArchivedMinutes) -> None:
    document = docx.Document(io.BytesIO(minutes_docx(archived)))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    text = _flat("\n".join([p.text for p in document.paragraphs] + cells))
    for expected in EXPECTED:
        assert _flat(expected) in text, expected
    assert document.core_properties.language == "nb-NO"
    assert document.core_properties.title == "Referat: Bolig og fellesskap på Grønland"
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Oppfølgingspunkter" in headings and "Sammendrag" in headings
    [points] = [t for t in document.tables if t.rows[0].cells[0].text == "Nr."]
    assert [c.text for c in points.rows[2].cells][1:] == ["Finne lokaler på Tøyen", "kommunen",
                                                          points.rows[2].cells[3].text, "åpen"]


def test_english_workspaces_get_english_minutes(sessions: sessionmaker[Session], clock: ManualClock) -> None:
    services = build_services(sessions, clock, RecordingNotifier(), platform="slack", channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS)
    archived = services.minutes.archive(coordinator(), record_minutes(services, clock))
    text = _flat("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(minutes_pdf(archived))).pages))
    assert "Minutes: Bolig og fellesskap på Grønland" in text and "Follow-up points" in text
    assert "Skaffe frivillige til nattevakter" in text and "in progress" in text
    assert file_name(archived, "pdf").startswith("minutes-1-")


def test_only_coordinators_get_the_archive_copy(norwegian: Services, clock: ManualClock) -> None:
    number = record_minutes(norwegian, clock)
    with pytest.raises(NotAllowed):
        norwegian.minutes.archive(person("UBYMISJON"), number)
    assert file_name(norwegian.minutes.archive(coordinator(), number), "docx") == "referat-1-2026-03-03.docx"
