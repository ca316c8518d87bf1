"""The scheduler: an interval job sweeps deliveries; use cases wake it for immediate work.

APScheduler's own job store is not relied on for correctness: the deliveries table is the
source of truth, and the sweep picks up whatever fell due while the bot was down.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from scheduling.jobs import DeliverySweep, heartbeat
from services.container import Services
from services.deliveries import HEARTBEAT

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "deliveries.sweep"
HEARTBEAT_JOB_ID = "workers.heartbeat"
SWEEP_SECONDS = 1.0


class _QuietSkips(logging.Filter):
    """A wake-up while the sweep runs is expected (the run goes round again); not worth a warning."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "maximum number of running instances reached" not in record.getMessage()


logging.getLogger("apscheduler.scheduler").addFilter(_QuietSkips())


def build_scheduler(services: Services, *, sweep_seconds: float = SWEEP_SECONDS) -> BackgroundScheduler:
    """A background scheduler with the delivery sweep, wired so use cases can wake it."""
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

    def wake() -> None:
        sweep.request()
        if scheduler.running:
            scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))

    services.deliveries.on_wake(wake)
    return scheduler
