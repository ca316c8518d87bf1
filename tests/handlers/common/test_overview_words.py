"""The words for the overview (`overview`, `oversikt`, and `home`/`hjem`) in the shared grammar."""

from __future__ import annotations

import pytest

from handlers.common.parsing.commands import ALIASES, ENGLISH_NAMES, NORWEGIAN_NAMES, Overview
from handlers.common.parsing.grammar import parse_command
from services.errors import InvalidInput


@pytest.mark.parametrize("words", ["overview", "oversikt", "home", "hjem", "OVERSIKT", "  Oversikt  ",
                                   "oversikt\u200b"])
def test_each_word_for_the_overview_parses_to_it(words: str) -> None:
    assert parse_command(words) == Overview()


def test_the_overview_is_named_once_in_each_language() -> None:
    assert "overview" in ENGLISH_NAMES and "home" not in ENGLISH_NAMES
    assert [name for name in NORWEGIAN_NAMES if ALIASES[name] == "overview"] == ["oversikt"]


def test_a_misspelt_overview_is_pointed_to_the_word() -> None:
    with pytest.raises(InvalidInput) as raised:
        parse_command("oversigt")
    assert "oversikt" in raised.value.message.msgid or "oversikt" in str(raised.value.message.params)
