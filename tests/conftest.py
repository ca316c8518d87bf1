"""Shared fixtures: databases (SQLite and PostgreSQL), a fixed clock, services with a recording notifier."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.meetings import MeetingTimings
from services.privacy import PrivacySettings
from storage.db import make_engine, make_session_factory, normalise_url
from storage.migrate import upgrade
from storage.models import Base
from tests.support.notifier import RecordingNotifier

POSTGRES_ENV = "DIALOG_TEST_POSTGRES_URL"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
CHANNEL = "C0DIALOG"
TEAM = "T0DIALOG"
COORDINATOR = "UCOORD01"
TIMINGS = MeetingTimings(
    invite_lead=timedelta(days=14),
    reminders=(timedelta(days=2), timedelta(hours=1)),
    nudge_after=timedelta(days=3),
    urgent_notice=timedelta(hours=24),
    urgent_reminders=(timedelta(hours=3), timedelta(minutes=15)),
)


def _postgres_base_url() -> str | None:
    url = os.environ.get(POSTGRES_ENV)
    if url:
        return url
    if os.environ.get("CI"):
        raise pytest.UsageError(
            f"{POSTGRES_ENV} is not set: CI must run the PostgreSQL half of the suite (see .ci/run)"
        )
    return None


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, migrated once and dropped at the end."""
    base = _postgres_base_url()
    if base is None:
        pytest.skip(f"set {POSTGRES_ENV} to run the PostgreSQL tests")
    admin = make_engine(base)
    name = f"dialogbot_test_{uuid.uuid4().hex[:10]}"
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(normalise_url(base)).set(database=name).render_as_string(hide_password=False)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    yield url
    with admin.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def empty_postgres(engine: Engine) -> None:
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database URL: a temp SQLite file, or the run's PostgreSQL database."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}"
        engine = make_engine(url)
        upgrade(engine)
        engine.dispose()
        yield url
        return
    url = request.getfixturevalue("postgres_url")
    engine = make_engine(url)
    empty_postgres(engine)
    engine.dispose()
    yield url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sessions(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def platform() -> str:
    """The platform the services serve; the domain suite overrides it to run on two."""
    return "slack"


@pytest.fixture
def notifier(platform: str) -> RecordingNotifier:
    return RecordingNotifier(platform)


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    return build_services(
        sessions,
        clock,
        notifier,
        platform=platform,
        channel_id=CHANNEL,
        coordinators=(COORDINATOR,),
        default_language="en",
        timings=TIMINGS,
        # These tests count the messages their use cases send; the privacy notice every new contact
        # gets has its own (tests/services/test_privacy_notice.py).
        privacy=PrivacySettings(notices=False),
    )
