"""The workspace the fake models: users, channels and DMs, what a test can inspect, and a snapshot that
survives restarts (the browser sandbox)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from fakes.slack.common import Call


class WorkspaceStateMixin:
    """Users, channels, inspection and snapshots."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    # -- workspace setup ---------------------------------------------------------------

    def add_user(
        self,
        user_id: str,
        *,
        name: str | None = None,
        real_name: str | None = None,
        locale: str = "en-US",
        tz: str = "Europe/Oslo",
        is_bot: bool = False,
    ) -> None:
        """Add (or replace) a workspace member; their DM channel is ``"D" + user_id``."""
        if user_id[:1] not in {"U", "W"}:
            raise ValueError(f"user ids start with U or W, got {user_id!r}")
        ZoneInfo(tz)  # fail early on an unknown zone
        handle = name or user_id.lower()
        with self._lock:
            self._users[user_id] = {
                "id": user_id,
                "name": handle,
                "real_name": real_name or handle,
                "locale": locale,
                "tz": tz,
                "is_bot": is_bot,
                "updated": int(self._clock()),
            }

    def add_channel(self, channel_id: str, name: str) -> None:
        """Add a public (``C…``) or private (``G…``) channel with the bot as a member."""
        if channel_id[:1] not in {"C", "G"}:
            raise ValueError(f"channel ids start with C or G, got {channel_id!r}")
        with self._lock:
            self._channels[channel_id] = {
                "id": channel_id,
                "name": name,
                "created": int(self._clock()),
            }

    def dm_channel_id(self, user_id: str) -> str:
        """The bot's DM channel with ``user_id``."""
        return "D" + user_id

    @classmethod
    def implemented_methods(cls) -> list[str]:
        """The Web API methods this fake answers."""
        return sorted(cls._handlers)

    def users(self) -> list[dict[str, Any]]:
        """Every member (the bot included) as ``{id, name, real_name, locale, tz, is_bot}``."""
        with self._lock:
            return [
                {key: user[key] for key in ("id", "name", "real_name", "locale", "tz", "is_bot")}
                for user in self._users.values()
            ]

    def channels(self) -> list[dict[str, Any]]:
        """Every channel as ``{id, name}``."""
        with self._lock:
            return [{"id": info["id"], "name": info["name"]} for info in self._channels.values()]

    # -- acting as the people in the workspace (the browser sandbox) ----------------------

    def post_as_user(self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None) -> str:
        """A person's own chat message (what they type that is not a command); returns its ts."""
        with self._lock:
            if user_id not in self._users:
                raise KeyError(user_id)
            message = self._add_message(self._resolve_target(channel), user_id, {"text": text}, thread_ts)
            self._bump()
            return message["ts"]

    # -- keeping a workspace across restarts (the browser sandbox) ----------------------

    _SNAPSHOT_FIELDS = ("_users", "_channels", "_opened_dms", "_messages", "_ephemerals", "_views",
                        "_home_views", "_external_ids", "_view_users", "_modal_stacks")

    def snapshot(self) -> dict[str, Any]:
        """The workspace's contents as JSON-ready data (not calls, violations or limits)."""
        with self._lock:
            data: dict[str, Any] = {
                name.lstrip("_"): copy.deepcopy(getattr(self, name)) for name in self._SNAPSHOT_FIELDS
            }
            data["opened_dms"] = sorted(self._opened_dms)
            data.update(serial=self._serial, last_ts_micros=self._last_ts_micros, format=1)
            return data

    def restore(self, data: Mapping[str, Any]) -> None:
        """Load what :meth:`snapshot` returned (replacing users, channels and messages)."""
        if data.get("format") != 1:
            raise ValueError("not a FakeSlack snapshot (format 1)")
        loaded: dict[str, Any] = {}
        for name in self._SNAPSHOT_FIELDS:
            current = getattr(self, name)
            expected = dict if isinstance(current, dict) else list  # a set is saved as a list
            value = copy.deepcopy(data.get(name.lstrip("_"), expected()))
            if not isinstance(value, expected):
                raise ValueError(f"{name.lstrip('_')} has the wrong type ({type(value).__name__})")
            loaded[name] = set(value) if isinstance(current, set) else value
        serial, last_ts = int(data.get("serial", 0)), int(data.get("last_ts_micros", 0))
        # All or nothing: nothing is replaced until the whole snapshot has been read.
        with self._lock:
            for name, value in loaded.items():
                setattr(self, name, value)
            self._serial = max(self._serial, serial)
            self._last_ts_micros = max(self._last_ts_micros, last_ts)
            self._bump()

    # -- inspection ---------------------------------------------------------------------

    @property
    def calls(self) -> list[Call]:
        """Every Web API call received, in order (a snapshot)."""
        with self._lock:
            return list(self._calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls to one Web API method, in order."""
        with self._lock:
            return [call for call in self._calls if call.method == method]

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """Current messages in a conversation, oldest first, with updates applied.

        Each is ``{ts, channel, user, text, blocks, edited}`` plus ``metadata``,
        ``thread_ts``, ``attachments`` and ``reply_broadcast`` when set; ``edited`` counts
        the ``chat.update`` calls applied (0 when never edited).
        """
        with self._lock:
            return [self._public_message(m) for m in self._messages.get(channel, [])]

    def message_counts(self) -> dict[str, int]:
        """How many messages each conversation holds now (cheap: no message is copied)."""
        with self._lock:
            return {channel: len(messages) for channel, messages in self._messages.items()}

    def dms(self, user_id: str) -> list[dict[str, Any]]:
        """Messages in the bot's DM with ``user_id``."""
        return self.messages(self.dm_channel_id(user_id))

    @property
    def ephemerals(self) -> list[dict[str, Any]]:
        """``chat.postEphemeral`` messages as ``{channel, user, text, blocks, ts}``."""
        with self._lock:
            return copy.deepcopy(self._ephemerals)

    @property
    def responses(self) -> list[dict[str, Any]]:
        """response_url posts as ``{key, body}``, in order."""
        with self._lock:
            return copy.deepcopy(self._responses)

    @property
    def views(self) -> dict[str, dict[str, Any]]:
        """view_id → current view object (after updates), for modals and home tabs."""
        with self._lock:
            return copy.deepcopy(self._views)

    @property
    def home_views(self) -> dict[str, str]:
        """user_id → view_id of the home tab published for that user."""
        with self._lock:
            return dict(self._home_views)

    def home_view(self, user_id: str) -> dict[str, Any] | None:
        """The home tab currently published for ``user_id``, if any."""
        with self._lock:
            view_id = self._home_views.get(user_id)
            return copy.deepcopy(self._views[view_id]) if view_id else None

    def opened_views(self) -> list[dict[str, Any]]:
        """Views opened with ``views.open``, in order, as they were when opened."""
        with self._lock:
            return copy.deepcopy(self._opened)

    @property
    def violations(self) -> list[str]:
        """Every spec or Block Kit problem seen, as ``"<method>: <what>"``."""
        with self._lock:
            return list(self._violations)

    # -- waiting for the workspace to change (pages, savers, tests) -----------------------

    def release_waiters(self) -> None:
        """Wake everyone in :meth:`wait_for_change` for good (the server is stopping)."""
        self._stopping.set()
        with self._lock:
            self._bump()

    @property
    def released(self) -> bool:
        """Whether :meth:`release_waiters` was called (waits no longer block)."""
        return self._stopping.is_set()

    @property
    def version(self) -> int:
        """Counts calls and changes; see :meth:`wait_for_change`."""
        with self._lock:
            return self._version

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for :attr:`version` to move past ``since``; return it."""
        with self._changed:
            self._waiting += 1
            self._changed.notify_all()
            try:
                self._changed.wait_for(lambda: self._version != since or self._stopping.is_set(), timeout)
            finally:
                self._waiting -= 1
            return self._version

    @property
    def waiting_for_change(self) -> int:
        """How many threads are in :meth:`wait_for_change` now (open pages, a saver)."""
        with self._lock:
            return self._waiting

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` is true, re-checking after every call, response post,
        Socket Mode connect, disconnect, envelope and ack; return its final value. The
        predicate may use this object's accessors."""
        with self._changed:
            return bool(self._changed.wait_for(predicate, timeout))
