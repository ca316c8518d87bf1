"""Cleaning typed text at the edge: no NUL or control characters, no bidi or zero-width tricks, NFC."""

from __future__ import annotations

import unicodedata

import pytest

from services.text import clean_line, clean_text, drop_controls


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Housing\x00 for all", "Housing for all"),
        ("invoice\u202efdp.exe", "invoicefdp.exe"),
        ("\u2066Oslo\u2069 \u202aRed\u202c Cross\u202d", "Oslo Red Cross"),
        ("Ca\u200britas\u200c\u200d\u2060\ufeff", "Caritas"),
        ("two\nlines\tand\r\nmore\x0b", "two lines and  more "),
        ("bell\x07 and del\x7f and c1\x9b", "bell and del and c1"),
        ("lone \ud800 surrogate", "lone  surrogate"),
        ("Cafe\u0301 Ro\u0308d", "Café Röd"),
    ],
)
def test_a_name_or_title_is_cleaned(typed: str, stored: str) -> None:
    assert clean_line(typed) == stored
    assert unicodedata.is_normalized("NFC", clean_line(typed))


def test_an_emoji_sequence_keeps_its_joiner_but_a_joiner_between_letters_goes() -> None:
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    assert clean_line(f"{family} Families") == f"{family} Families"
    assert clean_line("Fa\u200dmilies") == "Families"


def test_multi_line_text_keeps_lines_tabs_and_joiners() -> None:
    typed = "First\x00 line\r\nSecond\tline\rThird \u202eline\u200b\nمی\u200cخواهم"
    assert clean_text(typed) == "First line\nSecond\tline\nThird line\nمی\u200cخواهم"


def test_nothing_is_left_when_only_invisibles_were_typed() -> None:
    assert clean_line("\x00\u200b\u202e").strip() == ""


def test_values_from_the_bots_own_lists_keep_everything_but_controls() -> None:
    assert drop_controls("Org\x00 \u200bname") == "Org \u200bname"
