"""Cleaning what people type, where it enters (chat platforms, the CLI, later e-mail and Teams).

Pure and platform-neutral. Text is cleaned once at the edge and stored clean, so every store
accepts it (PostgreSQL refuses NUL in text) and nothing invisible can change how a name reads:
a right-to-left override turns `invoice\\u202efdp.exe` into what looks like `invoiceexe.pdf`.
Escaping for a platform's markup is a separate step, on the way out.
"""

from __future__ import annotations

import unicodedata

# Bidirectional embeddings, overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder
# what follows them, the classic way to disguise a file name or a link.
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))
# Invisible characters that make two names look alike (or a word look unbroken when it is not).
ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff")
ZWJ = "\u200d"
# Whitespace that ends a line; in a one-line field each becomes a space.
_LINE_BREAKS = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")


def _is_control(char: str) -> bool:
    # Cc: C0/C1 controls, NUL included; Cs: lone surrogates, which no UTF-8 store accepts.
    return unicodedata.category(char) in ("Cc", "Cs")


def _emoji_side(char: str) -> bool:
    # Emoji, their variation selector (U+FE0F) and skin-tone modifiers: a ZWJ between two of them
    # builds one emoji (a family, a flag), which is kept.
    return unicodedata.category(char) in ("So", "Sk") or char == "\ufe0f"


def _without_invisibles(value: str) -> str:
    out = []
    for i, char in enumerate(value):
        if char in BIDI_CONTROLS:
            continue
        if char == ZWJ and 0 < i < len(value) - 1 and _emoji_side(value[i - 1]) and _emoji_side(value[i + 1]):
            out.append(char)
            continue
        if char in ZERO_WIDTH:
            continue
        out.append(char)
    return "".join(out)


def clean_line(value: str) -> str:
    """A one-line name or title as stored: line breaks and tabs become spaces; control, bidi and
    zero-width characters go; NFC. Surrounding space is left for the caller's own trimming."""
    kept = "".join(" " if char in _LINE_BREAKS else "" if _is_control(char) else char for char in value)
    return unicodedata.normalize("NFC", _without_invisibles(kept))


def clean_text(value: str) -> str:
    """Multi-line text (details, summaries, command text) as stored: newlines (CR LF made LF) and
    tabs stay; other control characters and bidi controls go; NFC.

    Zero-width joiners and non-joiners stay here: Persian, Indic scripts and emoji need them in
    running text, and free text is never used to tell two things apart, as names are.
    """
    unified = value.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n").replace("\u2029", "\n")
    kept = "".join(char for char in unified if char in "\n\t" or not _is_control(char))
    kept = "".join(char for char in kept if char not in BIDI_CONTROLS and char not in "\u200b\u2060\ufeff")
    return unicodedata.normalize("NFC", kept)


def drop_controls(value: str) -> str:
    """A value picked from the bot's own list (an option, a button): only what no store accepts
    (control characters, lone surrogates) goes, so it still matches the name it came from."""
    return "".join(char for char in value if not _is_control(char))
