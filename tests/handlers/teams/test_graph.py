"""The Graph client against the fake identity platform and Graph over TLS on loopback: the real MSAL
client credentials grant, createOrGet's body and idempotency by externalId, 429/503 and 403 made
into clear errors, the settings, and the secret and token never in the logs."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from config import ConfigError, GraphSettings, graph_settings
from config.platforms import GRAPH_API
from fakes.teams.graph import FakeGraph
from handlers.teams.graph import GraphError, GraphMeetings
from services.clock import ManualClock
from services.container import Services
from services.meeting_links import LinkNotMade, MeetingLinks
from storage.models import Meeting
from tests.factories import coordinator
from tests.fakes.teams.test_graph_fake import CLIENT, ORGANIZER, SECRET, TENANT, tls_for_loopback

START = datetime(2026, 3, 24, 9, 0, tzinfo=UTC)
END = START + timedelta(hours=1)


@pytest.fixture
def tls(tmp_path: Path):
    return tls_for_loopback(tmp_path)


@pytest.fixture
def fake(tls) -> Iterator[FakeGraph]:
    with FakeGraph(client_id=CLIENT, client_secret=SECRET, tenant=TENANT, ssl_context=tls[0]) as graph:
        yield graph


def client(fake: FakeGraph, tls, *, secret: str = SECRET) -> GraphMeetings:
    settings = graph_settings({
        "GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT, "GRAPH_CLIENT_SECRET": secret,
        "GRAPH_ORGANIZER": ORGANIZER, "GRAPH_API_URL": fake.graph_url, "GRAPH_AUTHORITY": fake.url,
    })
    assert settings is not None
    return GraphMeetings(settings, timeout=5, ca_bundle=tls[1])


def test_a_meeting_is_made_with_an_app_token_through_msal(fake: FakeGraph, tls) -> None:
    link = client(fake, tls).create("Winter shelter <capacity>", START, END, key="dialogbot-1-7-20260302090000")
    assert link == fake.meetings(ORGANIZER)[0]["joinWebUrl"]
    token_requests = [r for r in fake.requests if r.path.endswith("/oauth2/v2.0/token")]
    assert len(token_requests) == 1
    assert token_requests[0].body["grant_type"] == "client_credentials"
    assert "https://graph.microsoft.com/.default" in token_requests[0].body["scope"].split()
    made = [r for r in fake.requests if r.path.endswith("/createOrGet")]
    assert made[0].path == f"/v1.0/users/{ORGANIZER}/onlineMeetings/createOrGet"
    assert made[0].body == {"externalId": "dialogbot-1-7-20260302090000", "subject": "Winter shelter <capacity>",
                            "startDateTime": "2026-03-24T09:00:00Z", "endDateTime": "2026-03-24T10:00:00Z"}
    assert made[0].headers["authorization"].startswith("Bearer ")


def test_the_same_key_gives_the_same_meeting_and_the_token_is_reused(fake: FakeGraph, tls) -> None:
    graph = client(fake, tls)
    first = graph.create("A", START, END, key="k-1")
    again = graph.create("A moved", START + timedelta(days=1), END + timedelta(days=1), key="k-1")
    other = graph.create("B", START, END, key="k-2")
    assert first == again != other
    assert len(fake.meetings(ORGANIZER)) == 2
    assert len([r for r in fake.requests if r.path.endswith("/token")]) == 1


def test_a_busy_graph_says_when_to_ask_again(fake: FakeGraph, tls) -> None:
    graph = client(fake, tls)
    fake.fail(429, retry_after=42)
    with pytest.raises(GraphError) as caught:
        graph.create("A", START, END, key="k")
    assert caught.value.retry_after == timedelta(seconds=42)
    fake.fail(503)
    with pytest.raises(LinkNotMade) as unavailable:
        graph.create("A", START, END, key="k")
    assert unavailable.value.retry_after is not None and unavailable.value.retry_after > timedelta(0)
    assert graph.create("A", START, END, key="k").startswith("https://teams.microsoft.com/")


def test_403_tells_the_operator_about_the_access_policy_and_permission(fake: FakeGraph, tls) -> None:
    fake.fail(403)
    with pytest.raises(GraphError) as caught:
        client(fake, tls).create("A", START, END, key="k")
    assert "403" in str(caught.value) and "No application access policy" in str(caught.value)
    assert caught.value.retry_after is None
    hint = caught.value.hint or ""
    assert "New-CsApplicationAccessPolicy" in hint and "Grant-CsApplicationAccessPolicy" in hint
    assert "OnlineMeetings.ReadWrite.All" in hint


def test_a_wrong_secret_is_a_sign_in_error_that_never_shows_it(fake: FakeGraph, tls,
                                                              caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    wrong = "wrong~secret.value-123"
    with pytest.raises(GraphError) as caught:
        client(fake, tls, secret=wrong).create("A", START, END, key="k")
    assert "invalid_client" in str(caught.value) and "GRAPH_CLIENT_SECRET" in (caught.value.hint or "")
    assert wrong not in str(caught.value) and wrong not in caplog.text
    assert fake.meetings(ORGANIZER) == []


def test_neither_the_secret_nor_the_token_reaches_the_logs(fake: FakeGraph, tls,
                                                           caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    graph = client(fake, tls)
    graph.create("A", START, END, key="k")
    fake.fail(403)
    with pytest.raises(GraphError):
        graph.create("B", START, END, key="k2")
    token = next(r for r in fake.requests if r.path.endswith("/createOrGet")).headers["authorization"][7:]
    assert SECRET not in caplog.text and token not in caplog.text
    assert "Secret('***')" in repr(graph._settings)


def test_graph_out_of_reach_is_a_retryable_error(tls) -> None:
    settings = GraphSettings(TENANT, CLIENT, SECRET, ORGANIZER, api_url="http://127.0.0.1:9/v1.0")  # type: ignore[arg-type]
    graph = GraphMeetings(settings, timeout=2, token_provider=lambda: "t")
    with pytest.raises(GraphError, match="could not be reached"):
        graph.create("A", START, END, key="k")


def test_no_graph_settings_means_no_graph() -> None:
    assert graph_settings({}) is None
    assert graph_settings({"GRAPH_TENANT_ID": "", "TEAMS_APP_ID": CLIENT}) is None


def test_the_settings_and_their_defaults() -> None:
    settings = graph_settings({"GRAPH_TENANT_ID": TENANT.upper(), "GRAPH_CLIENT_ID": CLIENT,
                               "GRAPH_CLIENT_SECRET": SECRET, "GRAPH_ORGANIZER": "chair@oslo.kommune.no"})
    assert settings is not None
    assert (settings.tenant_id, settings.organizer) == (TENANT, "chair@oslo.kommune.no")
    assert settings.api_url == GRAPH_API and settings.authority == "https://login.microsoftonline.com"
    assert SECRET not in repr(settings)


@pytest.mark.parametrize(("env", "variable"), [
    ({"GRAPH_TENANT_ID": TENANT}, "GRAPH_CLIENT_ID"),
    ({"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT, "GRAPH_ORGANIZER": ORGANIZER}, "GRAPH_CLIENT_SECRET"),
    ({"GRAPH_TENANT_ID": "not a tenant", "GRAPH_CLIENT_ID": CLIENT, "GRAPH_CLIENT_SECRET": "x",
      "GRAPH_ORGANIZER": ORGANIZER}, "GRAPH_TENANT_ID"),
    ({"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": "app", "GRAPH_CLIENT_SECRET": "x",
      "GRAPH_ORGANIZER": ORGANIZER}, "GRAPH_CLIENT_ID"),
    ({"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT, "GRAPH_CLIENT_SECRET": "x",
      "GRAPH_ORGANIZER": "someone"}, "GRAPH_ORGANIZER"),
    ({"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT, "GRAPH_CLIENT_SECRET": "x",
      "GRAPH_ORGANIZER": ORGANIZER, "GRAPH_API_URL": "http://graph.example.org/v1.0"}, "GRAPH_API_URL"),
    ({"GRAPH_TENANT_ID": TENANT, "GRAPH_CLIENT_ID": CLIENT, "GRAPH_CLIENT_SECRET": "x",
      "GRAPH_ORGANIZER": ORGANIZER, "GRAPH_AUTHORITY": "http://127.0.0.1:1"}, "GRAPH_AUTHORITY"),
    ({"GRAPH_API_URL": GRAPH_API}, "GRAPH_TENANT_ID"),
])
def test_bad_settings_name_the_variable(env: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError) as caught:
        graph_settings(env)
    assert caught.value.variable == variable
    assert "x" != str(caught.value).split(": ", 1)[-1]


def test_the_job_gives_a_scheduled_meeting_its_teams_link_through_graph(
        fake: FakeGraph, tls, services: Services, clock: ManualClock, platform: str) -> None:
    card = services.meetings.schedule(coordinator(), title="Winter shelter",
                                      starts_at=clock.now() + timedelta(days=22)).meeting
    links = MeetingLinks(services.sessions, clock, client(fake, tls), services.deliveries, platforms=(platform,))
    assert links.fill() == 1
    assert links.fill() == 0
    [made] = fake.meetings(ORGANIZER)
    with services.sessions() as session:
        meeting = session.query(Meeting).filter_by(number=card.number).one()
        assert meeting.video_link == made["joinWebUrl"]
        assert made["externalId"].startswith(f"dialogbot-{meeting.workspace_id}-{meeting.id}-")
    assert made["subject"] == "Winter shelter"
    assert len([r for r in fake.requests if r.path.endswith("/createOrGet")]) == 1
