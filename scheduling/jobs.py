"""Scheduled jobs: each calls one service, logs, and never raises into the scheduler."""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import OperationalError

from services.container import Services

log = logging.getLogger(__name__)


def log_failure(what: str, error: Exception) -> None:
    """Log a job's failure: one line when the database is failing (the engine has logged the
    fault, the watchdog counts it, and a traceback a second would bury both), else a traceback."""
    if isinstance(error, OperationalError):
        reason = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
        log.warning("%s: database error: %s", what, reason)
    else:
        log.error("%s", what, exc_info=error)


class DeliverySweep:
    """Runs the delivery sweep; a wake-up during a run makes it sweep once more at the end."""

    def __init__(self, services: Services) -> None:
        self._services = services
        self._again = threading.Event()

    def request(self) -> None:
        """Note that new work arrived (the running sweep, if any, will go round again)."""
        self._again.set()

    def __call__(self) -> None:
        # Bounded: a flood of wake-ups cannot keep one run going for ever.
        for _ in range(20):
            self._again.clear()
            try:
                report = self._services.deliveries.sweep()
            except Exception as error:  # noqa: BLE001 - a job logs and carries on; the next tick retries
                log_failure("delivery sweep failed", error)
                return
            if report.busy:
                log.info(
                    "sweep: sent %d, updated %d, skipped %d, failed %d, retrying %d, recovered %d",
                    len(report.sent), len(report.updated), len(report.skipped),
                    len(report.failed), len(report.retrying), len(report.recovered),
                )
            if not self._again.is_set():
                return


def heartbeat(services: Services) -> None:
    """Keep this worker's claims its own while it lives."""
    try:
        services.deliveries.heartbeat()
    except Exception as error:  # noqa: BLE001 - a job logs and carries on; the next beat retries
        log_failure("heartbeat failed", error)


def finalise_minutes(services: Services) -> None:
    """Make final the draft minutes whose review period has passed (they go out to everyone)."""
    try:
        count = services.minutes.review.finalise_due()
    except Exception as error:  # noqa: BLE001 - a job logs and carries on; the next tick retries
        log_failure("finalising minutes failed", error)
        return
    if count:
        log.info("made %d draft minutes final", count)


def resume_requests(services: Services) -> None:
    """Process requests that were acknowledged but left unfinished (a crash, a database fault)."""
    try:
        handed = services.inbox.resume()
    except Exception:  # noqa: BLE001 - a job logs and carries on; the next tick retries
        log.exception("resuming unfinished requests failed")
        return
    if handed:
        log.info("resumed %d unfinished request(s)", handed)


def fill_meeting_links(services: Services) -> None:
    """Give meetings without a link their Teams online meeting (Graph asked outside any transaction)."""
    if services.meeting_links is None:
        return
    made = services.meeting_links.fill()  # logs its own failures and never raises
    if made:
        log.info("made Teams meeting links for %d meeting(s)", made)


def apply_retention(services: Services) -> None:
    """Remove per-person data older than DIALOG_RETENTION (answers made anonymous, old messages gone)."""
    try:
        report = services.privacy.retention()
    except Exception as error:  # noqa: BLE001 - a job logs and carries on; the next run retries
        log_failure("retention failed", error)
        return
    if report.total:
        log.info("retention: %d answers made anonymous, %d messages and %d comments deleted (before %s)",
                 report.answers, report.messages, report.comments, report.cutoff.isoformat())
