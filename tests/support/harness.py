"""Run the real bot in-process: Bolt behind waitress on loopback, against the fake Slack."""

from __future__ import annotations

import json
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config import Settings, load_settings
from fakes.slack import FakeSlack, SlackRequester
from handlers.slack.server import make_server, stop_server
from runtime import Runtime, build
from services.clock import Clock
from tests.conftest import CHANNEL, COORDINATOR, TEAM

SIGNING_SECRET = "test-signing-secret-0123456789"
NORWEGIAN = "UNORSK001"
MEMBERS = ("UMEMBER01", "UMEMBER02", "UMEMBER03")


def fake_workspace() -> FakeSlack:
    """A fake Slack with the dialogue channel, a coordinator, members and a Norwegian reader (whose
    Slack locale is English, as every Norwegian's is: Slack has no Norwegian)."""
    fake = FakeSlack(team_id=TEAM)
    fake.add_channel(CHANNEL, "dialog")
    fake.add_user(COORDINATOR, name="kari.coordinator", locale="en-GB")
    fake.add_user(NORWEGIAN, name="ola", locale="en-US")
    for user_id in MEMBERS:
        fake.add_user(user_id, name=user_id.lower(), locale="en-US")
    return fake


def bot_settings(database_url: str, fake: FakeSlack, **overrides: str) -> Settings:
    """Settings for a bot wired to `fake` and `database_url`."""
    env = {
        "SLACK_BOT_TOKEN": fake.bot_token,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": database_url,
        "DIALOG_CHANNEL": CHANNEL,
        "DIALOG_COORDINATORS": COORDINATOR,
    }
    env.update(overrides)
    return load_settings(env)


class RunningBot:
    """A started bot: its runtime, its URL, and a requester that signs like Slack."""

    def __init__(self, runtime: Runtime, url: str) -> None:
        self.runtime = runtime
        self.url = url
        self.slack = SlackRequester(url, SIGNING_SECRET, team_id=TEAM)

    def get(self, path: str) -> tuple[int, Any]:
        """GET a path; returns status and decoded JSON."""
        try:
            with urllib.request.urlopen(self.url + path, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


@contextmanager
def running_bot(settings: Settings, *, clock: Clock | None = None) -> Iterator[RunningBot]:
    """Build, serve on an ephemeral loopback port, and tear everything down afterwards."""
    runtime = build(settings, clock=clock)
    for scheduler in runtime.schedulers:
        scheduler.start()
    server = make_server(runtime.web, "127.0.0.1", 0, threads=8)
    thread = threading.Thread(target=server.run, name="waitress", daemon=True)
    thread.start()
    try:
        yield RunningBot(runtime, f"http://127.0.0.1:{server.effective_port}")
    finally:
        stop_server(server)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the HTTP server did not stop"
        for scheduler in runtime.schedulers:
            scheduler.shutdown(wait=True)
        runtime.engine.dispose()
