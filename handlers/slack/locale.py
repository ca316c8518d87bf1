"""Each reader's language, from their Slack locale, looked up once and cached."""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

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
        max_entries: int = 10_000,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._client = client
        self.default_language = default_language
        self._ttl = ttl_seconds
        self._max = max_entries
        self._monotonic = monotonic
        self._cache: OrderedDict[str, tuple[float, str]] = OrderedDict()
        self._lock = threading.Lock()

    def language(self, user_id: str) -> str:
        """The language to address `user_id` in."""
        now = self._monotonic()
        with self._lock:
            hit = self._cache.get(user_id)
            if hit is not None and now - hit[0] < self._ttl:
                self._cache.move_to_end(user_id)
                return hit[1]
        language = self._look_up(user_id)
        with self._lock:
            self._cache[user_id] = (now, language)
            self._cache.move_to_end(user_id)
            while len(self._cache) > self._max:
                self._cache.popitem(last=False)
        return language

    def translator(self, user_id: str) -> Translator:
        """A translator in `user_id`'s language."""
        return translator(self.language(user_id))

    def default_translator(self) -> Translator:
        """A translator in the workspace's default language (for channel posts)."""
        return translator(self.default_language)

    def _look_up(self, user_id: str) -> str:
        try:
            response = self._client.users_info(user=user_id, include_locale=True)
        except (SlackApiError, SlackClientError, OSError) as exc:
            # Not fatal: the person is addressed in the default language this time.
            log.warning("could not look up the locale of %s: %s", user_id, exc)
            return self.default_language
        user = response.get("user") or {}
        return language_of(user.get("locale"), self.default_language)
