"""What the engine's own traffic says about the database: answering, or failing since when and why.

Read by /healthz and the watchdog; fed by the engine's event hooks (see `storage.db.make_engine`
and `storage.sqlite`), never by a probe of its own.
"""

from __future__ import annotations

import logging
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DatabaseStatus:
    """The database as this process last saw it: answering, or failing for how long and why."""

    ok: bool
    failing_for: float = 0.0
    reason: str = ""


class DatabaseHealth:
    """What the engine's own traffic says about the database: failing from the first fault
    (read-only, I/O error, locked beyond every retry, unreachable) until a write succeeds again."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._failing_since: float | None = None
        self._reason = ""

    def failed(self, reason: str) -> None:
        """Note a fault; the first one since the last success starts the count."""
        with self._lock:
            if self._failing_since is None:
                self._failing_since = self._clock()
                log.error("database failing: %s", reason)
            self._reason = reason

    def succeeded(self) -> None:
        """Note that the database did its job again."""
        if self._failing_since is None:  # the common case, without the lock
            return
        with self._lock:
            if self._failing_since is not None:
                log.warning("database answers again after %.0f s", self._clock() - self._failing_since)
            self._failing_since = None
            self._reason = ""

    def status(self) -> DatabaseStatus:
        """The current state, with how long it has been failing."""
        with self._lock:
            if self._failing_since is None:
                return DatabaseStatus(ok=True)
            return DatabaseStatus(ok=False, failing_for=max(0.0, self._clock() - self._failing_since),
                                  reason=self._reason)


_health: weakref.WeakKeyDictionary[Engine, DatabaseHealth] = weakref.WeakKeyDictionary()
_health_lock = threading.Lock()


def health_of(engine: Engine) -> DatabaseHealth:
    """The health record of an engine made by `make_engine` (a fresh one for any other)."""
    with _health_lock:
        return _health.setdefault(engine, DatabaseHealth())


def remember(engine: Engine, health: DatabaseHealth) -> None:
    """Make `health` the record `health_of(engine)` returns."""
    with _health_lock:
        _health[engine] = health


def describe(error: BaseException) -> str:
    """The first line of an error's message, for a health record or a log line."""
    return (str(error).strip().splitlines() or [type(error).__name__])[0]
