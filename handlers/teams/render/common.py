"""Shared by every Teams renderer: the Card a renderer returns, Adaptive Cards markdown escaping,
and the verbs of the cards' one-click actions (`Action.Execute`)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import AdaptiveCard, CardElement, TextBlock

# Adaptive Cards 1.5 with Universal Actions; Teams shows `fallbackText` where it cannot render it.
CARD_VERSION = "1.5"
CARD_CONTENT_TYPE = "application/vnd.microsoft.card.adaptive"

# The verbs of `Action.Execute` (the same names as Slack's action ids), and their data's keys.
RSVP_YES = "rsvp_yes"
RSVP_NO = "rsvp_no"
RSVP_MAYBE = "rsvp_maybe"
TOPIC_SUPPORT = "topic_support"
URGENT_NUDGE = "urgent_nudge"
PRIVACY_OPT_OUT = "privacy_opt_out"
PRIVACY_ERASE = "privacy_erase"
MEETING_CANCEL = "meeting_cancel"
TOKEN_KEY = "token"  # an erasure's confirmation, as the services issued it
REASON_KEY = "reason"  # why a meeting is cancelled, as the coordinator typed it
FOLLOW_UP_OPEN = "follow_up_open"
FOLLOW_UP_IN_PROGRESS = "follow_up_in_progress"
FOLLOW_UP_DONE = "follow_up_done"
MEETING_KEY = "meeting"  # the meeting's number in its workspace
TOPIC_KEY = "topic"  # the topic's number in its workspace
POINT_KEY = "point"  # a follow-up point: "<meeting-no>.<point-no>"

# Teams' text limit for a message is about 28 KB; a card's text is cut well before it.
TEXT_MAX = 3000


@dataclass(frozen=True)
class Card:
    """A message ready for Teams: the text shown in notifications and where cards cannot be
    shown, and the Adaptive Card itself (None: a plain text message)."""

    text: str
    card: dict[str, Any] | None = None
    # The card's elements, kept for tests and for combining cards (never sent as such).
    extras: dict[str, Any] = field(default_factory=dict)


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+!|>~])")
_LIST_START = re.compile(r"^(\s*)(\d+)\.(\s)", re.MULTILINE)
_DASH_START = re.compile(r"^(\s*)-(\s)", re.MULTILINE)


def md(value: str) -> str:
    """User text made inert in Adaptive Cards markdown: bold, links, lists and the like are shown as
    typed, never rendered (a proposal titled `[click](https://evil)` is text, not a link)."""
    escaped = _MARKDOWN.sub(r"\\\1", value)
    escaped = _LIST_START.sub(r"\1\2\\.\3", escaped)
    return _DASH_START.sub(r"\1\\-\2", escaped)


def truncate(value: str, limit: int = TEXT_MAX) -> str:
    """`value` cut to `limit` characters, with an ellipsis when it was longer."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def text_block(value: str, **options: Any) -> TextBlock:
    """A wrapping TextBlock of markdown the caller has already escaped."""
    return TextBlock(text=truncate(value), wrap=True, **options)


def adaptive_card(body: Sequence[CardElement], actions: Sequence[CardAction] = (), *,
                  fallback: str) -> dict[str, Any]:
    """An Adaptive Card 1.5 as the JSON Teams takes, with its fallback text."""
    card = AdaptiveCard(version=CARD_VERSION, body=list(body), actions=list(actions) or None,
                        fallback_text=truncate(fallback))
    payload = card.model_dump(by_alias=True, exclude_none=True)
    payload["$schema"] = "http://adaptivecards.io/schemas/adaptive-card.json"
    # Full width in Teams' channels and chats: a meeting's card reads better unsqueezed.
    payload["msteams"] = {"width": "Full"}
    return payload
