"""The minutes as PDF/A-2u (fpdf2): archival, every font embedded, text extractable as Unicode."""

from __future__ import annotations

from datetime import datetime

from fpdf import FPDF
from fpdf.fonts import FontFace

from exports.fonts import dejavu
from exports.minutes_content import Content, minutes_content
from services.minutes_archive import ArchivedMinutes

FAMILY = "DejaVu"
COMPLIANCE = "PDF/A-2U"
_LANGS = {"nb": "nb-NO", "en": "en-GB"}


class _Document(FPDF):
    """A4 pages numbered at the foot."""

    page_label = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, "", 8)
        self.cell(0, 6, f"{self.page_label} {self.page_no()}/{{nb}}", align="C")


def minutes_pdf(archived: ArchivedMinutes, *, created: datetime | None = None) -> bytes:
    """The PDF/A of the minutes, in their language; `created` dates the file (default: when the
    minutes were written)."""
    content = minutes_content(archived)
    regular, bold = dejavu()
    pdf = _Document(format="A4", enforce_compliance=COMPLIANCE)
    pdf.page_label = content.title
    pdf.add_font(FAMILY, "", str(regular))
    pdf.add_font(FAMILY, "B", str(bold))
    pdf.set_title(content.title)
    pdf.set_subject(content.subject)
    pdf.set_author(archived.workspace or "Dialogbot")
    pdf.set_creator("Dialogbot")
    pdf.set_lang(_LANGS.get(content.language, content.language))
    pdf.set_creation_date(created or archived.written_at)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.add_page()
    _write(pdf, content)
    return bytes(pdf.output())


def _write(pdf: FPDF, content: Content) -> None:
    width = pdf.epw
    pdf.set_font(FAMILY, "B", 16)
    pdf.multi_cell(width, 8, content.title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(FAMILY, "", 10)
    with pdf.table(col_widths=(30, 70), first_row_as_headings=False, borders_layout="NONE",
                   line_height=5.5, text_align="LEFT") as table:
        for label, value in content.facts:
            row = table.row()
            row.cell(label, style=FontFace(emphasis="BOLD"))
            row.cell(value)
    for section in content.sections:
        pdf.ln(3)
        pdf.set_font(FAMILY, "B", 12)
        pdf.multi_cell(width, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(FAMILY, "", 10)
        for paragraph in section.paragraphs:
            pdf.multi_cell(width, 5.5, paragraph, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1.5)
        for bullet in section.bullets:
            pdf.set_x(pdf.l_margin + 3)
            pdf.multi_cell(width - 3, 5.5, f"• {bullet}", new_x="LMARGIN", new_y="NEXT")
        if section.table:
            pdf.ln(1)
            with pdf.table(col_widths=(10, 40, 22, 18, 14), line_height=5.5, text_align="LEFT",
                           headings_style=FontFace(emphasis="BOLD")) as table:
                for cells in section.table:
                    row = table.row()
                    for cell in cells:
                        row.cell(cell)
    if content.closing:
        pdf.ln(4)
        pdf.set_font(FAMILY, "", 8)
        pdf.multi_cell(width, 4.5, content.closing, new_x="LMARGIN", new_y="NEXT")
