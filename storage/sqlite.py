"""SQLite, made to behave under concurrency and faults: one writer at a time, handed over in turn.

The `sqlite+dialogbot` dialect takes this process's write lock before `BEGIN IMMEDIATE` and gives
it back when the transaction ends; the connection hooks set the pragmas, replace connections
opened while the database was failing, and report faults to the engine's health record.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine import URL, ExceptionContext
from sqlalchemy.exc import DisconnectionError

from storage.health import DatabaseHealth, describe

log = logging.getLogger(__name__)

WRITE_WAIT = 60.0
"""Seconds a SQLite transaction may wait, in all, for the write lock (this process's other
transactions first, then other processes) before it fails with a clear error."""
BUSY_TIMEOUT = 2.0
"""Seconds of SQLite's own busy handler per `BEGIN IMMEDIATE` attempt (other processes only:
this process's threads queue on the in-process lock and never meet it)."""


class NestedTransactionError(RuntimeError):
    """A thread began a second SQLite transaction while its first was still open: with one writer
    at a time it would wait for itself for ever, so it fails at once instead."""


class _WriteLock:
    """This process's turn at SQLite's single write lock: first come, first served, handed
    straight to the next waiter (SQLite's busy handler sleeps and polls, so under load a thread
    can lose every race for many seconds; a queue cannot starve anyone)."""

    def __init__(self) -> None:
        self._mutex = threading.Lock()
        self._holder: object | None = None
        self._thread: int | None = None
        self._queue: deque[tuple[threading.Event, object, int, bool]] = deque()

    def held_by_this_thread(self) -> bool:
        """Whether the calling thread holds the lock (through any connection)."""
        with self._mutex:
            return self._holder is not None and self._thread == threading.get_ident()

    def acquire(self, holder: object, timeout: float, *, ahead: bool = False) -> bool:
        """Take the lock for `holder` (a DBAPI connection), waiting up to `timeout` seconds; `ahead`
        queues before every waiter that is not itself ahead (someone is waiting for the answer)."""
        me = threading.get_ident()
        with self._mutex:
            if self._holder is None and not self._queue:
                self._holder, self._thread = holder, me
                return True
            turn = threading.Event()
            entry = (turn, holder, me, ahead)
            if ahead:
                behind = (i for i, queued in enumerate(self._queue) if not queued[3])
                position = next(behind, len(self._queue))
                self._queue.insert(position, entry)
            else:
                self._queue.append(entry)
        if turn.wait(timeout):
            return True
        with self._mutex:
            if turn.is_set():  # handed over just as the wait ran out
                return True
            self._queue.remove(entry)
            return False

    def release(self, holder: object) -> None:
        """Give the lock up if `holder` has it (releasing twice, or for another, does nothing)."""
        with self._mutex:
            if self._holder is not holder:
                return
            if self._queue:
                turn, self._holder, self._thread, _ahead = self._queue.popleft()
                turn.set()
            else:
                self._holder = self._thread = None


_locks: dict[str, _WriteLock] = {}
_locks_lock = threading.Lock()


def _write_lock_for(database: str | None) -> _WriteLock:
    """One lock per database file in this process, whichever engines use it."""
    if not database or database == ":memory:" or database.startswith("file:"):
        return _WriteLock()
    key = os.path.realpath(database)
    with _locks_lock:
        return _locks.setdefault(key, _WriteLock())


def _raw(connection: Any) -> Any:
    """The sqlite3 connection behind SQLAlchemy's pool proxy (or the connection itself)."""
    return getattr(connection, "dbapi_connection", None) or connection


def _busy(error: sqlite3.Error) -> bool:
    name = getattr(error, "sqlite_errorname", None) or ""
    return name.startswith("SQLITE_BUSY") or "database is locked" in str(error)


