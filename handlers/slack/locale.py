"""Each reader's language, from their Slack locale, looked up once and cached."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from services.i18n import Translator, language_of, translator

log = logging.getLogger(__name__)


class Locales:
    """Maps Slack user ids to a language (`en`/`nb`), falling back to DIALOG_LANGUAGE."""

    def __init__(
        self,
        client: WebClient,
        default_language: str,
        *,
        ttl_seconds: float = 24 * 3600,
        failure_ttl_seconds: float = 60,
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.default_language = default_language
        self._ttl = ttl_seconds
        self._failure_ttl = failure_ttl_seconds
        self._max = max_entries
        self._monotonic = monotonic
        # user id -> (when looked up, language, how long it holds)
        self._cache: OrderedDict[str, tuple[float, str, float]] = OrderedDict()
        self._lock = threading.Lock()
        self._in_flight: dict[str, threading.Lock] = {}
        self._warming: set[str] = set()
        self._warmer: ThreadPoolExecutor | None = None

    def language(self, user_id: str) -> str:
        """The language to address `user_id` in."""
        cached = self._cached(user_id)
        if cached is not None:
            return cached
        with self._lock:
            flight = self._in_flight.setdefault(user_id, threading.Lock())
        # One lookup per person even when several of their requests arrive at once.
        with flight:
            cached = self._cached(user_id)
            if cached is not None:
                return cached
            language, found = self._look_up(user_id)
            # A failed lookup (rate limit, timeout) is retried soon, not trusted for a day.
            ttl = self._ttl if found else self._failure_ttl
            with self._lock:
                self._cache[user_id] = (self._monotonic(), language, ttl)
                self._cache.move_to_end(user_id)
                while len(self._cache) > self._max:
                    self._cache.popitem(last=False)
                self._in_flight.pop(user_id, None)
        return language

    def _cached(self, user_id: str) -> str | None:
        with self._lock:
            hit = self._cache.get(user_id)
            if hit is None or self._monotonic() - hit[0] >= hit[2]:
                return None
            self._cache.move_to_end(user_id)
            return hit[1]

    def translator(self, user_id: str) -> Translator:
        """A translator in `user_id`'s language."""
        return translator(self.language(user_id))

    def for_delivery(self, user_id: str, hint: str | None) -> Translator:
        """The reader's language without waiting on Slack: known locale, else `hint` (their
        organisation's language), else the default. An unknown reader is looked up in the
        background, so the next message to them is in their own language."""
        known = self._cached(user_id)
        if known is None:
            self._warm(user_id)
        return translator(known or hint or self.default_language)

    def _warm(self, user_id: str) -> None:
        with self._lock:
            if user_id in self._warming:
                return
            self._warming.add(user_id)
            if self._warmer is None:
                self._warmer = ThreadPoolExecutor(max_workers=2, thread_name_prefix="locale")

        def look_up() -> None:
            try:
                self.language(user_id)
            finally:
                with self._lock:
                    self._warming.discard(user_id)

        self._warmer.submit(look_up)

    def close(self) -> None:
        """Drop queued background look-ups (a stopping bot must not wait on Slack for them)."""
        with self._lock:
            warmer, self._warmer = self._warmer, None
        if warmer is not None:
            warmer.shutdown(wait=False, cancel_futures=True)

    def known_translator(self, user_id: str) -> Translator:
        """A translator in `user_id`'s language if already known, else the default; never waits on Slack.

        For answers that must go back before the 3-second acknowledgement deadline.
        """
        return translator(self._cached(user_id) or self.default_language)

    def default_translator(self) -> Translator:
        """A translator in the workspace's default language (for channel posts)."""
        return translator(self.default_language)

    def _look_up(self, user_id: str) -> tuple[str, bool]:
        try:
            response = self._client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError) as exc:
            # Not fatal: the person is addressed in the default language this time.
            log.warning("could not look up the locale of %s: %s", user_id, exc)
            return self.default_language, False
        user = response.get("user") or {}
        return language_of(user.get("locale"), self.default_language), True
