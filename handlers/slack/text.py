"""Slack text helpers: escaping what people typed, and mentions."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from services.i18n import Text, Translator


def escape(text: str) -> str:
    """Escape user text for Slack mrkdwn, so `<!channel>` or `<@U1>` typed by someone stays inert."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def mrkdwn(t: Translator, message: Text) -> str:
    """A domain message as Slack mrkdwn. Both what people typed and the message's own text are
    escaped: usage hints such as `/dialog support <topic-no>` would otherwise be read by Slack
    as a link or a control sequence (`<…>`), and lose the placeholder."""
    return t.render(message, escape, literal=escape)


def literal(text: str) -> str:
    """Our own text with a usage placeholder (`<title>`), made safe for Slack mrkdwn."""
    return escape(text)


def mention(user_id: str) -> str:
    """A mention of a user by their Slack id (ids come from Slack, never from typed text)."""
    return f"<@{user_id}>"


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


_BABEL_LOCALES = {"en": "en_GB", "nb": "nb_NO"}


def babel_locale(language: str) -> str:
    """The Babel locale for formatting dates in `language`."""
    return _BABEL_LOCALES.get(language, "en_GB")


def local_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A readable date and time in `zone`, in the reader's language (the fallback for date tokens)."""
    day = format_date(moment.astimezone(zone), "full", locale=babel_locale(language))
    clock = format_time(moment, "HH:mm", tzinfo=zone, locale=babel_locale(language))
    return f"{day} {clock} ({zone.key})"


def slack_date(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A `<!date^…>` token: each reader sees the time in their own zone; others see the fallback."""
    fallback = local_time(moment, zone, language)
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} {{time}}|{fallback}>"
