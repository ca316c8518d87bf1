"""/healthz tells the truth about the database: 503 with its state while it fails, 200 after."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.exc import OperationalError

from fakes.slack import FakeSlack
from tests.support.db_faults import ReadOnlyFault
from tests.support.harness import RunningBot, bot_settings, fake_workspace, running_bot


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = fake_workspace().start()
    yield fake
    fake.stop()


@pytest.fixture
def bot(tmp_path, fake_slack: FakeSlack) -> Iterator[RunningBot]:
    with running_bot(bot_settings(f"sqlite:///{tmp_path / 'health.sqlite3'}", fake_slack)) as running:
        yield running


def test_healthz_answers_503_while_the_database_fails_and_200_after(bot: RunningBot) -> None:
    assert bot.get("/healthz")[0] == 200
    fault = ReadOnlyFault(bot.runtime.engine)
    fault.on = True
    deliveries = bot.runtime.services.deliveries
    with pytest.raises(OperationalError):
        deliveries.heartbeat()  # what the heartbeat job does every 2 s
    status, body = bot.get("/healthz")
    assert status == 503
    assert body["status"] == "unavailable" and body["database"] == "failing"
    assert "readonly database" in body["database_error"]
    assert isinstance(body["database_failing_for_s"], int)
    assert "sqlite" not in str(body).lower()  # the URL is never shown
    fault.on = False
    deliveries.heartbeat()
    status, body = bot.get("/healthz")
    assert (status, body["database"], body["status"]) == (200, "ok", "ok")
    assert "database_error" not in body
