"""Messages: ``chat.postMessage``/``update``/``postEphemeral``/``delete`` and
``conversations.history``/``replies``, with the helpers they share."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from fakes.slack.blockkit import message_problems
from fakes.slack.common import _ApiError, _decode_cursor, _encode_cursor, _truthy, _ts_value


class MessagesMixin:
    """The chat.* methods and conversation history."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    def _add_message(self, channel: str, user: str, content: Mapping[str, Any],
                     thread_ts: str | None = None) -> dict[str, Any]:
        """Append a message (``content``'s text and blocks) to ``channel``; returns it."""
        message: dict[str, Any] = {
            "ts": self._next_ts(),
            "channel": channel,
            "user": user,
            "text": content.get("text") or "",
            "blocks": copy.deepcopy(content.get("blocks") or []),
            "edited": 0,
        }
        if thread_ts:
            message["thread_ts"] = thread_ts
        self._messages.setdefault(channel, []).append(message)
        return message

    def _add_ephemeral(self, channel: str, user: str, content: Mapping[str, Any]) -> dict[str, Any]:
        """Record an ephemeral message (``content``'s text, blocks and thread) for ``user``."""
        record: dict[str, Any] = {
            "channel": channel,
            "user": user,
            "text": content.get("text") or "",
            "blocks": copy.deepcopy(content.get("blocks") or []),
            "ts": self._next_ts(),
        }
        if content.get("thread_ts"):
            record["thread_ts"] = content["thread_ts"]
        self._ephemerals.append(record)
        self._trim(self._ephemerals)
        return record

    def _resolve_target(self, channel: Any) -> str:
        """A channel for posting: a conversation id, a channel name or a user id."""
        if not isinstance(channel, str) or not channel:
            raise _ApiError("channel_not_found")
        if channel[:1] in {"U", "W"} and channel in self._users:
            return self.dm_channel_id(channel)
        name = channel.removeprefix("#")
        for channel_id, info in self._channels.items():
            if info["name"] == name:
                return channel_id
        return self._resolve_conversation(channel)

    def _resolve_conversation(self, channel: Any) -> str:
        """An existing conversation addressed by its id."""
        if isinstance(channel, str):
            if channel in self._channels:
                return channel
            if channel.startswith("D") and channel[1:] in self._users:
                return channel
        raise _ApiError("channel_not_found")

    def _find_message(self, channel: str, ts: Any) -> dict[str, Any]:
        for message in self._messages.get(channel, []):
            if message["ts"] == ts:
                return message
        raise _ApiError("message_not_found")

    def _check_message_content(self, method: str, params: Mapping[str, Any]) -> None:
        error, problems, warnings = message_problems(params, action_id_scope=self.action_id_scope)
        for problem in problems + warnings:
            self._violate(method, problem)
        if error:
            raise _ApiError(error, messages=[f"[ERROR] {p}" for p in problems])
        if "attachments" in params and not isinstance(params["attachments"], list):
            raise _ApiError("invalid_attachments", "attachments must be an array")
        if "metadata" in params:
            metadata = params["metadata"]
            if not (
                isinstance(metadata, dict)
                and isinstance(metadata.get("event_type"), str)
                and metadata["event_type"]
                and isinstance(metadata.get("event_payload"), dict)
            ):
                raise _ApiError(
                    "invalid_metadata_format",
                    "metadata must be {event_type: str, event_payload: object}",
                )

    def _public_message(self, message: dict[str, Any]) -> dict[str, Any]:
        public = {key: value for key, value in message.items() if not key.startswith("_")}
        return copy.deepcopy(public)

    def _bot_profile(self) -> dict[str, Any]:
        return {
            "id": self.bot_id,
            "app_id": self.app_id,
            "name": self.bot_name,
            "icons": {"image_36": "", "image_48": "", "image_72": ""},
            "deleted": False,
            "updated": 1700000000,
            "team_id": self.team_id,
        }

    def _slack_message(self, message: dict[str, Any], *, metadata: bool) -> dict[str, Any]:
        """The message as Slack's API shows it."""
        shown: dict[str, Any] = {
            "user": message["user"],
            "type": "message",
            "ts": message["ts"],
            "text": message["text"],
            "team": self.team_id,
        }
        if message["user"] == self.bot_user_id:
            shown.update(bot_id=self.bot_id, app_id=self.app_id, bot_profile=self._bot_profile())
        if message["blocks"]:
            shown["blocks"] = copy.deepcopy(message["blocks"])
        if message.get("attachments"):
            shown["attachments"] = copy.deepcopy(message["attachments"])
        thread_ts = message.get("thread_ts")
        if thread_ts:
            shown["thread_ts"] = thread_ts
            if thread_ts != message["ts"]:
                shown["parent_user_id"] = self.bot_user_id
        if message["edited"]:
            shown["edited"] = {"user": self.bot_user_id, "ts": message["_edited_ts"]}
        if metadata and message.get("metadata"):
            shown["metadata"] = copy.deepcopy(message["metadata"])
        replies = [
            m
            for m in self._messages.get(message["channel"], [])
            if m.get("thread_ts") == message["ts"] and m["ts"] != message["ts"]
        ]
        if replies:
            shown["thread_ts"] = message["ts"]
            shown["reply_count"] = len(replies)
            shown["reply_users"] = [self.bot_user_id]
            shown["reply_users_count"] = 1
            shown["latest_reply"] = replies[-1]["ts"]
        return shown

    def _page(
        self,
        messages: list[dict[str, Any]],
        params: Mapping[str, Any],
        *,
        newest_first: bool,
        default_limit: int,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        oldest = _ts_value(params.get("oldest") or "0", "invalid_ts_oldest")
        latest_raw = params.get("latest")
        latest = _ts_value(latest_raw, "invalid_ts_latest") if latest_raw else None
        inclusive = _truthy(params.get("inclusive", False))
        try:
            limit = int(params.get("limit") or default_limit)
        except (TypeError, ValueError):
            raise _ApiError("invalid_limit") from None
        if limit <= 0:
            limit = default_limit
        cursor = params.get("cursor")
        bound = _decode_cursor(cursor) if cursor else None

        def wanted(message: dict[str, Any]) -> bool:
            ts = Decimal(message["ts"])
            if ts < oldest or (ts == oldest and not inclusive):
                return False
            if latest is not None and (ts > latest or (ts == latest and not inclusive)):
                return False
            if bound is not None:
                return ts <= bound if newest_first else ts >= bound
            return True

        selected = [m for m in messages if wanted(m)]
        if newest_first:
            selected.reverse()
        page, rest = selected[:limit], selected[limit:]
        extra: dict[str, Any] = {"has_more": bool(rest)}
        if rest:
            extra["response_metadata"] = {"next_cursor": _encode_cursor(rest[0]["ts"])}
        return page, extra

    def _chat_post_message(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_target(params.get("channel"))
        if not any(params.get(field) for field in ("text", "blocks", "attachments")):
            raise _ApiError("no_text", "neither text nor blocks nor attachments")
        self._check_message_content("chat.postMessage", params)
        thread_ts = params.get("thread_ts")
        if thread_ts:
            _ts_value(thread_ts, "invalid_thread_ts")
            parent = next((m for m in self._messages.get(channel, []) if m["ts"] == thread_ts), None)
            thread_ts = (parent or {}).get("thread_ts") or thread_ts
        message = self._add_message(channel, self.bot_user_id, params, thread_ts)
        for field in ("metadata", "attachments"):
            if params.get(field):
                message[field] = copy.deepcopy(params[field])
        if thread_ts and _truthy(params.get("reply_broadcast", False)):
            message["reply_broadcast"] = True
        return {
            "channel": channel,
            "ts": message["ts"],
            "message": self._slack_message(message, metadata=True),
        }

    def _chat_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        message = self._find_message(channel, params.get("ts"))
        if not any(field in params for field in ("text", "blocks", "attachments")):
            raise _ApiError("no_text", "neither text nor blocks nor attachments")
        self._check_message_content("chat.update", params)
        # As on Slack, fields that are left out keep their previous value; an empty
        # blocks/attachments array removes them.
        if "text" in params:
            message["text"] = params.get("text") or ""
        if "blocks" in params:
            message["blocks"] = copy.deepcopy(params["blocks"] or [])
        if "attachments" in params:
            if params["attachments"]:
                message["attachments"] = copy.deepcopy(params["attachments"])
            else:
                message.pop("attachments", None)
        if "metadata" in params:
            message["metadata"] = copy.deepcopy(params["metadata"])
        message["edited"] += 1
        message["_edited_ts"] = self._next_ts()
        shown = self._slack_message(message, metadata=True)
        return {"channel": channel, "ts": message["ts"], "text": message["text"], "message": shown}

    def _chat_post_ephemeral(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_target(params.get("channel"))
        user = params.get("user")
        if user not in self._users:
            raise _ApiError("user_not_in_channel")
        if channel.startswith("D") and channel[1:] != user:
            raise _ApiError("user_not_in_channel")
        if not any(params.get(field) for field in ("text", "blocks", "attachments")):
            raise _ApiError("no_text", "neither text nor blocks nor attachments")
        self._check_message_content("chat.postEphemeral", params)
        return {"message_ts": self._add_ephemeral(channel, user, params)["ts"]}

    def _chat_delete(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        message = self._find_message(channel, params.get("ts"))
        self._messages[channel].remove(message)
        return {"channel": channel, "ts": message["ts"]}

    def _conversations_history(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        top_level = [
            m
            for m in self._messages.get(channel, [])
            if m.get("thread_ts") in (None, m["ts"]) or m.get("reply_broadcast")
        ]
        page, extra = self._page(top_level, params, newest_first=True, default_limit=100)
        metadata = _truthy(params.get("include_all_metadata", False))
        return {
            "messages": [self._slack_message(m, metadata=metadata) for m in page],
            "pin_count": 0,
            "channel_actions_ts": None,
            "channel_actions_count": 0,
            **extra,
        }

    def _conversations_replies(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        ts = params.get("ts")
        messages = self._messages.get(channel, [])
        parent = next((m for m in messages if m["ts"] == ts), None)
        if parent is None:
            raise _ApiError("thread_not_found")
        root = parent.get("thread_ts") or parent["ts"]
        thread = [m for m in messages if m["ts"] == root or m.get("thread_ts") == root]
        page, extra = self._page(thread, params, newest_first=False, default_limit=1000)
        metadata = _truthy(params.get("include_all_metadata", False))
        return {"messages": [self._slack_message(m, metadata=metadata) for m in page], **extra}
