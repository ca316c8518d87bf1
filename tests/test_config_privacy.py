"""DIALOG_RETENTION, DIALOG_CONTROLLER and DIALOG_PRIVACY_CONTACT: defaults, months, and typos refused."""

from __future__ import annotations

from datetime import timedelta

import pytest

from config import ConfigError, load_settings


def test_retention_defaults_to_24_months_and_reads_months() -> None:
    assert load_settings({}).retention == timedelta(days=730.485)
    assert load_settings({"DIALOG_RETENTION": "12mo"}).retention == timedelta(days=365.2425)
    assert load_settings({"DIALOG_RETENTION": "400d"}).retention == timedelta(days=400)


@pytest.mark.parametrize("value", ["24m", "0mo", "two years", "-3mo", "12 months"])
def test_a_retention_that_is_no_duration_or_less_than_a_day_is_refused(value: str) -> None:
    with pytest.raises(ConfigError) as refused:
        load_settings({"DIALOG_RETENTION": value})
    assert refused.value.variable == "DIALOG_RETENTION"


def test_months_are_only_for_the_retention() -> None:
    with pytest.raises(ConfigError):
        load_settings({"DIALOG_INVITE_LEAD": "1mo"})


def test_the_controller_and_privacy_contact_are_one_line() -> None:
    settings = load_settings({"DIALOG_CONTROLLER": "Oslo kommune", "DIALOG_PRIVACY_CONTACT": "personvern@oslo.no"})
    assert (settings.controller, settings.privacy_contact) == ("Oslo kommune", "personvern@oslo.no")
    with pytest.raises(ConfigError):
        load_settings({"DIALOG_CONTROLLER": "x" * 201})
