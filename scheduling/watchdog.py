"""The watchdog: a database that keeps failing ends the process, for its supervisor to restart.

A transient fault heals by itself (the engine replaces connections that hit it, and every job
goes on trying). One that lasts longer than `GIVE_UP_AFTER` is not going to: this process logs
one line saying so and exits with `EXIT_DATABASE_LOST`, and the supervisor (systemd
`Restart=on-failure`, a container restart policy) starts a fresh one, whose start-up recovery
finishes whatever this one left half-done, exactly once.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable

from services.container import Services

log = logging.getLogger(__name__)

WATCHDOG_JOB_ID = "database.watchdog"
WATCHDOG_SECONDS = 5.0
GIVE_UP_AFTER = 60.0
"""Seconds of an uninterrupted database fault after which the process exits."""
EXIT_DATABASE_LOST = 75
"""The exit status then (EX_TEMPFAIL: try again later)."""


def exit_for_supervisor(status: int) -> None:
    """End the process now with `status`: a clean shutdown would need the database that is gone,
    and what it leaves claimed is recovered by the next process as after a crash."""
    logging.shutdown()  # the line saying why must reach the log first
    os._exit(status)


class DatabaseWatchdog:
    """A job: exits the process when the database has failed for longer than `give_up_after`."""

    def __init__(self, services: Services, *, give_up_after: float = GIVE_UP_AFTER,
                 exit: Callable[[int], None] = exit_for_supervisor) -> None:
        self._services = services
        self._give_up_after = give_up_after
        self._exit = exit

    def __call__(self) -> None:
        """Check once; never raises into the scheduler."""
        try:
            self.check()
        except Exception:  # noqa: BLE001 - a job logs and carries on; the next tick checks again
            log.exception("database watchdog failed")

    def check(self) -> bool:
        """Exit (through the exit function) if the database has failed for too long; True if so."""
        status = self._services.database_status()
        if status.ok or status.failing_for < self._give_up_after:
            return False
        log.critical("the database has failed for %.0f s (%s): exiting with status %d for the "
                     "supervisor to restart the bot", status.failing_for, status.reason,
                     EXIT_DATABASE_LOST)
        self._exit(EXIT_DATABASE_LOST)
        return True
