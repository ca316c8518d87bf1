"""Engine and session factory, and the column type that keeps timestamps in aware UTC.

How an engine copes with a busy or failing database lives beside it: SQLite's one writer and its
faults in `storage.sqlite`, the health record in `storage.health`. The names other packages use
from there are re-exported here.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import DateTime, Engine, create_engine, event
from sqlalchemy.engine import Dialect, ExceptionContext, make_url
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import TypeDecorator

from storage.health import DatabaseHealth, DatabaseStatus, describe, health_of, remember
from storage.sqlite import (
    BUSY_TIMEOUT,
    WRITE_WAIT,
    NestedTransactionError,
    SerialisedSQLiteDialect,
    is_sqlite_fault,
    make_sqlite_engine,
    waiting_at_most,
)

__all__ = [
    "BUSY_TIMEOUT", "WRITE_WAIT", "DatabaseHealth", "DatabaseStatus", "NestedTransactionError",
    "SerialisedSQLiteDialect", "UTCDateTime", "health_of", "is_sqlite_fault", "make_engine",
    "make_session_factory", "normalise_url", "waiting_at_most",
]


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every backend.

    SQLite has no time zones and drops offsets, so values are normalised to UTC on the way in
    and marked UTC on the way out. Naive datetimes are refused: they are always a bug here.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(f"naive datetime {value!r}: store aware datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def normalise_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way (`postgresql://`, `postgres://`)."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    parsed = make_url(url)
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def _server_error(health: DatabaseHealth) -> Callable[[ExceptionContext], None]:
    def on_error(context: ExceptionContext) -> None:
        # SQLAlchemy recognises a lost server connection (and invalidates the pool) by itself;
        # it is only noted here, for /healthz and the watchdog.
        if context.is_disconnect or type(context.original_exception).__name__ == "OperationalError":
            health.failed(describe(context.original_exception))

    return on_error


def make_engine(url: str, *, echo: bool = False, write_wait: float = WRITE_WAIT,
                busy_timeout: float = BUSY_TIMEOUT,
                clock: Callable[[], float] = time.monotonic) -> Engine:
    """Create an engine for `url` with the settings each backend needs.

    SQLite: `write_wait` bounds a transaction's wait for the write lock in all, `busy_timeout`
    one `BEGIN IMMEDIATE` attempt against other processes; `clock` times faults for health.
    """
    url = normalise_url(url)
    health = DatabaseHealth(clock)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        engine = make_sqlite_engine(parsed, echo=echo, write_wait=write_wait, busy_timeout=busy_timeout,
                                    health=health)
    else:
        engine = create_engine(url, echo=echo, pool_pre_ping=True, pool_size=10, max_overflow=10)
        event.listen(engine, "handle_error", _server_error(health))
        event.listen(engine, "after_cursor_execute", lambda *_: health.succeeded())
    remember(engine, health)
    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded values after commit, so use cases can return them."""
    return sessionmaker(engine, expire_on_commit=False)
