"""The composition root with Teams: Teams alone (no Slack at all), its health, and Microsoft Graph's
meeting links wired as a job of the Teams side's scheduler when GRAPH_* is set."""

from __future__ import annotations

from scheduling.scheduler import LINKS_JOB_ID, SWEEP_JOB_ID
from tests.support.teams import running_teams_bot

GRAPH = {"GRAPH_TENANT_ID": "contoso.onmicrosoft.com", "GRAPH_CLIENT_ID": "0e3f3c5a-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
         "GRAPH_CLIENT_SECRET": "8Xq8Q~Fh2kLm9Pq3Rs7Tv1Wx5Yz0Ab4Cd6Ef8Gh",
         "GRAPH_ORGANIZER": "dialog@contoso.onmicrosoft.com"}


def test_teams_alone_is_healthy_and_says_what_it_still_needs(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        status, health = teams.bot.get("/healthz")
        assert status == 200 and health["status"] == "ok"
        assert health["slack"] == "off"
        assert health["teams"]["auth"] == "anonymous"
        assert health["teams"]["dialogue_channel"].startswith("not set")
        runtime = teams.bot.runtime
        assert runtime.bolt is None and runtime.teams is not None
        assert runtime.services is runtime.teams.services
        # Without GRAPH_*, coordinators paste links: no job asks Graph.
        assert runtime.scheduler.get_job(LINKS_JOB_ID) is None
        assert runtime.scheduler.get_job(SWEEP_JOB_ID) is not None


def test_graph_settings_add_the_meeting_links_job(database_url: str) -> None:
    with running_teams_bot(database_url, **GRAPH) as teams:
        runtime = teams.bot.runtime
        assert runtime.services.meeting_links is not None
        assert runtime.scheduler.get_job(LINKS_JOB_ID) is not None
        assert GRAPH["GRAPH_CLIENT_SECRET"] not in repr(runtime.settings)
