"""Settings: defaults, parsing, and one clear line naming a bad variable."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import ConfigError, Secret, load_settings, parse_durations, read_environment


def test_defaults_follow_the_design() -> None:
    settings = load_settings({})
    assert (settings.host, settings.port) == ("127.0.0.1", 3000)
    assert settings.slack_api_url == "https://slack.com/api/"
    assert settings.database_url.startswith("sqlite:///")
    assert str(settings.timezone) == "Europe/Oslo"
    assert settings.language == "en"
    assert settings.invite_lead == timedelta(days=14)
    assert settings.reminders == (timedelta(days=2), timedelta(hours=1))
    assert settings.nudge_after == timedelta(days=3)
    assert settings.urgent_notice == timedelta(hours=24)
    assert settings.urgent_reminders == (timedelta(hours=3), timedelta(minutes=15))
    assert settings.missing_slack_credentials() == ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"]


def test_values_are_read_and_lists_sorted() -> None:
    settings = load_settings(
        {
            "SLACK_BOT_TOKEN": "xoxb-1",
            "SLACK_SIGNING_SECRET": "s3cret",
            "SLACK_API_URL": "http://127.0.0.1:9999/api",
            "PORT": "8080",
            "DIALOG_CHANNEL": "C0123ABC",
            "DIALOG_COORDINATORS": "U1AAA, U2BBB",
            "DIALOG_TIMEZONE": "America/New_York",
            "DIALOG_LANGUAGE": "nb",
            "DIALOG_REMINDERS": "1h, 2d,30m",
            "DIALOG_INVITE_LEAD": "90m",
        }
    )
    assert settings.slack_api_url == "http://127.0.0.1:9999/api/"
    assert settings.port == 8080
    assert settings.coordinators == ("U1AAA", "U2BBB")
    assert settings.reminders == (timedelta(days=2), timedelta(hours=1), timedelta(minutes=30))
    assert settings.invite_lead == timedelta(minutes=90)
    assert settings.missing_slack_credentials() == []
    assert not settings.socket_mode


def test_socket_mode_needs_no_signing_secret() -> None:
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-1", "SLACK_APP_TOKEN": "xapp-1"})
    assert settings.socket_mode
    assert settings.missing_slack_credentials() == []


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("PORT", "http"),
        ("PORT", "70000"),
        ("DIALOG_TIMEZONE", "Mars/Olympus"),
        ("DIALOG_LANGUAGE", "de"),
        ("DIALOG_INVITE_LEAD", "two weeks"),
        ("DIALOG_REMINDERS", "2d,1x"),
        ("DIALOG_NUDGE_AFTER", "0d"),
        ("DIALOG_INVITE_LEAD", "0d"),
        ("DIALOG_REMINDERS", "1h,0m"),
        ("DIALOG_URGENT_NOTICE", "-1h"),
        ("DIALOG_URGENT_REMINDERS", "3h;15m"),
        ("DIALOG_CHANNEL", "#dialog"),
        ("DIALOG_COORDINATORS", "alice,bob"),
        ("SLACK_API_URL", "slack.com/api"),
        ("DIALOG_OFFICE_HOURS", "16:00-08:00"),
        ("DIALOG_OFFICE_HOURS", "nine to five"),
        ("SLACK_BOT_TOKEN", "hunter2"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind"),
    ],
)
def test_bad_values_name_the_variable(variable: str, value: str) -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({variable: value})
    assert error.value.variable == variable
    assert str(error.value).startswith(f"{variable}: ")


def test_token_values_never_appear_in_errors_or_repr() -> None:
    with pytest.raises(ConfigError) as error:
        load_settings({"SLACK_BOT_TOKEN": "hunter2-secret"})
    assert "hunter2" not in str(error.value)
    settings = load_settings({"SLACK_BOT_TOKEN": "xoxb-very-secret", "SLACK_SIGNING_SECRET": "shh-secret"})
    assert "very-secret" not in repr(settings) and "shh-secret" not in repr(settings)
    assert repr(Secret("xoxb-very-secret")) == "Secret('***')"


def test_empty_reminder_list_means_no_reminders() -> None:
    assert parse_durations("", "DIALOG_REMINDERS") == ()


def test_environment_wins_over_dotenv(tmp_path, monkeypatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("PORT=4000\nDIALOG_LANGUAGE=nb\n")
    monkeypatch.setenv("PORT", "5000")
    values = read_environment(env_file)
    assert values["PORT"] == "5000"
    assert values["DIALOG_LANGUAGE"] == "nb"