# SQLite result codes after which a connection is not to be trusted again: it may have been
# opened read-only while the files were, or lost its file; a fresh one sees the database as it is.
_FAULTS = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN", "SQLITE_FULL", "SQLITE_BUSY",
           "SQLITE_CORRUPT", "SQLITE_NOTADB", "SQLITE_PROTOCOL")


def is_sqlite_fault(error: BaseException) -> bool:
    """Whether `error` is SQLite failing (read-only, I/O, locked beyond retry…), not a bad query."""
    if not isinstance(error, sqlite3.Error):
        return False
    name = getattr(error, "sqlite_errorname", None) or ""
    return name.startswith(_FAULTS) or _busy(error) or "readonly database" in str(error)


_wait_at_most: ContextVar[float | None] = ContextVar("sqlite_wait_at_most", default=None)


@contextlib.contextmanager
def waiting_at_most(seconds: float) -> Iterator[None]:
    """SQLite transactions begun inside go ahead of background work in the queue for the write
    lock, and wait for it at most `seconds` (a request a platform wants answered within seconds
    would rather fail fast than answer too late)."""
    token = _wait_at_most.set(seconds)
    try:
        yield
    finally:
        _wait_at_most.reset(token)


class SerialisedSQLiteDialect(SQLiteDialect_pysqlite):
    """pysqlite whose transactions take this process's write lock first, begin with a retried
    `BEGIN IMMEDIATE`, and give the lock back when they end however they end."""

    supports_statement_cache = True
    write_lock: _WriteLock
    write_wait: float = WRITE_WAIT
    health: DatabaseHealth
    # The sqlite3 connection's change count when its transaction began: a commit that changed
    # something proves the database takes writes again.
    _changes_at_begin: dict[int, int]

    def do_begin(self, dbapi_connection: Any) -> None:
        """Queue for the write lock, then `BEGIN IMMEDIATE`, retried while another process writes."""
        raw = _raw(dbapi_connection)
        if self.write_lock.held_by_this_thread():
            raise NestedTransactionError(
                "this thread already has a SQLite transaction open: finish it before beginning "
                "another (a nested session would wait for its own write lock)")
        started = time.monotonic()
        limit = _wait_at_most.get()
        write_wait = min(self.write_wait, limit or self.write_wait)
        if not self.write_lock.acquire(raw, write_wait, ahead=limit is not None):
            raise sqlite3.OperationalError(
                f"database is locked: this process's other transactions held the write lock for "
                f"{write_wait:.0f} s")
        try:
            while True:
                try:
                    # Nothing has happened in this transaction yet: a failed BEGIN is safe to repeat.
                    raw.execute("BEGIN IMMEDIATE")
                    break
                except sqlite3.OperationalError as error:
                    if not _busy(error):
                        raise
                    waited = time.monotonic() - started
                    if waited >= write_wait:
                        raise sqlite3.OperationalError(
                            f"database is locked: another process held the write lock for "
                            f"{waited:.0f} s") from error
                    log.info("database locked by another process; still waiting (%.0f s)", waited)
        except BaseException:
            self.write_lock.release(raw)
            raise
        self._changes_at_begin[id(raw)] = raw.total_changes

    def do_commit(self, dbapi_connection: Any) -> None:
        """Commit, then hand the write lock on (a commit that failed keeps it until the rollback)."""
        raw = _raw(dbapi_connection)
        super().do_commit(dbapi_connection)
        began = self._changes_at_begin.pop(id(raw), None)
        if not raw.in_transaction:
            self.write_lock.release(raw)
        if began is not None and raw.total_changes != began:
            self.health.succeeded()

    def do_rollback(self, dbapi_connection: Any) -> None:
        """Roll back, then hand the write lock on."""
        raw = _raw(dbapi_connection)
        try:
            super().do_rollback(dbapi_connection)
        finally:
            if not raw.in_transaction:
                self._changes_at_begin.pop(id(raw), None)
                self.write_lock.release(raw)

    def do_close(self, dbapi_connection: Any) -> None:
        """Close (an invalidated connection is closed mid-transaction); the lock goes with it."""
        raw = _raw(dbapi_connection)
        try:
            super().do_close(dbapi_connection)
        finally:
            self._changes_at_begin.pop(id(raw), None)
            self.write_lock.release(raw)


