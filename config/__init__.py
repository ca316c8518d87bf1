"""Settings, read once from the environment (and `.env` for local use); fail fast on bad values."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time, timedelta
from ipaddress import ip_address
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

from config.platforms import (
    SMTP_SECURITY,
    GraphSettings,
    graph_settings,
    smtp_settings,
    teams_settings,
)
from config.values import (
    _SLACK_ID,
    _URL_CREDENTIALS,
    DEFAULT_SLACK_API_URL,
    LANGUAGES,
    MONTH,
    ConfigError,
    Secret,
    _positive,
    get,
    looks_secret,
    parse_duration,
    parse_durations,
    redact_url,
    shown,
)

__all__ = [
    "DEFAULT_SLACK_API_URL", "LANGUAGES", "MONTH", "SMTP_SECURITY", "ConfigError", "GraphSettings",
    "Secret", "Settings", "graph_settings", "load_settings", "looks_secret", "parse_duration",
    "parse_durations", "read_environment", "redact_url", "shown",
]


@dataclass(frozen=True)
class Settings:
    """Everything the bot reads from its environment."""

    slack_bot_token: Secret = field(default=Secret(""), repr=False)
    slack_signing_secret: Secret = field(default=Secret(""), repr=False)
    slack_app_token: Secret = field(default=Secret(""), repr=False)
    slack_api_url: str = DEFAULT_SLACK_API_URL
    host: str = "127.0.0.1"
    port: int = 3000
    database_url: str = "sqlite:///dialogbot.sqlite3"
    dialog_channel: str = ""
    coordinators: tuple[str, ...] = ()
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/Oslo"))
    language: str = "en"
    invite_lead: timedelta = timedelta(days=14)
    reminders: tuple[timedelta, ...] = (timedelta(days=2), timedelta(hours=1))
    nudge_after: timedelta = timedelta(days=3)
    urgent_notice: timedelta = timedelta(hours=24)
    urgent_reminders: tuple[timedelta, ...] = (timedelta(hours=3), timedelta(minutes=15))
    office_hours: tuple[time, time] = (time(8, 0), time(16, 0))
    public_url: str = ""
    # Recorded minutes go out first as a draft for comments for this long (None: final at once).
    minutes_review: timedelta | None = None
    # Personal data (docs/privacy.md): per-person answers, attendance and messages are kept this
    # long; who is responsible for the data, and where people ask about it (in the privacy notice).
    retention: timedelta = MONTH * 24
    controller: str = ""
    privacy_contact: str = ""
    # E-mail contacts (handlers/email): the SMTP server the bot sends through, and who it writes as.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_username: str = ""
    smtp_password: Secret = field(default=Secret(""), repr=False)
    smtp_security: str = "starttls"
    email_from: str = ""
    # The reverse proxy in front of the bot (its address, or * for any), whose X-Forwarded-For
    # is trusted for the client's address (the pages' request budget is per client).
    trusted_proxy: str = ""
    # Keys for the links in e-mails (newest first; older ones still read, so a rotation keeps the
    # unsubscribe links already sent working). Empty: derived from the Slack and SMTP secrets.
    link_secrets: tuple[Secret, ...] = field(default=(), repr=False)
    # Microsoft Teams (handlers/teams): the bot registration, the tenant served (the Teams
    # workspace), its coordinators (Entra object ids), and unauthenticated activities for local use.
    teams_app_id: str = ""
    teams_app_password: Secret = field(default=Secret(""), repr=False)
    teams_tenant_id: str = ""
    teams_anonymous: bool = False
    teams_coordinators: tuple[str, ...] = ()
    # Microsoft Graph, to make a Teams online meeting for each meeting (None: coordinators paste links).
    graph: GraphSettings | None = None

    @property
    def socket_mode(self) -> bool:
        """Socket Mode is used whenever an app-level token is configured."""
        return bool(self.slack_app_token)

    def has_slack_settings(self) -> bool:
        """Whether any Slack credential is set; with none, `bot.py` runs the local sandbox."""
        return bool(self.slack_bot_token or self.slack_signing_secret or self.slack_app_token)

    def missing_slack_credentials(self) -> list[str]:
        """Names of the Slack settings still needed to connect, in the order to set them."""
        missing = [] if self.slack_bot_token else ["SLACK_BOT_TOKEN"]
        if not self.socket_mode and not self.slack_signing_secret:
            missing.append("SLACK_SIGNING_SECRET")
        return missing

    def has_teams(self) -> bool:
        """Whether the bot serves a Teams tenant (TEAMS_TENANT_ID is set)."""
        return bool(self.teams_tenant_id)

    def has_email(self) -> bool:
        """Whether the bot sends e-mail (SMTP_HOST is set; EMAIL_FROM is then required)."""
        return bool(self.smtp_host)

    def missing_to_connect(self) -> list[str]:
        """Every setting still needed to run against Slack (credentials and the channel), so that
        one start-up message can name them all at once."""
        return self.missing_slack_credentials() + ([] if self.dialog_channel else ["DIALOG_CHANNEL"])


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError("PORT", f"{shown(text)} is not a TCP port (1-65535)")
    return int(text)


def _timezone(text: str) -> ZoneInfo:
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            "DIALOG_TIMEZONE", f"{shown(text)} is not an IANA time zone, e.g. Europe/Oslo"
        ) from None


def _user_ids(text: str) -> tuple[str, ...]:
    ids = tuple(part.strip() for part in text.split(",") if part.strip())
    for user_id in ids:
        if not _SLACK_ID.match(user_id):
            raise ConfigError(
                "DIALOG_COORDINATORS",
                f"{shown(user_id)} is not a Slack user ID (like U012AB3CD); separate IDs with commas",
            )
    return ids


def _channel(text: str) -> str:
    if text and not _SLACK_ID.match(text):
        raise ConfigError(
            "DIALOG_CHANNEL",
            f"{shown(text)} is not a channel ID; use the ID (like C012AB3CD), not the #name",
        )
    return text


def _without_credentials(text: str, variable: str, why: str) -> str:
    # Refused, not just hidden: the URL is handed to libraries that log it as it is.
    if _URL_CREDENTIALS.search(text):
        raise ConfigError(variable, f"{shown(text)} carries a user name and password; {why}")
    return text


def _api_url(text: str) -> str:
    if not text.startswith(("http://", "https://")):
        raise ConfigError("SLACK_API_URL", f"{shown(text)} is not an http(s) URL")
    _without_credentials(text, "SLACK_API_URL", "Slack's Web API takes the token only, so remove them")
    return text if text.endswith("/") else text + "/"


_HOURS = re.compile(r"^\s*(\d{1,2})[:.](\d{2})\s*-\s*(\d{1,2})[:.](\d{2})\s*$")


def _office_hours(text: str) -> tuple[time, time]:
    match = _HOURS.match(text)
    try:
        if match:
            opens = time(int(match[1]), int(match[2]))
            closes = time(int(match[3]), int(match[4]))
            if opens < closes:
                return opens, closes
    except ValueError:
        pass
    raise ConfigError("DIALOG_OFFICE_HOURS", f"{shown(text)} is not a time range like 08:00-16:00")


def _public_url(text: str) -> str:
    if text and not text.startswith(("https://", "http://")):
        raise ConfigError("DIALOG_PUBLIC_URL", f"{shown(text)} is not an http(s) address")
    # The address goes into every invitation's calendar link.
    _without_credentials(text, "DIALOG_PUBLIC_URL", "everyone invited would see them, so remove them")
    return text.rstrip("/")


def _retention(text: str) -> timedelta:
    value = parse_duration(text, "DIALOG_RETENTION", months=True)
    # "24m" is 24 minutes: a typo for months would anonymise everything within the hour.
    if value < timedelta(days=1):
        raise ConfigError("DIALOG_RETENTION", f"{shown(text)} is less than a day; months are mo, e.g. 24mo")
    return value


def _one_line(text: str, variable: str) -> str:
    # Shown to every new contact in the privacy notice: a name or an address, not a letter.
    if len(text) > 200:
        raise ConfigError(variable, "keep it to one line of at most 200 characters")
    return text


def _minutes_review(text: str) -> timedelta | None:
    # Unset, 0 or a zero duration: no review round, minutes are final when recorded.
    if text in ("", "0"):
        return None
    review = parse_duration(text, "DIALOG_MINUTES_REVIEW")
    return review if review > timedelta(0) else None


def _check_token(value: str, variable: str, prefix: str) -> Secret:
    if value and not value.startswith(prefix):
        # The value itself is a secret: name the expected shape, never echo it.
        raise ConfigError(variable, f"does not look like a Slack token (it should start with {prefix})")
    return Secret(value)


def load_settings(env: Mapping[str, str]) -> Settings:
    """Build Settings from a mapping of environment variables; raise ConfigError on the first bad one."""
    language = get(env, "DIALOG_LANGUAGE") or "en"
    if language not in LANGUAGES:
        choices = ", ".join(LANGUAGES)
        raise ConfigError("DIALOG_LANGUAGE", f"{shown(language)} is not supported; use one of {choices}")
    return Settings(
        slack_bot_token=_check_token(get(env, "SLACK_BOT_TOKEN"), "SLACK_BOT_TOKEN", "xoxb-"),
        slack_signing_secret=Secret(get(env, "SLACK_SIGNING_SECRET")),
        slack_app_token=_check_token(get(env, "SLACK_APP_TOKEN"), "SLACK_APP_TOKEN", "xapp-"),
        slack_api_url=_api_url(get(env, "SLACK_API_URL") or DEFAULT_SLACK_API_URL),
        host=get(env, "HOST") or "127.0.0.1",
        port=_port(get(env, "PORT") or "3000"),
        database_url=get(env, "DATABASE_URL") or "sqlite:///dialogbot.sqlite3",
        dialog_channel=_channel(get(env, "DIALOG_CHANNEL")),
        coordinators=_user_ids(get(env, "DIALOG_COORDINATORS")),
        timezone=_timezone(get(env, "DIALOG_TIMEZONE") or "Europe/Oslo"),
        language=language,
        invite_lead=_positive(
            parse_duration(get(env, "DIALOG_INVITE_LEAD") or "14d", "DIALOG_INVITE_LEAD"),
            "DIALOG_INVITE_LEAD",
        ),
        reminders=parse_durations(get(env, "DIALOG_REMINDERS") or "2d,1h", "DIALOG_REMINDERS"),
        nudge_after=_positive(
            parse_duration(get(env, "DIALOG_NUDGE_AFTER") or "3d", "DIALOG_NUDGE_AFTER"),
            "DIALOG_NUDGE_AFTER",
        ),
        urgent_notice=_positive(
            parse_duration(get(env, "DIALOG_URGENT_NOTICE") or "24h", "DIALOG_URGENT_NOTICE"),
            "DIALOG_URGENT_NOTICE",
        ),
        urgent_reminders=parse_durations(
            get(env, "DIALOG_URGENT_REMINDERS") or "3h,15m", "DIALOG_URGENT_REMINDERS"
        ),
        office_hours=_office_hours(get(env, "DIALOG_OFFICE_HOURS") or "08:00-16:00"),
        public_url=_public_url(get(env, "DIALOG_PUBLIC_URL")),
        minutes_review=_minutes_review(get(env, "DIALOG_MINUTES_REVIEW")),
        retention=_retention(get(env, "DIALOG_RETENTION") or "24mo"),
        controller=_one_line(get(env, "DIALOG_CONTROLLER"), "DIALOG_CONTROLLER"),
        privacy_contact=_one_line(get(env, "DIALOG_PRIVACY_CONTACT"), "DIALOG_PRIVACY_CONTACT"),
        trusted_proxy=_trusted_proxy(get(env, "DIALOG_TRUSTED_PROXY")),
        link_secrets=_link_secrets(env.get("DIALOG_LINK_SECRET") or ""),
        **smtp_settings(env),
        **teams_settings(env, host=get(env, "HOST") or "127.0.0.1"),
        graph=graph_settings(env),
    )


def _link_secrets(text: str) -> tuple[Secret, ...]:
    keys = tuple(Secret(part.strip()) for part in text.split(",") if part.strip())
    if any(len(key) < 32 for key in keys):
        # The value is secret: say what is wrong, never show it.
        raise ConfigError("DIALOG_LINK_SECRET", "each key must be at least 32 characters (make one "
                                                "with: python3 -c 'import secrets; "
                                                "print(secrets.token_urlsafe(32))')")
    return keys


def _trusted_proxy(text: str) -> str:
    if text and text != "*":
        try:
            ip_address(text)
        except ValueError:
            raise ConfigError("DIALOG_TRUSTED_PROXY", f"{shown(text)} is not an IP address (or *)") from None
    return text


def read_environment(env_file: str | os.PathLike[str] | None = ".env") -> dict[str, str]:
    """The process environment over the values of `.env` (the real environment wins)."""
    values: dict[str, str] = {}
    if env_file is not None and Path(env_file).is_file():
        values.update({k: v for k, v in dotenv_values(env_file).items() if v is not None})
    values.update(os.environ)
    return values
