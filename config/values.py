"""What every setting's parsing shares: the error naming the variable, secrets kept out of
messages, durations."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import timedelta
from urllib.parse import urlsplit, urlunsplit

LANGUAGES = ("en", "nb")
_DURATION = re.compile(r"^\s*(\d+)\s*(mo|[dhms])\s*$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
# A month in a duration (`24mo`) is a twelfth of the Gregorian year, so 12mo is a year and 24mo 730 days.
MONTH = timedelta(days=365.2425 / 12)
_SLACK_ID = re.compile(r"^[A-Z0-9]{2,}$")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"


# Slack's token prefixes: bot, user, app-level, refresh/rotation, and the older kinds.
_SLACK_TOKEN = re.compile(r"\b(?:xox[abpcdoesr]|xapp)[-.]", re.IGNORECASE)
_TOKEN_HOMES = {"xoxb": "SLACK_BOT_TOKEN", "xapp": "SLACK_APP_TOKEN"}
# A long unbroken run of letters and digits with both in it: a signing secret (32 hex
# characters), an API key or a password, never a channel ID, a time zone or a duration.
_RANDOM_RUN = re.compile(r"[A-Za-z0-9_-]{20,}")
# user:password@ in anything that looks like a URL.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*://)[^/\s@]+@")


def looks_secret(value: str) -> bool:
    """Whether `value` looks like a token or other secret, so must never be printed."""
    if _SLACK_TOKEN.search(value):
        return True
    return any(re.search(r"[0-9]", run) and re.search(r"[A-Za-z]", run) for run in _RANDOM_RUN.findall(value))


def redact_url(url: str) -> str:
    """`url` without the user name and password (`https://***@host/…`), to print or log."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return _URL_CREDENTIALS.sub(r"\g<scheme>***@", url)
    if "@" not in parts.netloc:
        return _URL_CREDENTIALS.sub(r"\g<scheme>***@", url)
    host = parts.netloc.rsplit("@", 1)[1]
    return urlunsplit(parts._replace(netloc=f"***@{host}"))


def shown(value: str) -> str:
    """A setting's value as an error message may show it: quoted, credentials taken out of URLs;
    a value that looks like a token or secret is never shown, only described (a token pasted into
    the wrong setting is still a token, and start-up errors end up in logs)."""
    if _SLACK_TOKEN.search(value):
        kind = value.strip().lower()[:4]
        home = _TOKEN_HOMES.get(kind)
        where = f", which belongs in {home}" if home else ""
        return f"the value (not shown: it looks like a Slack token{where})"
    cleaned = _URL_CREDENTIALS.sub(r"\g<scheme>***@", value)
    if looks_secret(cleaned):
        return "the value (not shown: it looks like a secret, such as a signing secret or a password)"
    return repr(cleaned)


class ConfigError(Exception):
    """A setting is missing or malformed; the message names the variable."""

    def __init__(self, variable: str, problem: str) -> None:
        super().__init__(f"{variable}: {problem}")
        self.variable = variable


class Secret(str):
    """A string that never shows its value in repr() or logs."""

    def __repr__(self) -> str:
        return "Secret('***')" if self else "Secret('')"


def parse_duration(text: str, variable: str, *, months: bool = False) -> timedelta:
    """Parse `<n>d|h|m|s`, e.g. `14d`, `90m`; with `months`, `<n>mo` too (see MONTH)."""
    match = _DURATION.match(text)
    if not match or (match.group(2) == "mo" and not months):
        units = ("<n>mo, <n>d, <n>h, <n>m or <n>s, e.g. 24mo" if months
                 else "<n>d, <n>h, <n>m or <n>s, e.g. 14d")
        raise ConfigError(variable, f"{shown(text)} is not a duration; use {units}")
    amount, unit = int(match.group(1)), match.group(2)
    if unit == "mo":
        return MONTH * amount
    return timedelta(**{_UNITS[unit]: amount})


def _positive(value: timedelta, variable: str) -> timedelta:
    if value <= timedelta(0):
        raise ConfigError(variable, "must be longer than zero")
    return value


def parse_durations(text: str, variable: str) -> tuple[timedelta, ...]:
    """Parse a comma-separated list of positive durations; an empty value means none."""
    parts = [part for part in (p.strip() for p in text.split(",")) if part]
    values = tuple(_positive(parse_duration(part, variable), variable) for part in parts)
    return tuple(sorted(set(values), reverse=True))




def get(env: Mapping[str, str], name: str) -> str:
    """A setting's value, spaces around it taken off ("" when unset)."""
    return (env.get(name) or "").strip()
