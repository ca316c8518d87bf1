"""A database fault heals by itself on the same engine; one that lasts is seen for what it is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import OperationalError

from scheduling.jobs import DeliverySweep, heartbeat
from services.clock import ManualClock
from services.container import Services, build_services
from storage.db import make_session_factory
from storage.models import Topic
from tests.conftest import CHANNEL, COORDINATOR, T0, TIMINGS
from tests.factories import person
from tests.support.db_faults import ReadOnlyFault, Ticks, migrated_engine
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def engine(tmp_path: Path, ticks: Ticks) -> Iterator[Engine]:
    engine = migrated_engine(tmp_path / "faults.sqlite3", ticks)
    yield engine
    engine.dispose()


@pytest.fixture
def notifier() -> RecordingNotifier:
    return RecordingNotifier()


@pytest.fixture
def services(engine: Engine, notifier: RecordingNotifier) -> Services:
    return build_services(make_session_factory(engine), ManualClock(T0), notifier, platform="slack",
                          channel_id=CHANNEL, coordinators=(COORDINATOR,), default_language="en",
                          timings=TIMINGS)


def _topics(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Topic)) or 0


def test_writes_fail_during_a_read_only_fault_and_succeed_after_it_on_the_same_engine(
        services: Services, engine: Engine, notifier: RecordingNotifier, ticks: Ticks) -> None:
    fault = ReadOnlyFault(engine)
    services.topics.propose(person("U1"), "Before the fault")
    DeliverySweep(services)()
    assert len(notifier.posted) == 1

    fault.on = True
    for n in range(5):
        with pytest.raises(OperationalError, match="readonly database"):
            services.topics.propose(person("U2"), f"During the fault {n}")
        # Reads still work on a read-only database, and leave read-only connections in the pool.
        assert _topics(services) == 1
    DeliverySweep(services)()  # logs, never raises
    heartbeat(services)
    status = services.database_status()
    assert not status.ok and "readonly database" in status.reason
    assert fault.opened_read_only >= 1
    ticks.advance(20)
    assert services.database_status().failing_for == pytest.approx(20)

    # The last thing before the files are fixed is a read: it succeeds on a connection opened
    # read-only, which goes back to the pool with no failure to mark it.
    assert _topics(services) == 1

    fault.on = False
    # The very next write succeeds: no connection opened or spoiled during the fault is used again.
    services.topics.propose(person("U3"), "After the fault")
    assert services.database_status().ok
    DeliverySweep(services)()
    assert len(notifier.posted) == 2 and _topics(services) == 2
    for n in range(20):
        services.topics.propose(person("U4"), f"Afterwards {n}")
    assert _topics(services) == 22


def test_a_write_during_a_fault_releases_the_write_lock(services: Services, engine: Engine) -> None:
    fault = ReadOnlyFault(engine)
    fault.on = True
    for _ in range(3):
        # Each failure invalidates its connection mid-transaction; the lock must go with it, or
        # the next begin would wait out the engine's 5 s write wait and fail differently.
        with pytest.raises(OperationalError, match="readonly database"):
            services.topics.propose(person("U2"), "During the fault")
    fault.on = False
    services.topics.propose(person("U3"), "After the fault")
    assert _topics(services) == 1
