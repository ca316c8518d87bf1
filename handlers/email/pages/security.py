"""What every /p/ response carries and every /p/ request passes: security headers, and a budget
of requests per client address.

The pages are reached from e-mail by people without an account: the signed token in the path is
the only key, so nothing may leak it (no referrer, no caching, no indexing, no framing), and
nobody may try tokens or addresses in bulk (a token bucket per client address).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

PAGES_PREFIX = "/p/"
RATE = 60
"""Requests per minute per client address: far more than a person clicking, far fewer than a
script trying tokens."""
MAX_CLIENTS = 10_000
"""Client addresses tracked at once; beyond it the idle ones are forgotten (memory stays bounded
when many addresses each send a little)."""

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    # The token is in the URL: no other site may learn it from a link followed on a page.
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    # Personal pages: not kept by a browser or a proxy, not indexed.
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Robots-Tag": "noindex, nofollow",
}


@dataclass
class _Bucket:
    tokens: float
    at: float


class RateLimiter:
    """A token bucket per client address: `rate` requests a minute, in bursts up to `rate`.

    Held in memory: a restart forgets it, and replicas each keep their own, which only widens
    the budget by their number.
    """

    def __init__(self, rate: int = RATE, clock: Callable[[], float] = time.monotonic) -> None:
        self._rate = float(rate)
        self._per_second = rate / 60.0
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def allow(self, client: str) -> bool:
        """Whether `client` may make a request now (spending one of its tokens if so)."""
        now = self._clock()
        with self._lock:
            bucket = self._buckets.get(client)
            if bucket is None:
                if len(self._buckets) >= MAX_CLIENTS:
                    self._forget_idle(now)
                bucket = self._buckets[client] = _Bucket(self._rate, now)
            else:
                bucket.tokens = min(self._rate, bucket.tokens + max(0.0, now - bucket.at) * self._per_second)
                bucket.at = now
            if bucket.tokens < 1:
                return False
            bucket.tokens -= 1
            return True

    def _forget_idle(self, now: float) -> None:
        full = [client for client, bucket in self._buckets.items()
                if bucket.tokens + (now - bucket.at) * self._per_second >= self._rate]
        for client in full:
            del self._buckets[client]
        if len(self._buckets) >= MAX_CLIENTS:
            # Everyone is busy: forget the oldest half rather than grow without bound.
            for client in sorted(self._buckets, key=lambda c: self._buckets[c].at)[:MAX_CLIENTS // 2]:
                del self._buckets[client]
