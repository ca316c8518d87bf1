"""The font embedded in PDFs: DejaVu Sans (Unicode: æøå and the names of organisations from every
country; PDF/A wants every font embedded). Debian and Ubuntu ship it as `fonts-dejavu-core`, as do
most Linux distributions; `DIALOG_PDF_FONT_DIR` names another folder holding DejaVuSans.ttf and
DejaVuSans-Bold.ttf."""

from __future__ import annotations

import os
from pathlib import Path

REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"
FOLDERS = (
    "/usr/share/fonts/truetype/dejavu",  # Debian, Ubuntu
    "/usr/share/fonts/dejavu",  # Fedora, Arch
    "/usr/share/fonts/TTF",
    "/usr/share/fonts/dejavu-sans-fonts",
    "/usr/local/share/fonts",
    "/opt/homebrew/share/fonts",
    "/Library/Fonts",
)


class FontMissing(RuntimeError):
    """No DejaVu Sans to embed; the message says how to get it."""


def dejavu() -> tuple[Path, Path]:
    """The regular and bold DejaVu Sans files."""
    chosen = os.environ.get("DIALOG_PDF_FONT_DIR", "").strip()
    folders = [Path(chosen)] if chosen else [Path(f) for f in FOLDERS] + [Path.home() / ".fonts"]
    for folder in folders:
        regular, bold = folder / REGULAR, folder / BOLD
        if regular.is_file() and bold.is_file():
            return regular, bold
    where = chosen or ", ".join(FOLDERS)
    raise FontMissing(f"PDF export needs the DejaVu Sans fonts ({REGULAR}, {BOLD}) in {where}: install "
                      "them (Debian/Ubuntu: apt-get install fonts-dejavu-core) or set DIALOG_PDF_FONT_DIR")
