"""SQLite under contention: this process's writers take turns and never lose a write, another
process's write lock is waited out, and a thread cannot wait for its own transaction."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.exc import OperationalError

from services.clock import ManualClock
from services.container import Services, build_services
from storage.db import NestedTransactionError, make_engine, make_session_factory
from storage.migrate import upgrade
from storage.models import Topic
from storage.sqlite import _WriteLock
from tests.conftest import CHANNEL, COORDINATOR, T0, TIMINGS
from tests.factories import person
from tests.support.db_faults import cpu_hog, release, write_lock_holder
from tests.support.notifier import RecordingNotifier

WRITERS = 32
WRITES = 400


class _Seen(logging.Handler):
    """Counts log lines containing `needle` and lets a test wait for the n-th one."""

    def __init__(self, needle: str) -> None:
        super().__init__()
        self.needle = needle
        self.count = 0
        self._changed = threading.Condition()

    def emit(self, record: logging.LogRecord) -> None:
        if self.needle in record.getMessage():
            with self._changed:
                self.count += 1
                self._changed.notify_all()

    def wait_for(self, count: int, timeout: float) -> bool:
        with self._changed:
            return self._changed.wait_for(lambda: self.count >= count, timeout)


@pytest.fixture
def retries() -> Iterator[_Seen]:
    seen = _Seen("locked by another process")
    logger = logging.getLogger("storage.sqlite")
    logger.addHandler(seen)
    level = logger.level
    logger.setLevel(logging.INFO)
    yield seen
    logger.removeHandler(seen)
    logger.setLevel(level)


def _database(tmp_path: Path) -> str:
    path = tmp_path / "contention.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("CREATE TABLE hits (id INTEGER PRIMARY KEY, who TEXT NOT NULL)")
    engine.dispose()
    return str(path)


def _services(engine: Engine) -> Services:
    return build_services(make_session_factory(engine), ManualClock(T0), RecordingNotifier(),
                          platform="slack", channel_id=CHANNEL, coordinators=(COORDINATOR,),
                          default_language="en", timings=TIMINGS)


def test_a_burst_of_writers_beside_a_cpu_hog_loses_nothing(tmp_path: Path, retries: _Seen) -> None:
    # SQLite's busy handler cut to 50 ms: this process's threads must never need it (they queue
    # on the in-process lock); without that lock they would fail or fall back on retries here.
    engine = make_engine(f"sqlite:///{_database(tmp_path)}", busy_timeout=0.05)
    services = _services(engine)
    try:
        def propose(n: int) -> int:
            return services.topics.propose(person(f"UW{n % 40:03d}"), f"Burst topic number {n}").number

        with cpu_hog(seconds=90), ThreadPoolExecutor(max_workers=WRITERS) as pool:
            numbers = list(pool.map(propose, range(WRITES)))
        assert sorted(numbers) == list(range(1, WRITES + 1))
        with services.sessions() as session:
            assert session.scalar(select(func.count()).select_from(Topic)) == WRITES
        assert retries.count == 0
    finally:
        engine.dispose()


def test_a_transaction_waits_out_another_process_holding_the_write_lock(tmp_path: Path,
                                                                        retries: _Seen) -> None:
    database = _database(tmp_path)
    engine = make_engine(f"sqlite:///{database}", busy_timeout=0.2)
    outcome: list[object] = []

    def write() -> None:
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO hits(who) VALUES ('waiter')")
                outcome.extend(connection.scalars(text("SELECT who FROM hits ORDER BY id")))
        except Exception as error:  # noqa: BLE001 - reported to the test below
            outcome.append(error)

    try:
        with write_lock_holder(database) as holder:
            writer = threading.Thread(target=write)
            writer.start()
            # Several BEGIN IMMEDIATE attempts ran out of SQLite's busy timeout and were retried.
            assert retries.wait_for(3, timeout=30)
            assert outcome == []
            release(holder)
            writer.join(timeout=30)
        assert outcome == ["holder", "waiter"]
    finally:
        engine.dispose()


def test_waiting_for_another_process_is_bounded_with_a_clear_error(tmp_path: Path) -> None:
    database = _database(tmp_path)
    engine = make_engine(f"sqlite:///{database}", busy_timeout=0.1, write_wait=0.5)
    try:
        with write_lock_holder(database) as holder:
            with pytest.raises(OperationalError, match="another process held the write lock"):
                with engine.begin() as connection:
                    connection.exec_driver_sql("INSERT INTO hits(who) VALUES ('waiter')")
            release(holder)
        # The same engine writes as soon as the other process is done.
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO hits(who) VALUES ('after')")
            assert list(connection.scalars(text("SELECT who FROM hits ORDER BY id"))) == ["holder", "after"]
    finally:
        engine.dispose()


def test_a_second_transaction_on_the_same_thread_fails_at_once(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{_database(tmp_path)}", write_wait=30)
    sessions = make_session_factory(engine)
    try:
        with sessions.begin() as outer:
            outer.execute(text("INSERT INTO hits(who) VALUES ('outer')"))
            with pytest.raises(NestedTransactionError, match="already has a SQLite transaction open"):
                with sessions() as inner:
                    inner.execute(text("SELECT 1"))
            # Engines on the same file share the lock: a second engine is no way round it.
            other = make_engine(f"sqlite:///{tmp_path / 'contention.sqlite3'}")
            with pytest.raises(NestedTransactionError), other.connect() as connection:
                connection.execute(text("SELECT 1"))
            other.dispose()
        # The outer transaction was not disturbed, and the lock is free again.
        with sessions.begin() as session:
            assert list(session.scalars(text("SELECT who FROM hits"))) == ["outer"]
    finally:
        engine.dispose()


def test_another_thread_waits_its_turn_and_the_wait_is_bounded(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{_database(tmp_path)}", write_wait=0.3)
    failures: list[BaseException] = []

    def write() -> None:
        try:
            with engine.begin() as connection:
                connection.exec_driver_sql("INSERT INTO hits(who) VALUES ('other')")
        except BaseException as error:  # noqa: BLE001 - reported to the test below
            failures.append(error)

    try:
        with engine.begin() as connection:
            connection.exec_driver_sql("INSERT INTO hits(who) VALUES ('first')")
            thread = threading.Thread(target=write)
            thread.start()
            thread.join(timeout=30)
        assert len(failures) == 1 and "this process's other transactions" in str(failures[0])
        write()  # the lock was handed back at commit
        assert len(failures) == 1
    finally:
        engine.dispose()


def test_the_write_lock_goes_to_waiters_in_the_order_they_came() -> None:
    lock = _WriteLock()
    first = object()
    assert lock.acquire(first, timeout=1)
    order: list[int] = []
    threads = []
    for n in range(5):
        holder = object()

        def take(n: int = n, holder: object = holder) -> None:
            assert lock.acquire(holder, timeout=30)
            order.append(n)
            lock.release(holder)

        thread = threading.Thread(target=take)
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 30
        while len(lock._queue) < n + 1:  # each thread queued before the next one starts
            assert time.monotonic() < deadline
            threading.Event().wait(0.001)
    lock.release(object())  # not the holder: nothing happens
    assert order == []
    lock.release(first)
    for thread in threads:
        thread.join(timeout=30)
    assert order == [0, 1, 2, 3, 4]