registry.register("sqlite.dialogbot", __name__, "SerialisedSQLiteDialect")


def _sqlite_connect(health: DatabaseHealth, busy_timeout: float) -> Callable[[Any, Any], None]:
    def on_connect(dbapi_connection: Any, record: Any) -> None:
        # Take transaction control from pysqlite (which begins lazily and lets a RELEASE
        # SAVEPOINT commit the outer transaction); the dialect emits BEGIN itself, see `do_begin`.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Only other processes get here (this process's threads queue on the write lock); each
        # BEGIN IMMEDIATE waits this long, and `do_begin` retries up to the write wait in all.
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        # In WAL mode, NORMAL syncs at checkpoints rather than at every commit: a committed
        # transaction survives the process being killed (the case "acknowledged means done" is
        # about), and only an operating-system crash or power cut can take back the last commits,
        # never corrupt the file. FULL would hold the process's one write lock across an fsync
        # for every acknowledged request. README "Deploying" says so.
        cursor.execute("PRAGMA synchronous=NORMAL")
        # No memory-mapped I/O on the database file, whatever this build's default: a mapped
        # file that becomes unreadable kills the process with SIGBUS. (WAL's -shm index is always
        # mapped; that risk remains, and a supervisor restarts the process: README "Deploying".)
        cursor.execute("PRAGMA mmap_size=0")
        cursor.close()
        # SQLite opens a file it cannot write read-only, and such a connection stays read-only
        # after the files are fixed: one opened during a fault serves one checkout only.
        record.info["opened_failing"] = not health.status().ok
        record.info["used"] = False

    return on_connect


def _sqlite_checkout(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
    if record.info.get("opened_failing") and record.info.get("used"):
        raise DisconnectionError("opened while the database was failing; replaced")
    record.info["used"] = True


def _sqlite_error(health: DatabaseHealth) -> Callable[[ExceptionContext], None]:
    def on_error(context: ExceptionContext) -> None:
        error = context.original_exception
        if isinstance(error, NestedTransactionError) or not is_sqlite_fault(error):
            return
        # Invalidate: this connection (and the pool's others, SQLAlchemy's rule for disconnects)
        # is replaced by a fresh one at next use, so a fault heals once the files do.
        context.is_disconnect = True
        health.failed(describe(error))

    return on_error


def make_sqlite_engine(parsed: URL, *, echo: bool, write_wait: float, busy_timeout: float,
                       health: DatabaseHealth) -> Engine:
    """An engine on the serialised dialect, with its pragmas, fault hooks and pool sizes."""
    if parsed.drivername in ("sqlite", "sqlite+pysqlite"):
        parsed = parsed.set(drivername="sqlite+dialogbot")
    # Threads queue on the write lock holding a connection: enough connections that they
    # never also queue in the pool, and never give up there sooner than on the lock. (An
    # in-memory database has one connection per thread and no such settings.)
    pooling = ({} if not parsed.database or parsed.database == ":memory:"
               else {"pool_size": 8, "max_overflow": 56, "pool_timeout": write_wait})
    engine = create_engine(parsed, echo=echo, connect_args={"check_same_thread": False},
                           **pooling)
    dialect = engine.dialect
    if isinstance(dialect, SerialisedSQLiteDialect):
        dialect.write_lock = _write_lock_for(parsed.database)
        dialect.write_wait = write_wait
        dialect.health = health
        dialect._changes_at_begin = {}
    event.listen(engine, "connect", _sqlite_connect(health, busy_timeout))
    event.listen(engine, "checkout", _sqlite_checkout)
    event.listen(engine, "handle_error", _sqlite_error(health))
    return engine
