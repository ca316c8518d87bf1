"""Live special mentions (``<!channel>``, ``<!here>``, ...) in any text Slack would show: the bot never
sends one, so one can only have come from what someone typed."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

# A live special mention: `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` (with or without
# a `|label`). The bot's own `<!date^…>` tokens notify no one and are allowed.
SPECIAL_MENTION = re.compile(r"<!(?!date\^)[^<>]*>")
# Keys whose strings Slack shows (and parses): text objects' and messages' `text`, and the legacy
# attachment fields. Ids, values, metadata and URLs are not shown as text.
SHOWN_TEXT_KEYS = frozenset({"text", "fallback", "pretext", "title", "alt_text"})
# Structured data that travels with a message but is never shown.
HIDDEN_KEYS = frozenset({"metadata"})


def shown_texts(payload: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string in a call's parameters (or a response body) that Slack shows as text, with
    where it is (``blocks[2].text.text``)."""
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(value, str):
                if key in SHOWN_TEXT_KEYS:
                    yield where, value
            elif key not in HIDDEN_KEYS:
                yield from shown_texts(value, where)
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            yield from shown_texts(item, f"{path}[{index}]")


def special_mention_problems(payload: Any) -> list[str]:
    """Live special mentions in what Slack would show: each would notify a whole channel or
    workspace. The bot never sends one, so any found came from what someone typed."""
    return [
        f"{where} carries a live special mention {found!r}"
        for where, value in shown_texts(payload)
        for found in SPECIAL_MENTION.findall(value)
    ]
