"""Slack text helpers: escaping what people typed, and mentions."""

from __future__ import annotations


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn, so `<!channel>` or `<@U1>` typed by someone stays inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mention(user_id: str) -> str:
    """A mention of a user by their Slack id (ids come from Slack, never from typed text)."""
    return f"<@{user_id}>"


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
