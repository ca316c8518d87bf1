"""Fixtures for wiring tests: the fake Slack, and the real bot serving over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fakes.slack import FakeSlack
from tests.support.harness import RunningBot, bot_settings, fake_workspace, running_bot


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = fake_workspace().start()
    yield fake
    fake.stop()
    # Every Web API call the bot made must be valid per Slack's spec and Block Kit's rules.
    assert fake.violations == []


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack) -> Iterator[RunningBot]:
    with running_bot(bot_settings(database_url, fake_slack)) as running:
        yield running
