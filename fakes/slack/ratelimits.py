"""Slack's rate limits: the published tiers, the token buckets that model them, and the fake's switch
to enforce them."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fakes.slack.common import _ApiError


@dataclass(frozen=True)
class RateLimit:
    """A token bucket: up to ``burst`` calls at once, refilled at ``per_minute`` calls a minute."""

    per_minute: float
    burst: int

    @property
    def per_second(self) -> float:
        return self.per_minute / 60.0


# Slack's tiers, "applied on a 'per API method per app per workspace' basis"
# (https://api.slack.com/apis/rate-limits; the same table at docs.slack.dev/apis/web-api/rate-limits):
#   Tier 1  "1+ per minute"   "Access tier 1 methods infrequently. A small amount of burst
#                              behavior is tolerated."
#   Tier 2  "20+ per minute"  "... while allowing for occasional bursts of more requests."
#   Tier 3  "50+ per minute"  "... Sporadic bursts are welcome."
#   Tier 4  "100+ per minute" "Enjoy a large request quota for Tier 4 methods, including generous
#                              burst behavior."
# "Rate limit windows are per minute", so a burst of one minute's allowance is modelled (Tier 1:
# a small burst of 3), refilled evenly. The fake enforces the lower bound ("N+") of each tier.
TIER_1 = RateLimit(per_minute=1, burst=3)
TIER_2 = RateLimit(per_minute=20, burst=20)
TIER_3 = RateLimit(per_minute=50, burst=50)
TIER_4 = RateLimit(per_minute=100, burst=100)

# chat.postMessage is in Slack's special tier: it "generally allows posting one message per
# second per channel, while also maintaining a workspace-wide limit" (rate-limits overview;
# "Posting messages: 1 per second. Short bursts >1 allowed."). Per channel: 1/s with a burst of
# 3. Slack publishes no number for the workspace-wide limit; the fake assumes 300 a minute with a
# burst of 100 (change POST_MESSAGE_WORKSPACE to try others).
POST_MESSAGE_PER_CHANNEL = RateLimit(per_minute=60, burst=3)
POST_MESSAGE_WORKSPACE = RateLimit(per_minute=300, burst=100)

# The tier of each method the fake implements, from the "Rate limits" fact of each method's
# reference page (api.slack.com/methods/<method>, docs.slack.dev/reference/methods/<method>):
METHOD_RATE_LIMITS: Mapping[str, RateLimit] = {
    # Special: "This method allows hundreds of requests per minute." Modelled as 200/min.
    "auth.test": RateLimit(per_minute=200, burst=200),
    # Tier 1 on api.slack.com/methods/apps.connections.open (newer listings say Tier 3; the
    # stricter one is used).
    "apps.connections.open": TIER_1,
    "chat.update": TIER_3,
    "chat.delete": TIER_3,
    "chat.postEphemeral": TIER_4,
    "conversations.open": TIER_3,
    "conversations.info": TIER_3,
    # Tier 3 for Marketplace and internal apps; since 2025 commercially distributed
    # non-Marketplace apps get 1 request per minute here (not modelled).
    "conversations.history": TIER_3,
    "conversations.replies": TIER_3,
    "users.info": TIER_4,
    "views.open": TIER_4,
    "views.push": TIER_4,
    "views.update": TIER_4,
    "views.publish": TIER_4,
}
"""Per-method limits; chat.postMessage is limited by the two buckets above instead."""


class _Bucket:
    """A token bucket on the fake's clock (seconds)."""

    def __init__(self, limit: RateLimit, now: float) -> None:
        self.limit = limit
        self.tokens = float(limit.burst)
        self.stamp = now

    def refill(self, now: float) -> None:
        elapsed = max(0.0, now - self.stamp)
        self.tokens = min(float(self.limit.burst), self.tokens + elapsed * self.limit.per_second)
        self.stamp = max(self.stamp, now)

    def wait(self) -> float:
        """Seconds until a token is available (0 when one is); call after :meth:`refill`."""
        if self.tokens >= 1.0:
            return 0.0
        return (1.0 - self.tokens) / self.limit.per_second


class RateLimitsMixin:
    """Slack's published rate limits, opt-in: token buckets per method, per channel and per workspace."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    def set_rate_limits(self, enabled: bool) -> None:
        """Enforce Slack's rate limits from now on (every bucket starts full), or stop."""
        with self._lock:
            self._rate_limits_on = bool(enabled)
            self._buckets.clear()

    @property
    def rate_limits_enabled(self) -> bool:
        """Whether calls over Slack's rate limits are answered with 429."""
        with self._lock:
            return self._rate_limits_on

    def rate_limited_counts(self) -> dict[str, int]:
        """How many 429 answers each method got (enforced limits and :meth:`fail_next` alike)."""
        with self._lock:
            return dict(self._rate_limited)

    def _take_rate_limit(self, method: str, params: Mapping[str, Any]) -> int | None:
        """Take a token from every bucket the call counts against; if one is empty, take none
        and return the ``Retry-After`` seconds (None: the call may go ahead)."""
        if not self._rate_limits_on:
            return None
        if method == "chat.postMessage":
            keys: list[tuple[str, str, RateLimit]] = [(method, "", POST_MESSAGE_WORKSPACE)]
            try:
                channel = self._resolve_target(params.get("channel"))
            except _ApiError:
                channel = None  # answered with channel_not_found by the method itself
            if channel is not None:
                keys.append((method, channel, POST_MESSAGE_PER_CHANNEL))
        elif method in METHOD_RATE_LIMITS:
            keys = [(method, "", METHOD_RATE_LIMITS[method])]
        else:
            return None
        now = self._clock()
        buckets = []
        for name, scope, limit in keys:
            bucket = self._buckets.get((name, scope))
            if bucket is None:
                bucket = self._buckets[(name, scope)] = _Bucket(limit, now)
            bucket.refill(now)
            buckets.append(bucket)
        wait = max(bucket.wait() for bucket in buckets)
        if wait > 0:
            return max(1, math.ceil(wait))
        for bucket in buckets:
            bucket.tokens -= 1.0
        return None
