"""The minutes as DOCX (python-docx), for case-handling systems that file Word documents."""

from __future__ import annotations

import io

from docx import Document
from docx.oxml.ns import qn
from docx.shared import Pt

from exports.minutes_content import minutes_content
from services.minutes_archive import ArchivedMinutes

_LANGS = {"nb": "nb-NO", "en": "en-GB"}


def minutes_docx(archived: ArchivedMinutes) -> bytes:
    """The DOCX of the minutes, in their language, with headings a case archive can index."""
    content = minutes_content(archived)
    document = Document()
    language = _LANGS.get(content.language, content.language)
    properties = document.core_properties
    properties.title = content.title
    properties.subject = content.subject
    properties.author = archived.workspace or "Dialogbot"
    properties.language = language
    properties.created = archived.written_at
    # Spelling and hyphenation in the minutes' language, for whoever edits the file later.
    normal = document.styles["Normal"]
    normal.font.size = Pt(10.5)
    run_properties = normal.element.get_or_add_rPr()
    lang = run_properties.find(qn("w:lang"))
    if lang is None:
        lang = run_properties.makeelement(qn("w:lang"), {})
        run_properties.append(lang)
    lang.set(qn("w:val"), language)
    document.add_heading(content.title, level=0)
    facts = document.add_table(rows=0, cols=2)
    for label, value in content.facts:
        cells = facts.add_row().cells
        cells[0].paragraphs[0].add_run(label).bold = True
        cells[1].text = value
    for section in content.sections:
        document.add_heading(section.heading, level=1)
        for paragraph in section.paragraphs:
            document.add_paragraph(paragraph)
        for bullet in section.bullets:
            document.add_paragraph(bullet, style="List Bullet")
        if section.table:
            table = document.add_table(rows=0, cols=len(section.table[0]))
            table.style = "Table Grid"
            for number, cells in enumerate(section.table):
                row = table.add_row().cells
                for cell, value in zip(row, cells, strict=True):
                    run = cell.paragraphs[0].add_run(value)
                    run.bold = number == 0
    if content.closing:
        closing = document.add_paragraph()
        closing.add_run(content.closing).font.size = Pt(8)
    stream = io.BytesIO()
    document.save(stream)
    return stream.getvalue()
