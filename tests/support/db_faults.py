"""Database trouble on demand: a read-only fault, a CPU hog, another process holding SQLite's
write lock, and a clock for timing faults that moves only when told to."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event

from storage.db import make_engine
from storage.migrate import upgrade

HOG = "import sys, time\nend = time.monotonic() + float(sys.argv[1])\nwhile time.monotonic() < end:\n    pass\n"

HOLDER = """\
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
connection.execute("BEGIN IMMEDIATE")
connection.execute("INSERT INTO hits(who) VALUES ('holder')")
print("holding", flush=True)
sys.stdin.readline()  # holds the write lock until told (or killed)
connection.execute("COMMIT")
print("released", flush=True)
"""


class Ticks:
    """A monotonic clock in seconds that moves only when told to."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        """Move forward by `seconds`."""
        self.now += seconds


class ReadOnlyFault:
    """The database files turning read-only, as SQLite meets it, and working as root (where chmod
    does not): while on, a connection opened is opened read-only (reads work, writes fail with
    "attempt to write a readonly database", and it stays read-only for good, as SQLite's fallback
    does), and a connection opened before is spoiled for good at its next checkout."""

    def __init__(self, engine: Engine) -> None:
        self.on = False
        self.opened_read_only = 0
        self.spoiled = 0
        event.listen(engine, "do_connect", self._connect)
        event.listen(engine, "checkout", self._checkout)

    def _connect(self, _dialect: Any, record: Any, cargs: list[Any], cparams: dict[str, Any]) -> None:
        if self.on:
            cargs[0] = f"file:{cargs[0]}?mode=ro"
            cparams["uri"] = True
            record.info["read_only"] = True
            self.opened_read_only += 1

    def _checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if self.on and not record.info.get("read_only"):
            dbapi_connection.execute("PRAGMA query_only=1")
            record.info["read_only"] = True
            self.spoiled += 1


@contextmanager
def cpu_hog(seconds: float = 60.0) -> Iterator[None]:
    """One busy process per core beside the test, bounded in time and killed at the end."""
    hogs = [subprocess.Popen([sys.executable, "-c", HOG, str(seconds)]) for _ in range(os.cpu_count() or 2)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait(timeout=10)


@contextmanager
def write_lock_holder(database: str) -> Iterator[subprocess.Popen[str]]:
    """Another process inside a write transaction on `database` (it has written a 'holder' row)
    until a line is written to its stdin; killed at the end whatever happened."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, database], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        yield holder
    finally:
        holder.kill()
        holder.wait(timeout=10)


def release(holder: subprocess.Popen[str]) -> None:
    """Tell a `write_lock_holder` to commit, and wait until it has."""
    assert holder.stdin is not None and holder.stdout is not None
    holder.stdin.write("\n")
    holder.stdin.flush()
    assert holder.stdout.readline().strip() == "released"


def migrated_engine(path: Path, clock: Ticks) -> Engine:
    """A migrated SQLite database at `path`, on an engine whose fault record runs on `clock`.

    A short write wait: a write lock leaked by a broken connection would fail this fast."""
    url = f"sqlite:///{path}"
    setup = make_engine(url)
    upgrade(setup)
    setup.dispose()
    return make_engine(url, clock=clock, write_wait=5)
