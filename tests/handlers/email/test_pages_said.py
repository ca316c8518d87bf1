"""A service's message on the pages names a command by where it is on the pages, never by a chat
command a person outside the chat cannot type."""

from __future__ import annotations

import pytest

from handlers.email.pages.common import said
from services.i18n import Command, Hint, text


@pytest.mark.parametrize(("language", "where"), [("en", "the Support button on your page"),
                                                 ("nb", "Støtt-knappen på siden din")])
def test_a_hint_to_support_names_the_button(language: str, where: str) -> None:
    message = text("A topic like this is open already: {number}. Support it with {hint}.", number=12,
                   hint=Hint(Command.SUPPORT, ("12",)))
    shown = said(language, message)
    assert where in shown and "support 12" not in shown and "/dialog" not in shown


def test_a_coordinators_command_is_a_word_to_a_coordinator() -> None:
    assert "a coordinator" in said("en", text("Ask {hint}.", hint=Hint(Command.ROSTER_CONTACT)))
