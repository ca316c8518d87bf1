"""The scheduler: an interval job sweeps deliveries; use cases wake it for immediate work.

APScheduler's own job store is not relied on for correctness: the deliveries table is the
source of truth, and the sweep picks up whatever fell due while the bot was down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial

from apscheduler.schedulers.background import BackgroundScheduler

from scheduling.jobs import (
    DeliverySweep,
    apply_retention,
    fill_meeting_links,
    finalise_minutes,
    heartbeat,
    resume_requests,
)
from scheduling.watchdog import WATCHDOG_JOB_ID, WATCHDOG_SECONDS, DatabaseWatchdog, exit_for_supervisor
from services.container import Services
from services.deliveries import HEARTBEAT

log = logging.getLogger(__name__)

SWEEP_JOB_ID = "deliveries.sweep"
HEARTBEAT_JOB_ID = "workers.heartbeat"
SWEEP_SECONDS = 1.0
RESUME_JOB_ID = "inbox.resume"
RESUME_SECONDS = 2.0
MINUTES_FINAL_JOB_ID = "minutes.finalise"
RETENTION_JOB_ID = "privacy.retention"
# Hourly: cheap when there is nothing to do, and a restart never postpones it by much.
RETENTION_SECONDS = 3600.0
# Review deadlines are days apart; a minute late is on time.
MINUTES_FINAL_SECONDS = 60.0
LINKS_JOB_ID = "meetings.links"
# An urgent call's invitations go out at once; its Teams link follows within this.
LINKS_SECONDS = 15.0


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
    _every(scheduler, sweep, sweep_seconds, SWEEP_JOB_ID)
    # Beats from a job of its own: a long sweep (a big fan-out) must not look like a dead worker.
    _every(scheduler, partial(heartbeat, services), HEARTBEAT.total_seconds(), HEARTBEAT_JOB_ID)
    # Requests acknowledged but left unfinished by a process that died are picked up from here.
    _every(scheduler, partial(resume_requests, services), RESUME_SECONDS, RESUME_JOB_ID)
    # Draft minutes whose review period has passed become final and go out to everyone.
    _every(scheduler, partial(finalise_minutes, services), MINUTES_FINAL_SECONDS, MINUTES_FINAL_JOB_ID)
    if services.meeting_links is not None:
        # Teams online meetings for meetings without a link, when Microsoft Graph is configured.
        _every(scheduler, partial(fill_meeting_links, services), LINKS_SECONDS, LINKS_JOB_ID)
    # A database that keeps failing ends the process (see scheduling/watchdog.py); its first look
    # waits a period, as there is nothing to watch at start.
    _every(scheduler, partial(apply_retention, services), RETENTION_SECONDS, RETENTION_JOB_ID, at_once=False)
    _every(scheduler, DatabaseWatchdog(services, exit=on_database_lost), WATCHDOG_SECONDS, WATCHDOG_JOB_ID,
           at_once=False)

    def wake() -> None:
        sweep.request()
        if scheduler.running:
            scheduler.modify_job(SWEEP_JOB_ID, next_run_time=datetime.now(UTC))

    services.deliveries.on_wake(wake)
    return scheduler


def _every(scheduler: BackgroundScheduler, job: Callable[[], None], seconds: float, job_id: str, *,
           at_once: bool = True) -> None:
    """Run `job` every `seconds` under an explicit id: one instance at a time, late runs folded into
    the next tick (APScheduler's default misfire grace would silently drop them)."""
    scheduler.add_job(job, "interval", seconds=seconds, id=job_id, replace_existing=True, max_instances=1,
                      coalesce=True, misfire_grace_time=None,
                      **({"next_run_time": datetime.now(UTC)} if at_once else {}))
