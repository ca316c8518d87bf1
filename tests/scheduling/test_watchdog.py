"""The watchdog: a database failing for longer than the limit ends the process (through an
injected exit here), a fault that heals does not, and the job never raises."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from scheduling.jobs import DeliverySweep, heartbeat
from scheduling.watchdog import EXIT_DATABASE_LOST, GIVE_UP_AFTER, DatabaseWatchdog
from services.clock import ManualClock
from services.container import Services, build_services
from storage.db import make_session_factory
from tests.conftest import CHANNEL, COORDINATOR, T0, TIMINGS
from tests.factories import person
from tests.support.db_faults import ReadOnlyFault, Ticks, migrated_engine
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def ticks() -> Ticks:
    return Ticks()


@pytest.fixture
def engine(tmp_path: Path, ticks: Ticks) -> Iterator[Engine]:
    engine = migrated_engine(tmp_path / "watchdog.sqlite3", ticks)
    yield engine
    engine.dispose()


@pytest.fixture
def services(engine: Engine) -> Services:
    return build_services(make_session_factory(engine), ManualClock(T0), RecordingNotifier(),
                          platform="slack", channel_id=CHANNEL, coordinators=(COORDINATOR,),
                          default_language="en", timings=TIMINGS)


def test_a_persistent_fault_makes_the_watchdog_exit_once_past_the_limit(
        services: Services, engine: Engine, ticks: Ticks, caplog) -> None:
    exits: list[int] = []
    watchdog = DatabaseWatchdog(services, exit=exits.append)
    fault = ReadOnlyFault(engine)
    fault.on = True
    for _ in range(int(GIVE_UP_AFTER) // 2):  # the heartbeat's beats, every 2 s, all failing
        heartbeat(services)
        DeliverySweep(services)()
        watchdog()
        ticks.advance(2)
    assert exits == []  # 58 s of failing: not yet
    ticks.advance(2.5)
    heartbeat(services)
    watchdog()
    assert exits == [EXIT_DATABASE_LOST]
    lines = [r for r in caplog.records if r.name == "scheduling.watchdog"]
    assert len(lines) == 1 and "the database has failed for 62 s" in lines[0].getMessage()
    assert "readonly database" in lines[0].getMessage() and "supervisor" in lines[0].getMessage()


def test_a_fault_that_heals_in_time_never_exits(services: Services, engine: Engine, ticks: Ticks) -> None:
    exits: list[int] = []
    watchdog = DatabaseWatchdog(services, exit=exits.append)
    fault = ReadOnlyFault(engine)
    fault.on = True
    with pytest.raises(OperationalError):
        services.topics.propose(person("U1"), "During the fault")
    ticks.advance(GIVE_UP_AFTER - 1)
    watchdog()
    fault.on = False
    heartbeat(services)  # the next beat writes again
    ticks.advance(GIVE_UP_AFTER * 10)
    watchdog()
    assert exits == [] and services.database_status().ok
    # A new fault counts from its own start, not from the first one.
    fault.on = True
    heartbeat(services)
    ticks.advance(GIVE_UP_AFTER - 1)
    watchdog()
    assert exits == []


def test_the_watchdog_job_never_raises(services: Services, caplog) -> None:
    def broken() -> None:
        raise RuntimeError("no status")

    services.database_status = broken  # type: ignore[method-assign]
    DatabaseWatchdog(services, exit=lambda status: None)()
    assert "database watchdog failed" in caplog.text
