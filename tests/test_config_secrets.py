"""Start-up errors never print a secret: a token pasted into the wrong setting, a signing secret,
or a password inside a URL."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from config import ConfigError, load_settings, looks_secret, redact_url, shown

ROOT = Path(__file__).resolve().parents[1]
BOT_TOKEN = "xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOpQrStUvWx"
USER_TOKEN = "xoxp-1234567890-0987654321-1122334455-0123456789abcdef0123456789abcdef"
APP_TOKEN = "xapp-1-A0123ABCDEF-1234567890123-0123456789abcdef0123456789abcdef"
REFRESH_TOKEN = "xoxe-1-My0xLTEyMzQ1Njc4OTAtMTIzNDU2Nzg5MA"
SIGNING_SECRET = "8f14e45fceea167a5a36dedd4bea2543"


def _error(env: dict[str, str]) -> ConfigError:
    with pytest.raises(ConfigError) as error:
        load_settings(env)
    return error.value


@pytest.mark.parametrize("variable", ["DIALOG_CHANNEL", "SLACK_API_URL", "DIALOG_COORDINATORS", "DIALOG_TIMEZONE",
                                      "PORT", "DIALOG_LANGUAGE", "DIALOG_INVITE_LEAD", "DIALOG_REMINDERS",
                                      "DIALOG_OFFICE_HOURS", "DIALOG_PUBLIC_URL"])
@pytest.mark.parametrize("secret", [BOT_TOKEN, USER_TOKEN, APP_TOKEN, REFRESH_TOKEN, SIGNING_SECRET])
def test_a_secret_in_the_wrong_setting_is_described_never_printed(variable: str, secret: str) -> None:
    error = _error({variable: secret})
    message = str(error)
    assert error.variable == variable and message.startswith(f"{variable}: ")
    assert secret not in message
    # Not even a telling piece of it.
    assert not any(part in message for part in secret.split("-")[1:] if len(part) >= 6)
    assert "not shown" in message


def test_the_message_says_where_a_token_belongs() -> None:
    assert "belongs in SLACK_BOT_TOKEN" in str(_error({"DIALOG_CHANNEL": BOT_TOKEN}))
    assert "belongs in SLACK_APP_TOKEN" in str(_error({"SLACK_API_URL": APP_TOKEN}))
    assert "looks like a Slack token" in str(_error({"DIALOG_CHANNEL": USER_TOKEN}))
    assert "looks like a secret" in str(_error({"DIALOG_CHANNEL": SIGNING_SECRET}))


@pytest.mark.parametrize("variable", ["SLACK_API_URL", "DIALOG_PUBLIC_URL"])
def test_a_url_with_a_password_is_refused_without_showing_it(variable: str) -> None:
    message = str(_error({variable: "https://kari:hunter2pw@slack.example/api/"}))
    assert "hunter2pw" not in message and "kari" not in message
    assert "https://***@slack.example/api/" in message and "user name and password" in message


def test_harmless_values_are_still_shown_so_the_mistake_is_easy_to_see() -> None:
    assert "'#dialog'" in str(_error({"DIALOG_CHANNEL": "#dialog"}))
    assert "'Mars/Olympus'" in str(_error({"DIALOG_TIMEZONE": "Mars/Olympus"}))
    assert "'America/Argentina/ComodRivadavia2'" in str(_error({"DIALOG_TIMEZONE": "America/Argentina/ComodRivadavia2"}))
    assert "'slack.com/api'" in str(_error({"SLACK_API_URL": "slack.com/api"}))
    assert "'ftp://***@files.example/'" in str(_error({"SLACK_API_URL": "ftp://u:pw@files.example/"}))


@pytest.mark.parametrize("value", ["C012AB3CD", "U012AB3CD,U2BBB", "Europe/Oslo", "14d", "08:00-16:00",
                                   "https://dialogbot.example.org", "http://127.0.0.1:3000/api/"])
def test_ordinary_values_do_not_look_secret(value: str) -> None:
    assert not looks_secret(value)
    assert shown(value) == repr(value)


def test_redact_url_takes_out_credentials_only() -> None:
    assert redact_url("https://user:pw@slack-gov.com/api/") == "https://***@slack-gov.com/api/"
    assert redact_url("https://slack.com/api/") == "https://slack.com/api/"
    assert redact_url("postgresql://dialog:s3cret@db:5432/dialog") == "postgresql://***@db:5432/dialog"


def test_bot_py_prints_no_secret_when_a_token_is_in_the_wrong_setting(tmp_path: Path) -> None:
    env = {"PATH": "/usr/bin:/bin", "DIALOG_CHANNEL": BOT_TOKEN, "SLACK_BOT_TOKEN": BOT_TOKEN}
    result = subprocess.run([sys.executable, str(ROOT / "bot.py"), "migrate"], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "bad setting DIALOG_CHANNEL" in result.stderr and "belongs in SLACK_BOT_TOKEN" in result.stderr
    assert BOT_TOKEN not in result.stdout + result.stderr
