"""The scheduler: an interval job sweeps deliveries; use cases wake it for immediate work.

APScheduler's own job store is not relied on for correctness: the deliveries table is the
source of truth, and the sweep picks up whatever fell due while the bot was down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from scheduling.jobs import DeliverySweep, heartbeat, resume_requests
from scheduling.watchdog import WATCHDOG_JOB_ID, WATCHDOG_SECONDS, DatabaseWatchdog, exit_for_supervisor
from services.container import Services
from services.deliveries import HEARTBEAT

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "deliveries.sweep"
HEARTBEAT_JOB_ID = "workers.heartbeat"
SWEEP_SECONDS = 1.0
RESUME_JOB_ID = "inbox.resume"
RESUME_SECONDS = 2.0


class _QuietSkips(logging.Filter):
    """A wake-up while the sweep runs is expected (the run goes round again); not worth a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_QuietSkips())


def build_scheduler(services: Services, *, sweep_seconds: float = SWEEP_SECONDS,
                    on_database_lost: Callable[[int], None] = exit_for_supervisor) -> BackgroundScheduler:
    """A background scheduler with the delivery sweep, wired so use cases can wake it, and the
    database watchdog (which calls `on_database_lost` with the exit status)."""
    scheduler = BackgroundScheduler(timezone=UTC)
    sweep = DeliverySweep(services)
    scheduler.add_job(
        sweep,
        "interval",
        seconds=sweep_seconds,
        id=SWEEP_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        # Runs that could not start on time are simply the next tick's work.
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )

    # Beats from a job of its own: a long sweep (a big fan-out) must not look like a dead worker.
    scheduler.add_job(
        heartbeat,
        "interval",
        args=(services,),
        seconds=HEARTBEAT.total_seconds(),
        id=HEARTBEAT_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )

    # Requests acknowledged but left unfinished by a process that died are picked up from here.
    scheduler.add_job(
        resume_requests,
        "interval",
        args=(services,),
        seconds=RESUME_SECONDS,
        id=RESUME_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
        next_run_time=datetime.now(UTC),
    )

    # A database that keeps failing ends the process (see scheduling/watchdog.py).
    scheduler.add_job(
        DatabaseWatchdog(services, exit=on_database_lost),
        "interval",
        seconds=WATCHDOG_SECONDS,
        id=WATCHDOG_JOB_ID,
        replace_existing=True,
        max_instances=1,
        coalesce=True,
        misfire_grace_time=None,
    )

    def wake() -> None:
        sweep.request()
        if scheduler.running:
            scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))

    services.deliveries.on_wake(wake)
    return scheduler
