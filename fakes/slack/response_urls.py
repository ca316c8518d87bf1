"""response_url posts: recorded, checked like messages, honoured five times, and (for the sandbox)
applied to the message or ephemeral they answer."""

from __future__ import annotations

import copy
import json
from collections.abc import Mapping
from typing import Any

from fakes.slack.blockkit import message_problems
from fakes.slack.common import RESPONSE_URL_FAILURES, _ApiError, _Reply, _truthy
from fakes.slack.mentions import special_mention_problems

RESPONSE_URL_USES = 5
"""Slack honours a response_url at most five times (within 30 minutes)."""

RESPONSE_URL_FIELDS = frozenset(
    {
        "text",
        "blocks",
        "attachments",
        "response_type",
        "replace_original",
        "delete_original",
        "thread_ts",
        "mrkdwn",
        "unfurl_links",
        "unfurl_media",
        "metadata",
    }
)


class ResponseUrlsMixin:
    """Posts to response_urls."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    def bind_response_url(self, key: str, *, user_id: str, channel: str, message_ts: str | None = None,
                          ephemeral: bool = False) -> str:
        """A response_url whose posts take effect as on Slack: an ephemeral message for
        ``user_id`` in ``channel``, a message in the channel (``in_channel``), or a replaced or
        deleted original (``message_ts``; an ``ephemeral`` one is ``user_id``'s)."""
        with self._lock:
            self._remember(self._response_targets, key, {
                "user": user_id, "channel": channel, "message_ts": message_ts, "ephemeral": ephemeral,
            })
        return self.response_url(key)

    def show_ack(self, key: str, payload: Mapping[str, Any]) -> None:
        """Show a slash command's acknowledgement body as Slack does: like a post to the
        command's bound response_url (``key``), though it does not count as one."""
        with self._lock:
            target = self._response_targets.get(key)
            if target is None:
                raise KeyError(key)
            try:
                self._check_response_body(f"ack[{key}]", dict(payload))
            except _ApiError as exc:
                self._violate(f"ack[{key}]", exc.violation or exc.error)
                return
            self._apply_response(target, payload)
            self._bump()

    def _response_post(self, verb: str, key: str, body: bytes) -> _Reply:
        where = f"response_url[{key}]"
        with self._lock:
            failures = self._failures.get(RESPONSE_URL_FAILURES)
            if failures:
                # Slack's own trouble (a 5xx): the post is not taken.
                failure = failures.popleft()
                return _Reply(failure.status, {"ok": False, "error": failure.error}, {})
            try:
                if verb != "POST":
                    raise _ApiError("invalid_method", f"{verb} is not allowed; use POST")
                try:
                    payload = json.loads(body.decode("utf-8"))
                except (UnicodeDecodeError, json.JSONDecodeError):
                    raise _ApiError("invalid_json", "the body is not JSON") from None
                if not isinstance(payload, dict):
                    raise _ApiError("invalid_json", "the body is not a JSON object")
                self._responses.append({"key": key, "body": copy.deepcopy(payload)})
                self._trim(self._responses)
                uses = self._response_uses.get(key, 0) + 1
                self._response_uses[key] = uses
                if uses > RESPONSE_URL_USES:
                    raise _ApiError("used_url", f"used more than {RESPONSE_URL_USES} times")
                self._check_response_body(where, payload)
                target = self._response_targets.get(key)
                if target is not None:
                    self._apply_response(target, payload)
                return _Reply(200, {"ok": True}, {})
            except _ApiError as exc:
                if exc.violation:
                    self._violate(where, exc.violation)
                status = 404 if exc.error == "used_url" else 400
                return _Reply(status, {"ok": False, "error": exc.error}, {})
            finally:
                self._bump()

    def _apply_response(self, target: Mapping[str, Any], payload: Mapping[str, Any]) -> None:
        """What Slack does with a response_url post (see :meth:`bind_response_url`)."""
        channel, user, original = target["channel"], target["user"], target["message_ts"]
        if original and (_truthy(payload.get("delete_original")) or _truthy(payload.get("replace_original"))):
            replace = not _truthy(payload.get("delete_original"))
            if target["ephemeral"]:
                for record in self._ephemerals:
                    if record["ts"] == original and record["user"] == user:
                        if replace:
                            record.update(text=payload.get("text") or "",
                                          blocks=copy.deepcopy(payload.get("blocks") or []))
                        else:
                            self._ephemerals.remove(record)
                        break
                return
            message = next((m for m in self._messages.get(channel, []) if m["ts"] == original), None)
            if message is not None and replace:
                message.update(text=payload.get("text") or "",
                               blocks=copy.deepcopy(payload.get("blocks") or []))
                message["edited"] += 1
                message["_edited_ts"] = self._next_ts()
            elif message is not None:
                self._messages[channel].remove(message)
            return
        if payload.get("response_type") == "in_channel":
            self._add_message(channel, self.bot_user_id, payload, payload.get("thread_ts"))
        else:
            self._add_ephemeral(channel, user, payload)

    def _check_response_body(self, where: str, payload: dict[str, Any]) -> None:
        unknown = sorted(set(payload) - RESPONSE_URL_FIELDS)
        if unknown:
            self._violate(where, "unknown field(s): " + ", ".join(unknown))
        response_type = payload.get("response_type")
        if response_type not in (None, "ephemeral", "in_channel"):
            self._violate(where, f"response_type {response_type!r} is not ephemeral/in_channel")
        for problem in special_mention_problems(payload):
            self._violate(where, problem)
        if _truthy(payload.get("delete_original")):
            return
        if not any(payload.get(field) for field in ("text", "blocks", "attachments")):
            raise _ApiError("no_text", "neither text nor blocks nor attachments")
        error, problems, warnings = message_problems(payload, action_id_scope=self.action_id_scope)
        for problem in problems + warnings:
            self._violate(where, problem)
        if error:
            raise _ApiError(error)

    # -- Socket Mode plumbing -------------------------------------------------------------
