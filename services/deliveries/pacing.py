"""Pacing: per-destination token buckets, the pause a rate limit imposes, and running claimed
rows in order per destination, side by side across destinations."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta

from sqlalchemy import update

from services.clock import Clock
from services.deliveries.common import LOOKUPS_AT_ONCE, EngineState, Key, SweepReport
from storage.models import Delivery, DeliveryState

log = logging.getLogger(__name__)


class Pacer:
    """At most `burst` posts at once per destination, then one per `interval` (a platform's
    `Pacing`). Per process: replicas share the limit through the platform's rate limits instead."""

    def __init__(self, clock: Clock, *, burst: int, interval: timedelta) -> None:
        self._clock = clock
        self._burst = burst
        self._interval = interval
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], tuple[float, datetime]] = {}

    def admit(self, destination: tuple[str, ...]) -> bool:
        """Take a token for `destination` if one is left."""
        now = self._clock.now()
        with self._lock:
            tokens, since = self._buckets.get(destination, (float(self._burst), now))
            refill = (now - since) / self._interval
            tokens = min(float(self._burst), tokens + refill)
            if tokens < 1:
                self._buckets[destination] = (tokens, now)
                return False
            self._buckets[destination] = (tokens - 1, now)
            if len(self._buckets) > 10_000:
                # Full buckets carry no information; forget them.
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self._burst - 1}
            return True


class Paced(EngineState):
    """Runs claimed rows within the platforms' limits."""

    def _pacer_for(self, platform: str) -> Pacer:
        """The token buckets of `platform`'s destinations, sized by its notifier's pacing."""
        with self._pacers_lock:
            pacer = self._pacers.get(platform)
            if pacer is None:
                pacing = self._notifier_for(platform).pacing
                pacer = self._pacers[platform] = Pacer(self._clock, burst=pacing.burst,
                                                       interval=pacing.interval)
            return pacer

    def _paused(self, platform: str) -> bool:
        with self._pause_lock:
            until = self._paused_until.get(platform)
        return until is not None and self._clock.now() < until

    def _active_platforms(self) -> list[str]:
        """The platforms this engine serves that are not waiting out a rate limit."""
        return [platform for platform in self._notifiers if not self._paused(platform)]

    def _pause(self, platform: str, retry_after: float) -> None:
        until = self._clock.now() + timedelta(seconds=retry_after)
        with self._pause_lock:
            # Several sends may be told to wait at once: the longest wait wins.
            if platform not in self._paused_until or until > self._paused_until[platform]:
                self._paused_until[platform] = until
        log.info("rate limited: sending to %s paused for %.0f s", platform, retry_after)

    def _run(self, claim: Callable[[], list[tuple[int, Key]]], handle: Callable[[int, SweepReport], None],
             report: SweepReport) -> None:
        if not self._active_platforms():
            return
        claimed = claim()

        def in_order(delivery_ids: list[int], platform: str) -> None:
            for position, delivery_id in enumerate(delivery_ids):
                if self._paused(platform):
                    # Rate limited meanwhile: hand the rest back untouched, due when the pause ends.
                    self._unclaim(delivery_ids[position:], platform)
                    report.retrying.extend(delivery_ids[position:])
                    return
                handle(delivery_id, report)

        # One destination's messages go in order (an invitation before its reminder); different
        # destinations are different conversations, each with its own limit, so they go side by side.
        groups: dict[Key, list[int]] = {}
        for delivery_id, destination in claimed:
            groups.setdefault(destination, []).append(delivery_id)
        if self._workers == 1 or len(groups) <= 1:
            for destination, delivery_ids in groups.items():
                in_order(delivery_ids, destination[0])
            return
        # `workers` runners take destinations in turn: sends stay `workers` at once while the
        # pool's other threads are free for crash look-ups.
        pending = iter(list(groups.items()))
        lock = threading.Lock()

        def runner() -> None:
            while True:
                with lock:
                    group = next(pending, None)
                if group is None:
                    return
                in_order(group[1], group[0][0])

        runners = [self._executor().submit(runner) for _ in range(min(self._workers, len(groups)))]
        for future in runners:
            future.result()

    def _executor(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._workers + LOOKUPS_AT_ONCE,
                                                thread_name_prefix="delivery")
            return self._pool

    def _unclaim(self, delivery_ids: list[int], platform: str) -> None:
        with self._pause_lock:
            until = self._paused_until.get(platform)
        with self._sessions.begin() as session:
            for delivery_id in delivery_ids:
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.claimed_by == self.worker_id,
                           Delivery.state == DeliveryState.SENDING)
                    .values(state=DeliveryState.PENDING, claimed_by=None, claimed_at=None,
                            send_started_at=None, attempts=Delivery.attempts - 1,
                            next_attempt_at=until)
                )
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENT)
                    .values(update_claimed_at=None)
                )
