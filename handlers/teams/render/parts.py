"""Pieces of the Teams cards: a finished Card, headings, facts, notes, and the one-click actions."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import (
    CardElement,
    Container,
    ExecuteAction,
    Fact,
    FactSet,
    OpenUrlAction,
    TextBlock,
)

from handlers.teams.render.common import (
    MEETING_KEY,
    RSVP_MAYBE,
    RSVP_NO,
    RSVP_YES,
    Card,
    adaptive_card,
    md,
    text_block,
    truncate,
)
from services.i18n import Translator

# Teams shows a fact's title in a narrow column: the title is ours, the value may be long.
FACT_MAX = 1000


def finish(text: str, body: Sequence[CardElement], actions: Sequence[CardAction] = ()) -> Card:
    """A Card whose notification text is also its fallback."""
    return Card(text=truncate(text), card=adaptive_card(body, actions, fallback=text))


def heading(value: str, **options: object) -> TextBlock:
    """A card's title line (markdown already escaped)."""
    return text_block(value, size="Large", weight="Bolder", **options)


def bold(value: str) -> TextBlock:
    """A line in bold (markdown already escaped)."""
    return text_block(value, weight="Bolder")


def note(value: str, **options: object) -> TextBlock:
    """A quieter line under the main text (Slack's context block)."""
    return text_block(value, is_subtle=True, size="Small", **options)


def facts(pairs: Sequence[tuple[str, str]]) -> list[CardElement]:
    """A FactSet of (our title, escaped value), or nothing when there are none."""
    if not pairs:
        return []
    return [FactSet(facts=[Fact(title=title, value=truncate(value, FACT_MAX)) for title, value in pairs])]


def paragraphs(value: str) -> str:
    """Multi-line text people typed, escaped, its line breaks kept: a TextBlock joins lines broken
    by one newline outside a list, so each becomes two."""
    return md(value).replace("\n", "\n\n")


def quoted(value: str) -> Container:
    """Someone's words set apart (Adaptive Cards markdown has no block quote)."""
    return Container(style="emphasis", items=[text_block(value)])


def rsvp_actions(t: Translator, number: int) -> list[CardAction]:
    """Attending / Not attending / Maybe: Universal Actions carrying the meeting's number."""
    data = {MEETING_KEY: number}
    return [
        ExecuteAction(title=t.gettext("Attending"), verb=RSVP_YES, data=dict(data), style="positive"),
        ExecuteAction(title=t.gettext("Not attending"), verb=RSVP_NO, data=dict(data)),
        ExecuteAction(title=t.gettext("Maybe"), verb=RSVP_MAYBE, data=dict(data)),
    ]


def open_url(title: str, url: str) -> OpenUrlAction:
    """A button that opens `url` (an address the bot made or checked as http(s))."""
    return OpenUrlAction(title=title, url=url)
