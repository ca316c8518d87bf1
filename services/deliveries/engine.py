"""The delivery engine: `Deliveries` composes planning, sending, recovery, updates and pacing.

A use case *plans* a delivery (a row, in its own transaction). The sweep claims rows that are
due, asks the registered composer what the message says now, sends it through the Notifier of
the row's platform and records the platform's reference. Rows caught mid-send by a crash are
checked against the platform before being sent again. Sent messages whose content changed are
updated in place, at most once per the platform's update gap each, which coalesces bursts of
changes. Each platform's notifier says how fast it may be posted to (`Pacing`). A rate limit
pauses that platform's sending (and only that platform's) in this process for as long as it asks.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import datetime, timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries.common import (
    LOOKUP_BURST,
    LOOKUP_INTERVAL,
    Composer,
    Fallback,
    Key,
    LanguageOf,
    Settled,
    Suppressed,
    SweepReport,
)
from services.deliveries.pacing import Paced, Pacer
from services.deliveries.planning import Planning
from services.deliveries.recovery import Recovery
from services.deliveries.sending import Sending
from services.deliveries.updates import Updates
from services.messages import OutgoingMessage
from services.ports import Notifier
from storage.models import Delivery, Worker

log = logging.getLogger(__name__)


class Deliveries(Planning, Sending, Recovery, Updates, Paced):
    """Plans deliveries and sends the ones that are due, each through its platform's notifier.

    `notifiers` maps a platform to its notifier; a single notifier stands for its own `platform`.
    Rows of platforms without a notifier here are left alone: the process serving that platform
    sends them, so two platforms sharing one database never send each other's rows.
    """

    def __init__(self, sessions: sessionmaker[Session], clock: Clock,
                 notifiers: Mapping[str, Notifier] | Notifier, *, workers: int = 8,
                 language: LanguageOf | None = None, suppressed: Suppressed | None = None,
                 fallback: Fallback | None = None) -> None:
        self._sessions = sessions
        self._suppressed: Suppressed = suppressed or (lambda session, delivery: False)
        # Where a person's row goes when their platform refuses it for good (None: nowhere).
        self._fallback: Fallback = fallback or (lambda session, delivery: None)
        # Who reads a message in which language, asked as each one is sent (None: the row's hint).
        self._language_of: LanguageOf = language or (lambda session, delivery: None)
        self._clock = clock
        if isinstance(notifiers, Mapping):
            self._notifiers = dict(notifiers)
        else:
            self._notifiers = {notifiers.platform: notifiers}
        if not self._notifiers:
            raise ValueError("deliveries need a notifier for at least one platform")
        self._workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        # Token buckets per platform (sized by its notifier's pacing) and destination.
        self._pacers: dict[str, Pacer] = {}
        self._pacers_lock = threading.Lock()
        self._lookup_pacer = Pacer(clock, burst=LOOKUP_BURST, interval=LOOKUP_INTERVAL)
        # Per platform: one platform's rate limit never holds another's messages back.
        self._lookups_paused_until: dict[str, datetime] = {}
        # Look-ups running in the pool, which may outlive the sweep that started them, and the
        # destinations they read (counted down by the look-up itself, before its future is done).
        self._lookups: set[Future[None]] = set()
        self._looking: Counter[Key] = Counter()
        self._lookups_lock = threading.Lock()
        self._composers: dict[str, Composer] = {}
        self._background: set[str] = set()
        self._settled: list[Settled] = []
        self._wake: Callable[[], None] = lambda: None
        self._paused_until: dict[str, datetime] = {}
        self._pause_lock = threading.Lock()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    @property
    def platforms(self) -> tuple[str, ...]:
        """The platforms whose deliveries this engine sends."""
        return tuple(self._notifiers)

    def register(self, kind: str, composer: Composer, *, background: bool = False) -> None:
        """Say how to compose deliveries of `kind` from the current state of the database;
        `background` kinds go out after every other due message (a notice never holds up an
        invitation)."""
        self._composers[kind] = composer
        if background:
            self._background.add(kind)

    def on_settled(self, listener: Settled) -> None:
        """Run `listener` whenever a delivery is sent, fails for good, or is skipped."""
        self._settled.append(listener)

    def on_wake(self, wake: Callable[[], None]) -> None:
        """Install what `wake()` does: the scheduler runs a sweep as soon as it can."""
        self._wake = wake

    def wake(self) -> None:
        """Ask for a sweep soon (after a use case committed new or changed deliveries)."""
        self._wake()

    def sweep(self) -> SweepReport:
        """Send what is due, recover what a crash left mid-send, and refresh changed messages."""
        report = SweepReport()
        self.heartbeat()
        # Rows a dead worker only claimed go straight back: they were never handed to the platform.
        self._release_unstarted(report)
        started = self._start_lookups(report)
        self._run(self._claim_due, self._send_one, report)
        if started and not (report.sent or report.skipped or report.failed):
            # Nothing else to send: wait for the look-ups, then send what they found missing (and
            # later rows for the same destinations). While there is other work they finish in the
            # background and wake the sweep: a slow read never holds up sending elsewhere.
            wait(started)
            self._run(self._claim_due, self._send_one, report)
        self._run(self._claim_stale, self._update_one, report)
        return report

    def wait_for_lookups(self) -> None:
        """Wait until crash look-ups running in the background are done (for stopping, and tests)."""
        with self._lookups_lock:
            running = list(self._lookups)
        wait(running)

    def heartbeat(self) -> None:
        """Tell other workers this one is alive (and forget workers long gone)."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            beat = session.execute(
                update(Worker).where(Worker.id == self.worker_id).values(heartbeat_at=now)
            )
            if beat.rowcount == 0:
                try:
                    with session.begin_nested():
                        session.add(Worker(id=self.worker_id, started_at=now, heartbeat_at=now))
                except IntegrityError:
                    pass  # the sweep's first beat and the heartbeat job's raced; one row is enough
            session.execute(delete(Worker).where(Worker.heartbeat_at < now - timedelta(days=1)))

    def retire(self) -> None:
        """Say this worker is stopping: a restart need not wait for its heartbeat to go stale."""
        self.wait_for_lookups()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        with self._sessions.begin() as session:
            session.execute(delete(Worker).where(Worker.id == self.worker_id))

    def _compose(self, session: Session, delivery: Delivery) -> OutgoingMessage | None:
        composer = self._composers.get(delivery.kind)
        if composer is None:
            log.error("delivery %s has kind %r, which nothing composes; skipping it",
                      delivery.id, delivery.kind)
            return None
        return composer(session, delivery)
