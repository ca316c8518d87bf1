"""Scheduled jobs: each calls one service, logs, and never raises into the scheduler."""

from __future__ import annotations

import logging
import threading

from services.container import Services

log = logging.getLogger(__name__)


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
            except Exception:  # noqa: BLE001 - a job logs and carries on; the next tick retries
                log.exception("delivery sweep failed")
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
    except Exception:  # noqa: BLE001 - a job logs and carries on; the next beat retries
        log.exception("heartbeat failed")
