"""What every part of the fake Slack shares: its URL layout, a recorded call, and how an answer and an
``{"ok": false}`` error are represented."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

CHANGING_METHODS = frozenset({
    "chat.postMessage", "chat.update", "chat.postEphemeral", "chat.delete",
    "views.open", "views.push", "views.update", "views.publish",
})
"""Methods whose success changes what people see (:attr:`FakeSlack.version`)."""

API_PREFIX = "/api/"
RESPONSE_PREFIX = "/response/"
# `fail_next(RESPONSE_URL_FAILURES, status=…)` makes the next response_url posts fail.
RESPONSE_URL_FAILURES = "response_url"
SOCKET_PATH = "/socket"
"""The Socket Mode WebSocket endpoint (``apps.connections.open`` hands out tickets for it)."""


JSON_STRING_FIELDS = ("blocks", "view", "metadata", "attachments")
"""Fields that form-encoded calls carry as JSON strings; they are decoded for recording."""


@dataclass(frozen=True)
class Call:
    """One request received on the Web API endpoint.

    Attributes:
        method: The Web API method, e.g. ``"chat.postMessage"``.
        http_verb: ``"GET"`` or ``"POST"``.
        params: Query, form and JSON body parameters merged, without ``token``; the
            JSON-string fields ``blocks``, ``view``, ``metadata`` and ``attachments`` are
            decoded into Python objects.
        token: From ``Authorization: Bearer …`` or, failing that, the ``token`` parameter.
        at: ``time.monotonic()`` when the request arrived.
    """

    method: str
    http_verb: str
    params: dict[str, Any]
    token: str | None
    at: float


@dataclass
class _Failure:
    error: str
    status: int
    retry_after: int | None


class _ApiError(Exception):
    """An ``{"ok": false}`` answer, optionally also recorded as a violation."""

    def __init__(
        self,
        error: str,
        violation: str | None = None,
        *,
        messages: list[str] | None = None,
    ) -> None:
        super().__init__(error)
        self.error = error
        self.violation = violation
        self.messages = messages or []


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() in {"1", "true", "yes"}
    return bool(value)


def _ts_value(ts: Any, error: str) -> Decimal:
    try:
        return Decimal(str(ts))
    except (InvalidOperation, ValueError):
        raise _ApiError(error) from None


def _encode_cursor(ts: str) -> str:
    return base64.b64encode(f"next_ts:{ts.replace('.', '')}".encode()).decode()


def _decode_cursor(cursor: str) -> Decimal:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        raise _ApiError("invalid_cursor") from None
    prefix, _, digits = text.partition(":")
    if prefix != "next_ts" or not digits.isdigit() or len(digits) <= 6:
        raise _ApiError("invalid_cursor")
    return Decimal(f"{digits[:-6]}.{digits[-6:]}")


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    delay: float = 0.0
