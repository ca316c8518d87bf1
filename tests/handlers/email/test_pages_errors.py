"""Narrow cases on Flask's test client: an unexpected failure is a plain 500 page that logs no
token, and the request budget is per client address."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from flask import Flask

from handlers.email.links import Links
from handlers.email.pages import register
from handlers.email.pages.security import RateLimiter
from services.clock import ManualClock
from services.people import WorkspaceRef

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKSPACE = WorkspaceRef("slack", "T0DIALOG")


class Exploding:
    """Services that fail in a way nobody planned for."""

    def __getattr__(self, name: str) -> Any:
        def fail(*args: Any, **kwargs: Any) -> Any:
            raise RuntimeError(f"database fell over while serving {args!r}")
        return fail


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def links(clock: ManualClock) -> Links:
    return Links("k" * 32, "https://dialog.example.org", clock=lambda: clock.now().timestamp())


@pytest.fixture
def web(links: Links, clock: ManualClock) -> Flask:
    app = Flask("pages-test")
    services = SimpleNamespace(outside=Exploding(), default_language="nb")
    register(app, services, links, zone=ZoneInfo("Europe/Oslo"),  # type: ignore[arg-type]
             clock=lambda: clock.now().timestamp(), rate=5)
    return app


def test_an_unexpected_failure_is_a_plain_page_and_the_log_has_no_token(
        web: Flask, links: Links, caplog: pytest.LogCaptureFixture) -> None:
    url = links.page_url(WORKSPACE, "amina@example.org")
    token = url.rsplit("/", 1)[1]
    with caplog.at_level(logging.ERROR):
        response = web.test_client().get(url.removeprefix("https://dialog.example.org"),
                                         headers={"Accept-Language": "en"})
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "Traceback" not in body and "RuntimeError" not in body
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    [record] = [r for r in caplog.records if r.name.startswith("handlers.email.pages")]
    assert "/p/me/<token>" in record.getMessage() and "RuntimeError" in record.getMessage()
    assert token not in record.getMessage() and "amina@example.org" not in record.getMessage()
    assert token not in caplog.text, "nor in the traceback logged with it"


def test_the_budget_is_per_client_address(web: Flask, clock: ManualClock) -> None:
    client = web.test_client()
    first = [client.get("/p/link", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code for _ in range(6)]
    assert first == [200] * 5 + [429]
    # Another address has a budget of its own; paths outside /p/ are not counted.
    assert client.get("/p/link", environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200
    assert client.get("/elsewhere", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 404
    refused = client.get("/p/link", environ_base={"REMOTE_ADDR": "192.0.2.1"})
    assert refused.status_code == 429 and "For mange forespørsler" in refused.get_data(as_text=True)


def test_the_limiter_refills_and_stays_bounded(clock: ManualClock) -> None:
    limiter = RateLimiter(60, lambda: clock.now().timestamp())
    assert all(limiter.allow("a") for _ in range(60)) and not limiter.allow("a")
    clock.set(datetime(2026, 3, 2, 9, 0, 1, tzinfo=UTC))
    assert limiter.allow("a") and not limiter.allow("a")
    for n in range(20_000):
        limiter.allow(f"client-{n}")
    assert len(limiter._buckets) <= 10_000
