"""The Teams settings: a tenant turns Teams on, the bot registration is required with it unless
activities are anonymous, and anonymous activities only on a loopback address."""

from __future__ import annotations

import pytest

from config import ConfigError, load_settings

TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"
APP = "0e3f3c5a-1a2b-4c3d-8e9f-0a1b2c3d4e5f"
COORDINATOR = "a1b2c3d4-e5f6-4a5b-8c9d-0e1f2a3b4c5d"
# The shape of an Azure client secret.
PASSWORD = "8Xq8Q~Fh2kLm9Pq3Rs7Tv1Wx5Yz0Ab4Cd6Ef8Gh"


def test_without_a_tenant_there_is_no_teams() -> None:
    settings = load_settings({})
    assert not settings.has_teams()
    assert (settings.teams_app_id, settings.teams_tenant_id, settings.teams_anonymous) == ("", "", False)


def test_a_registration_is_read() -> None:
    settings = load_settings({"TEAMS_APP_ID": APP.upper(), "TEAMS_APP_PASSWORD": PASSWORD,
                              "TEAMS_TENANT_ID": TENANT, "TEAMS_COORDINATORS": f" {COORDINATOR} ,"})
    assert settings.has_teams()
    assert settings.teams_app_id == APP  # GUIDs are compared in lower case
    assert settings.teams_coordinators == (COORDINATOR,)
    assert PASSWORD not in repr(settings)


@pytest.mark.parametrize(("env", "variable"), [
    ({"TEAMS_TENANT_ID": TENANT}, "TEAMS_APP_ID"),
    ({"TEAMS_TENANT_ID": TENANT, "TEAMS_APP_ID": APP}, "TEAMS_APP_PASSWORD"),
    ({"TEAMS_APP_ID": APP, "TEAMS_APP_PASSWORD": PASSWORD}, "TEAMS_TENANT_ID"),
    ({"TEAMS_TENANT_ID": "contoso.onmicrosoft.com"}, "TEAMS_TENANT_ID"),
    ({"TEAMS_TENANT_ID": TENANT, "TEAMS_APP_ID": "28:bot", "TEAMS_APP_PASSWORD": PASSWORD}, "TEAMS_APP_ID"),
    ({"TEAMS_TENANT_ID": TENANT, "TEAMS_ANONYMOUS": "true", "TEAMS_COORDINATORS": "U012AB3CD"},
     "TEAMS_COORDINATORS"),
    ({"TEAMS_TENANT_ID": TENANT, "TEAMS_ANONYMOUS": "perhaps"}, "TEAMS_ANONYMOUS"),
])
def test_what_is_missing_or_malformed_is_named(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings(env)
    assert raised.value.variable == variable


def test_the_password_is_never_shown() -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"TEAMS_TENANT_ID": PASSWORD, "TEAMS_APP_ID": APP, "TEAMS_APP_PASSWORD": PASSWORD})
    assert PASSWORD not in str(raised.value)


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost"])
def test_anonymous_activities_on_a_loopback_address(host: str) -> None:
    settings = load_settings({"TEAMS_TENANT_ID": TENANT, "TEAMS_ANONYMOUS": "true", "HOST": host})
    assert settings.teams_anonymous and settings.has_teams()


@pytest.mark.parametrize("host", ["0.0.0.0", "10.0.0.5", "dialog.example.org"])
def test_anonymous_activities_are_refused_on_any_other_address(host: str) -> None:
    with pytest.raises(ConfigError) as raised:
        load_settings({"TEAMS_TENANT_ID": TENANT, "TEAMS_ANONYMOUS": "true", "HOST": host})
    assert raised.value.variable == "TEAMS_ANONYMOUS"
    assert "loopback" in str(raised.value)
