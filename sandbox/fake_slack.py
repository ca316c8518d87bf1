"""A fake of Slack's Web API, served over real HTTP on the loopback interface.

The bot's ``slack_sdk.WebClient`` talks to it through ``base_url`` (``SLACK_API_URL``), so
everything between the bot and "Slack" is real: JSON and form encoding, the
``Authorization`` header, HTTP status codes and ``Retry-After``.

Every call is checked against Slack's published OpenAPI (Swagger 2.0) description of the
Web API and against Block Kit rules (``slack_sdk.models`` plus the surface limits Slack
enforces). Problems are answered the way Slack would answer them *and* recorded in
:attr:`FakeSlack.violations`, so a test can assert that a whole scenario was clean.
A live special mention (``<!channel>``, ``<!here>``, ``<!everyone>``, ``<!subteam^…>``) in any
text Slack would show, in any call or response_url post, is recorded as a violation too: the bot
never sends one, so it can only have come from what someone typed.

State model (deliberately small, documented because tests rely on it):

* Channels exist only after :meth:`FakeSlack.add_channel`; the bot is a member of each.
* Every user added with :meth:`FakeSlack.add_user` (and the bot user) has a direct-message
  channel ``"D" + user_id``. ``chat.postMessage`` and ``chat.postEphemeral`` accept a user
  id (``U…``/``W…``) and post into that DM, answering with the ``D…`` id, as Slack does.
  Methods that address an existing message or history (``chat.update``, ``chat.delete``,
  ``conversations.history``/``replies``/``info``) need the conversation id, as on Slack.
* Posting to an unknown channel or user answers ``channel_not_found``.
* Message timestamps come from a clock (``time.time`` by default) and are unique and
  strictly increasing, formatted like Slack's (``"1700000000.000100"``).
* ``conversations.history`` lists top-level messages (thread replies only when they were
  broadcast), newest first, and includes ``metadata`` only with ``include_all_metadata``;
  ``conversations.replies`` lists a thread.
* ``chat.update`` keeps fields that are left out (an empty ``blocks`` array clears them).
* ``action_id`` must be unique within its block (Slack's documented rule) and ``block_id``
  within the message or view; ``FakeSlack(action_id_scope="surface")`` is stricter.
* A ``trigger_id`` can be used once (``exchanged_trigger_id``); expiry is not modelled.
* A response_url (:meth:`FakeSlack.response_url`) is only recorded: posts to it do not
  change messages.
* Blocks are stored as sent: Slack's generated ``block_id`` values are not added.

Socket Mode (documented here because tests rely on it):

* ``apps.connections.open`` accepts only the app-level token (:attr:`FakeSlack.app_token`),
  and only in the ``Authorization`` header, as Slack documents; the bot token answers
  ``not_allowed_token_type``, and so does the app token on every other method. The method
  is newer than the published spec, so its (empty) parameter list is declared in
  :data:`EXTRA_OPERATIONS` and checked like any other method's.
* It answers ``ws://127.0.0.1:<port>/socket?ticket=<n>``: the WebSocket endpoint is on the
  same loopback HTTP server as the Web API. Each ticket opens one connection.
* The endpoint is a minimal RFC 6455 server: handshake (``Sec-WebSocket-Accept``), text
  frames both ways (client frames must be masked; fragmented messages are reassembled),
  ping answered with pong, close answered with close. Binary frames, unmasked frames and
  other protocol errors close the connection (1002/1003/1007/1009) and are violations.
* On connect the client gets Slack's ``hello`` message. :meth:`FakeSlack.push_envelope`
  sends an envelope to the newest open connection (Slack picks one of the app's
  connections); every text message the client sends must be an acknowledgement
  ``{"envelope_id", "payload"?}`` of an envelope it was sent, once. Acks are recorded in
  :attr:`FakeSlack.socket_acks` as sent; a slash command ack's ``payload`` is checked like
  a message. The 3-second ack deadline is not enforced.
* :meth:`FakeSlack.disconnect_sockets` closes connections from the server side, optionally
  after Slack's ``disconnect`` message, so a client's reconnection can be tested.

Rate limits (opt-in: ``FakeSlack(enforce_rate_limits=True)`` or
:meth:`FakeSlack.set_rate_limits`; off by default):

* Each method has a token bucket per app per workspace, sized from Slack's published tier
  (:data:`METHOD_RATE_LIMITS`): a burst of up to one minute's allowance, refilled steadily.
  ``chat.postMessage`` (Slack's "special" tier) has a bucket per channel, a user id counting
  as its DM channel, plus a workspace-wide one (:data:`POST_MESSAGE_PER_CHANNEL`,
  :data:`POST_MESSAGE_WORKSPACE`).
* A call over a limit is answered as Slack answers it: HTTP 429, ``Retry-After`` in whole
  seconds (at least 1: when the next call would succeed), ``{"ok": false, "error":
  "ratelimited"}``. It is recorded in :attr:`FakeSlack.calls` but has no effect and takes no
  token. :meth:`FakeSlack.rate_limited_counts` counts the 429s served, per method.
* Time is the fake's ``clock``, so a test can drive refills. Limits are checked after the
  token and arguments (an invalid call is refused for that, not counted against a limit).
  Enabling the limits, and :meth:`FakeSlack.reset`, start every bucket full.
* Method ids that the tier table does not name are not limited.

Only the standard library and ``slack_sdk`` are used, so the module can also back a local
browser sandbox.
"""

from __future__ import annotations

import base64
import binascii
import copy
import hashlib
import itertools
import json
import math
import os
import re
import socket
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO
from urllib.parse import parse_qsl, quote, unquote, urlsplit
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

__all__ = [
    "Call",
    "FakeSlack",
    "RateLimit",
    "SpecNotFoundError",
    "block_problems",
    "find_spec",
    "message_problems",
    "view_problems",
]

SPEC_ENV = "FAKE_SLACK_SPEC"
"""Environment variable naming the OpenAPI file when it is not passed explicitly."""

SPEC_RELATIVE_PATH = Path("shared", "slack", "web-api-openapi-v2.json")
"""Where the spec is looked for, relative to this file's ancestors."""

VENDORED_SPEC = Path(__file__).resolve().parent / "slack_spec" / "web-api-openapi-v2.subset.json"
"""The methods the fake implements, trimmed from the spec (``sandbox/slack_spec/trim.py``)."""

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

# Parameters Slack added after the published OpenAPI spec was generated. Only the ones the
# bot uses are listed, each with the reason it is genuine; everything else the spec lacks
# is still reported as a violation.
EXTRA_PARAMETERS: Mapping[str, frozenset[str]] = {
    # Message metadata (2022): the bot tags every delivery with its id.
    "chat.postMessage": frozenset({"metadata"}),
    "chat.update": frozenset({"metadata"}),
    # Reading that metadata back, to resolve deliveries that are in doubt after a crash.
    "conversations.history": frozenset({"include_all_metadata"}),
    "conversations.replies": frozenset({"include_all_metadata"}),
}

# Methods that take the app-level token (xapp-…) instead of the bot token.
APP_TOKEN_METHODS: frozenset[str] = frozenset({"apps.connections.open"})

# Accepted by every method: the workspace an org-wide token acts in. Bolt's per-request client
# sends it with every call (slack_sdk's WebClient(team_id=...) default parameter).
GLOBAL_PARAMETERS: frozenset[str] = frozenset({"team_id"})

JSON_STRING_FIELDS = ("blocks", "view", "metadata", "attachments")
"""Fields that form-encoded calls carry as JSON strings; they are decoded for recording."""

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
TEXT_LIMIT = 40_000
MODAL_TITLE_LIMIT = 24
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


class SpecNotFoundError(FileNotFoundError):
    """Raised when Slack's OpenAPI spec cannot be located."""


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


@dataclass(frozen=True)
class _Operation:
    verbs: frozenset[str]
    parameters: frozenset[str]
    required: frozenset[str]


# Methods Slack added after the published OpenAPI spec was generated, described as the spec
# would describe them. Only the ones the bot uses are listed, each with the reason.
EXTRA_OPERATIONS: Mapping[str, _Operation] = {
    # Socket Mode (2021): POST with the app-level token in the Authorization header, no
    # arguments (https://api.slack.com/methods/apps.connections.open).
    "apps.connections.open": _Operation(frozenset({"POST"}), frozenset({"token"}), frozenset({"token"})),
}


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


def find_spec(start: str | os.PathLike[str] | None = None) -> Path:
    """Locate Slack's OpenAPI spec.

    ``FAKE_SLACK_SPEC`` wins when set; otherwise each ancestor of ``start`` (default: this
    file) is searched for ``shared/slack/web-api-openapi-v2.json``, and failing that the
    trimmed copy shipped in ``sandbox/slack_spec/`` is used.

    Raises:
        SpecNotFoundError: if no spec file is found.
    """
    env = os.environ.get(SPEC_ENV)
    if env:
        path = Path(env)
        if not path.is_file():
            raise SpecNotFoundError(f"{SPEC_ENV}={env} does not name a file")
        return path
    origin = Path(start) if start is not None else Path(__file__)
    for directory in origin.resolve().parents:
        candidate = directory / SPEC_RELATIVE_PATH
        if candidate.is_file():
            return candidate
    # A fresh clone has no full spec beside it: the part the fake implements ships with it.
    if VENDORED_SPEC.is_file():
        return VENDORED_SPEC
    raise SpecNotFoundError(
        f"Slack's OpenAPI spec was not found: looked for {SPEC_RELATIVE_PATH} above "
        f"{origin.resolve().parent}; pass spec_path= or set {SPEC_ENV}"
    )


@lru_cache(maxsize=4)
def _load_operations(path: str) -> dict[str, _Operation]:
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    if spec.get("swagger") != "2.0" or "paths" not in spec:
        raise ValueError(f"{path} is not a Swagger 2.0 document")
    operations: dict[str, _Operation] = {}
    for route, item in spec["paths"].items():
        verbs: set[str] = set()
        names: set[str] = set()
        required: set[str] = set()
        for verb, operation in item.items():
            if verb.lower() not in {"get", "post", "put", "delete", "patch"}:
                continue
            verbs.add(verb.upper())
            for parameter in operation.get("parameters", []):
                names.add(parameter["name"])
                if parameter.get("required"):
                    required.add(parameter["name"])
        operations[route.lstrip("/")] = _Operation(frozenset(verbs), frozenset(names), frozenset(required))
    return operations


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


# ---------------------------------------------------------------------------------------
# Block Kit validation
# ---------------------------------------------------------------------------------------


def _dropped_fields(source: Any, parsed: Any, path: str) -> list[str]:
    """Fields present in ``source`` that slack_sdk's models did not keep (unknown/empty)."""
    problems: list[str] = []
    if isinstance(source, dict) and isinstance(parsed, dict):
        for key, value in source.items():
            if key not in parsed:
                if value is not None:
                    problems.append(f"{path}.{key} is not a supported (non-empty) field")
            else:
                problems.extend(_dropped_fields(value, parsed[key], f"{path}.{key}"))
    elif isinstance(source, list) and isinstance(parsed, list):
        for index, (item, kept) in enumerate(zip(source, parsed, strict=False)):
            if kept is None and item is not None:
                kind = item.get("type") if isinstance(item, dict) else type(item).__name__
                problems.append(f"{path}[{index}] has an unknown element type {kind!r}")
            else:
                problems.extend(_dropped_fields(item, kept, f"{path}[{index}]"))
    return problems


def _action_ids(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        if isinstance(node.get("action_id"), str):
            yield node["action_id"]
        for value in node.values():
            yield from _action_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _action_ids(value)


def block_problems(
    blocks: Any, *, limit: int, path: str = "blocks", action_id_scope: str = "block"
) -> list[str]:
    """Block Kit problems in a list of blocks (empty when valid).

    Each block is parsed with ``slack_sdk.models.blocks.Block.parse`` and validated
    recursively; fields the models drop (unknown or empty) are reported, as Slack rejects
    them. Also checked: the block count limit, ``block_id`` unique across the surface, and
    ``action_id`` unique within its block (Slack's documented rule: "unique among all
    other action_ids in the containing block") or, with ``action_id_scope="surface"``,
    across the whole message or view.
    """
    if action_id_scope not in {"block", "surface"}:
        raise ValueError(f"action_id_scope must be 'block' or 'surface', not {action_id_scope!r}")
    if not isinstance(blocks, list):
        return [f"{path} must be an array of blocks, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{path} has {len(blocks)} blocks; the limit is {limit}")
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{path}[{index}]"
        if not isinstance(block, dict):
            problems.append(f"{where} must be an object")
            continue
        kind = block.get("type")
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"{where} has an unknown block type {kind!r}")
                continue
            parsed.validate_json()
            as_dict = parsed.to_dict()
        except Exception as exc:  # slack_sdk raises several types on malformed input
            problems.append(f"{where} ({kind}): {exc}")
            continue
        problems.extend(_dropped_fields(block, as_dict, where))
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        if action_id_scope == "block":
            action_ids = set()
        for action_id in _action_ids(block):
            if action_id in action_ids:
                problems.append(f"{where}: duplicate action_id {action_id!r}")
            action_ids.add(action_id)
    return problems


def view_problems(view: Any, *, allowed_types: Iterable[str], action_id_scope: str = "block") -> list[str]:
    """Problems in a ``view`` object for ``views.*`` (empty when valid)."""
    if not isinstance(view, dict):
        return [f"view must be an object, got {type(view).__name__}"]
    allowed = tuple(allowed_types)
    problems: list[str] = []
    kind = view.get("type")
    if kind not in allowed:
        problems.append(f"view.type must be {' or '.join(allowed)}, got {kind!r}")
    if "blocks" not in view:
        problems.append("view.blocks is required")
    else:
        problems.extend(
            block_problems(
                view["blocks"],
                limit=VIEW_BLOCK_LIMIT,
                path="view.blocks",
                action_id_scope=action_id_scope,
            )
        )
    try:
        parsed = View(**view)
        parsed.validate_json()
        as_dict = parsed.to_dict()
    except Exception as exc:
        problems.append(f"view: {exc}")
    else:
        # Slack itself shows these as "" on views it returns; slack_sdk drops empty strings.
        blank_ok = {"private_metadata", "external_id", "callback_id"}
        shallow = {
            key: value
            for key, value in view.items()
            if key != "blocks" and not (key in blank_ok and value == "")
        }
        problems.extend(_dropped_fields(shallow, as_dict, "view"))
    if kind == "modal":
        title = view.get("title")
        text = title.get("text") if isinstance(title, dict) else None
        if not isinstance(text, str) or not text:
            problems.append("a modal needs a plain_text title")
        elif len(text) > MODAL_TITLE_LIMIT:
            problems.append(f"modal title is {len(text)} characters; the limit is 24")
        has_input = any(
            isinstance(block, dict) and block.get("type") == "input" for block in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            problems.append("a modal with input blocks needs a submit button")
    return list(dict.fromkeys(problems))


# A live special mention: `<!channel>`, `<!here>`, `<!everyone>`, `<!subteam^…>` (with or without
# a `|label`). The bot's own `<!date^…>` tokens notify no one and are allowed.
SPECIAL_MENTION = re.compile(r"<!(?!date\^)[^<>]*>")
# Keys whose strings Slack shows (and parses): text objects' and messages' `text`, and the legacy
# attachment fields. Ids, values, metadata and URLs are not shown as text.
SHOWN_TEXT_KEYS = frozenset({"text", "fallback", "pretext", "title", "alt_text"})
# Structured data that travels with a message but is never shown.
HIDDEN_KEYS = frozenset({"metadata"})


def shown_texts(payload: Any, path: str = "") -> Iterable[tuple[str, str]]:
    """Every string in a call's parameters (or a response body) that Slack shows as text, with
    where it is (``blocks[2].text.text``)."""
    if isinstance(payload, Mapping):
        for key, value in payload.items():
            where = f"{path}.{key}" if path else str(key)
            if isinstance(value, str):
                if key in SHOWN_TEXT_KEYS:
                    yield where, value
            elif key not in HIDDEN_KEYS:
                yield from shown_texts(value, where)
    elif isinstance(payload, list):
        for index, item in enumerate(payload):
            yield from shown_texts(item, f"{path}[{index}]")


def special_mention_problems(payload: Any) -> list[str]:
    """Live special mentions in what Slack would show: each would notify a whole channel or
    workspace. The bot never sends one, so any found came from what someone typed."""
    return [
        f"{where} carries a live special mention {found!r}"
        for where, value in shown_texts(payload)
        for found in SPECIAL_MENTION.findall(value)
    ]


def message_problems(
    params: Mapping[str, Any], *, action_id_scope: str = "block"
) -> tuple[str | None, list[str], list[str]]:
    """Check the content of a message-like payload.

    Returns ``(error, problems, warnings)``: the Slack error to answer (or None), the
    problems behind it, and problems Slack only warns about (a missing text fallback).
    """
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        return "invalid_arguments", ["text must be a string"], []
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        return "msg_too_long", [f"text is {len(text)} characters; the limit is {TEXT_LIMIT}"], []
    blocks = params.get("blocks")
    if blocks is None:
        return None, [], []
    warnings: list[str] = []
    if blocks and not (isinstance(text, str) and text.strip()):
        warnings.append("blocks were sent without a top-level text fallback")
    problems = block_problems(blocks, limit=MESSAGE_BLOCK_LIMIT, action_id_scope=action_id_scope)
    return ("invalid_blocks" if problems else None), problems, warnings


# ---------------------------------------------------------------------------------------
# HTTP plumbing
# ---------------------------------------------------------------------------------------


@dataclass
class _Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]
    delay: float = 0.0


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeSlack) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "FakeSlack/1.0"

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        if urlsplit(self.path).path == SOCKET_PATH:
            self._serve_socket()
        else:
            self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("POST")

    def _serve(self, verb: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        fake = self.server.fake
        reply = fake._dispatch(verb, self.path, headers, body)
        if reply.delay > 0:
            fake._stopping.wait(reply.delay)
        self._send_reply(reply)

    def _serve_socket(self) -> None:
        """A WebSocket upgrade: refuse it, or switch protocols and serve Socket Mode until
        the connection ends (this handler thread then belongs to the connection)."""
        fake = self.server.fake
        headers = {key.lower(): value for key, value in self.headers.items()}
        answer = fake._socket_handshake(self.path, headers)
        self.close_connection = True
        if isinstance(answer, _Reply):
            self._send_reply(answer)
            return
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", answer)
        self.end_headers()
        fake._serve_socket(_SocketConnection(self.connection, self.rfile))

    def _send_reply(self, reply: _Reply) -> None:
        payload = json.dumps(reply.body).encode("utf-8")
        self.send_response(reply.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in reply.headers.items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            # The client went away before reading its answer (a killed bot): the call still
            # happened, exactly the in-doubt case the bot must resolve.
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        """Stay quiet: tests read calls from :class:`FakeSlack`, not from stderr."""


# ---------------------------------------------------------------------------------------
# Socket Mode: a minimal RFC 6455 WebSocket server side
# ---------------------------------------------------------------------------------------

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""RFC 6455 §1.3: appended to ``Sec-WebSocket-Key`` to derive ``Sec-WebSocket-Accept``."""

ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})
DISCONNECT_REASONS = frozenset({"warning", "refresh_requested", "link_disabled"})
ACK_FIELDS = frozenset({"envelope_id", "payload"})
MAX_SOCKET_MESSAGE = 1 << 20
"""Largest message (bytes) accepted from a client; an acknowledgement is far smaller."""

_OP_CONTINUATION, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
_OP_CLOSE, _OP_PING, _OP_PONG = 0x8, 0x9, 0xA
_OPCODES = frozenset({_OP_CONTINUATION, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG})
_CLOSE_NORMAL, _CLOSE_GOING_AWAY, _CLOSE_PROTOCOL_ERROR = 1000, 1001, 1002
_CLOSE_UNSUPPORTED_DATA, _CLOSE_INVALID_DATA, _CLOSE_TOO_BIG = 1003, 1007, 1009


class _ProtocolError(Exception):
    """A client broke RFC 6455; the connection is closed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _websocket_accept(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def _encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame, as a server sends them (RFC 6455 §5.2)."""
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, length])
    elif length < 1 << 16:
        header = bytes([0x80 | opcode, 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + length.to_bytes(8, "big")
    return header + payload


def _unmask(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte masking key (RFC 6455 §5.3)."""
    if not data:
        return data
    stream = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


class _SocketConnection:
    """The server's end of one WebSocket: frame I/O, safe to send on from any thread.

    Reading happens on the connection's own handler thread only.
    """

    def __init__(self, sock: socket.socket, reader: BinaryIO) -> None:
        self.sock = sock
        self.reader = reader
        self.send_lock = threading.Lock()
        self.closing = False
        """True once a close frame went out; nothing may follow it (RFC 6455 §5.5.1)."""

    def send(self, opcode: int, payload: bytes = b"") -> bool:
        """Send one frame; False when the connection is closing or gone."""
        with self.send_lock:
            return self.send_locked(opcode, payload)

    def send_locked(self, opcode: int, payload: bytes = b"") -> bool:
        """:meth:`send` for a caller that already holds :attr:`send_lock`."""
        if self.closing:
            return False
        if opcode == _OP_CLOSE:
            self.closing = True
        try:
            self.sock.sendall(_encode_frame(opcode, payload))
        except OSError:
            return False
        return True

    def close(self, code: int | None, reason: str = "") -> bool:
        """Send a close frame (with no body when ``code`` is None)."""
        body = b"" if code is None else code.to_bytes(2, "big") + reason.encode("utf-8")[:123]
        return self.send(_OP_CLOSE, body)

    def cut(self) -> None:
        """End the TCP connection at once; the reading thread sees end of stream."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_frame(self) -> tuple[bool, int, bytes]:
        """The next frame from the client as ``(fin, opcode, unmasked payload)``.

        Raises:
            EOFError: the connection ended.
            _ProtocolError: the frame breaks RFC 6455.
        """
        first, second = self._read(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        if first & 0x70:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "reserved bits set, but no extension was negotiated")
        if opcode not in _OPCODES:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        if opcode >= _OP_CLOSE and (not fin or length > 125):
            raise _ProtocolError(
                _CLOSE_PROTOCOL_ERROR, "control frames must be unfragmented, with at most 125 bytes"
            )
        if not second & 0x80:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a client frame was not masked")
        if length > MAX_SOCKET_MESSAGE:
            raise _ProtocolError(_CLOSE_TOO_BIG, f"a {length}-byte frame; the limit is {MAX_SOCKET_MESSAGE}")
        key = self._read(4)
        return fin, opcode, _unmask(self._read(length), key)

    def _read(self, size: int) -> bytes:
        data = self.reader.read(size) if size else b""
        if len(data) < size:
            raise EOFError("the WebSocket connection ended")
        return data


# ---------------------------------------------------------------------------------------
# The fake
# ---------------------------------------------------------------------------------------


class FakeSlack:
    """A fake Slack workspace with one bot, answering the Web API over loopback HTTP.

    Start it (``start()`` or ``with FakeSlack() as fake:``), point a ``WebClient`` at
    :attr:`api_url`, then inspect :attr:`calls`, :meth:`messages`, :attr:`ephemerals`,
    :attr:`responses`, :attr:`views` and, above all, :attr:`violations`. For Socket Mode,
    give a client :attr:`app_token`, then use :meth:`socket_connections`,
    :meth:`push_envelope`, :meth:`wait_for_ack` and :meth:`disconnect_sockets`.

    Args:
        team_id: The workspace id.
        team_name: The workspace name (``auth.test`` derives the URL from it).
        bot_user_id: The bot's user id; messages are posted as this user.
        bot_token: The only token accepted, except by ``apps.connections.open``.
        app_token: The app-level token; accepted by ``apps.connections.open`` only.
        spec_path: Slack's OpenAPI spec; see :func:`find_spec` for the default.
        clock: Seconds since the epoch, for message timestamps (default ``time.time``).
        action_id_scope: ``"block"`` (Slack's documented rule, the default) requires each
            ``action_id`` to be unique within its block; ``"surface"`` within the whole
            message or view.
        enforce_rate_limits: Answer calls over Slack's published rate limits with 429 (see
            the module documentation); :meth:`set_rate_limits` switches it later.
        keep_history: Keep only this many of the newest calls, response_url posts, opened
            views and violations (default: all, as tests want); a long-running sandbox sets it.
    """

    def __init__(
        self,
        *,
        team_id: str = "T0DIALOG",
        team_name: str = "Dialog City",
        bot_user_id: str = "UBOT0001",
        bot_token: str = "xoxb-test-token",
        app_token: str = "xapp-1-test-app-token",
        spec_path: str | os.PathLike[str] | None = None,
        clock: Callable[[], float] = time.time,
        action_id_scope: str = "block",
        enforce_rate_limits: bool = False,
        keep_history: int | None = None,
    ) -> None:
        if action_id_scope not in {"block", "surface"}:
            raise ValueError(f"action_id_scope must be 'block' or 'surface', not {action_id_scope!r}")
        path = Path(spec_path) if spec_path is not None else find_spec()
        if not path.is_file():
            raise SpecNotFoundError(f"Slack's OpenAPI spec not found at {path}")
        self._operations = _load_operations(str(path.resolve()))
        self.spec_path = path
        self.action_id_scope = action_id_scope
        self.team_id = team_id
        self.team_name = team_name
        self.team_domain = "-".join(team_name.lower().split()) or "workspace"
        self.bot_user_id = bot_user_id
        self.bot_token = bot_token
        self.app_token = app_token
        self.bot_id = "B" + bot_user_id[1:]
        self.app_id = "A" + bot_user_id[1:]
        self.bot_name = "dialogbot"
        self._clock = clock
        self._keep = keep_history

        self._lock = threading.RLock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        self._serial = 0
        self._version = 0
        self._waiting = 0
        self._last_ts_micros = 0

        self._users: dict[str, dict[str, Any]] = {}
        self._channels: dict[str, dict[str, Any]] = {}
        self._opened_dms: set[str] = set()
        self._calls: list[Call] = []
        self._messages: dict[str, list[dict[str, Any]]] = {}
        self._ephemerals: list[dict[str, Any]] = []
        self._responses: list[dict[str, Any]] = []
        self._response_uses: dict[str, int] = {}
        self._views: dict[str, dict[str, Any]] = {}
        self._opened: list[dict[str, Any]] = []
        self._home_views: dict[str, str] = {}
        self._external_ids: dict[str, str] = {}
        self._used_triggers: set[str] = set()
        self._trigger_users: dict[str, str] = {}
        self._view_users: dict[str, str] = {}
        self._modal_stacks: dict[str, list[str]] = {}
        self._response_targets: dict[str, dict[str, Any]] = {}
        self._external_base: str | None = None
        self._violations: list[str] = []
        self._failures: dict[str, deque[_Failure]] = {}
        self._delays: dict[str, float] = {}
        self._rate_limits_on = bool(enforce_rate_limits)
        self._buckets: dict[tuple[str, str], _Bucket] = {}
        self._rate_limited: Counter[str] = Counter()

        self._ticket_numbers = itertools.count(1)
        self._tickets: set[str] = set()
        self._sockets: list[_SocketConnection] = []
        self._envelopes: dict[str, dict[str, Any]] = {}
        self._acks: list[dict[str, Any]] = []

        self.add_user(bot_user_id, name=self.bot_name, real_name="Dialogbot", is_bot=True)

    # -- lifecycle --------------------------------------------------------------------

    def start(self) -> FakeSlack:
        """Bind 127.0.0.1 on a free port and serve in a daemon thread."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("FakeSlack is already running")
            self._stopping.clear()
            self._server = _Server(self)
            self._thread = threading.Thread(
                target=self._server.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"fake-slack-{self._server.server_address[1]}",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port; delayed responses are cut short."""
        with self._lock:
            server, thread = self._server, self._thread
            self._server = self._thread = None
        if server is None:
            return
        self._stopping.set()
        with self._lock:
            sockets = list(self._sockets)
        for connection in sockets:
            connection.close(_CLOSE_GOING_AWAY, "server stopping")
            connection.cut()
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>`` of the running server."""
        server = self._server
        if server is None:
            if self._external_base is not None:
                return self._external_base
            raise RuntimeError("FakeSlack is not running; call start() first")
        host, port = server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def api_url(self) -> str:
        """The Web API base URL for ``WebClient(base_url=...)``; ends with ``/api/``."""
        return self.base_url + API_PREFIX

    def response_url(self, key: str = "default") -> str:
        """A response_url on this server; posts to it are recorded under ``key``."""
        return self.base_url + RESPONSE_PREFIX + quote(key, safe="")

    @property
    def socket_base_url(self) -> str:
        """``ws://127.0.0.1:<port>/socket``; ``apps.connections.open`` adds a ticket."""
        return "ws://" + self.base_url.removeprefix("http://") + SOCKET_PATH

    def attach(self, base_url: str) -> None:
        """Be served by another HTTP server at ``base_url`` (which hands requests to
        :meth:`handle`) instead of :meth:`start`-ing one's own. Socket Mode needs :meth:`start`."""
        with self._lock:
            if self._server is not None:
                raise RuntimeError("FakeSlack is already serving itself")
            self._external_base = base_url.rstrip("/")

    def handle(
        self, verb: str, path: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[int, dict[str, str], bytes]:
        """Answer one Web API or response_url request given by another HTTP server: returns the
        status, extra headers and JSON body. ``path`` includes the query string."""
        reply = self._dispatch(verb, path, {key.lower(): value for key, value in headers.items()}, body)
        if reply.delay > 0:
            self._stopping.wait(reply.delay)
        headers_out = {"Content-Type": "application/json; charset=utf-8", **reply.headers}
        return reply.status, headers_out, json.dumps(reply.body).encode("utf-8")

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

    def issue_trigger(self, user_id: str) -> str:
        """A fresh trigger id for an interaction by ``user_id``: a modal opened or pushed with
        it belongs to that person (see :meth:`modal`)."""
        with self._lock:
            trigger_id = f"{int(self._clock())}{self._next_serial():04d}.{uuid.uuid4().hex}"
            self._remember(self._trigger_users, trigger_id, user_id)
            return trigger_id

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal ``user_id`` sees now (the top of their stack), if any."""
        with self._lock:
            stack = self._modal_stacks.get(user_id) or []
            return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def view_owner(self, view_id: str) -> str | None:
        """Who a modal was opened for (via :meth:`issue_trigger`), or whose home tab it is."""
        with self._lock:
            owner = self._view_users.get(view_id)
            if owner is None:
                owner = next((u for u, v in self._home_views.items() if v == view_id), None)
            return owner

    def set_view_state(self, view_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Record what was entered in a view (``state.values``, Slack's shape); returns the view."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                raise KeyError(view_id)
            view["state"] = {"values": copy.deepcopy(dict(values))}
            return copy.deepcopy(view)

    def close_modal(self, user_id: str, view_id: str | None = None, *, all_views: bool = False) -> None:
        """Take ``view_id`` (default: the top one), or the whole stack, off ``user_id``'s screen."""
        with self._lock:
            stack = self._modal_stacks.get(user_id) or []
            if all_views:
                closed = list(stack)
                stack.clear()
            elif stack and (view_id is None or stack[-1] == view_id):
                closed = [stack.pop()]
            elif view_id in stack:
                stack.remove(view_id)
                closed = [view_id]
            else:
                closed = []
            for gone in closed:
                # A closed modal can no longer be updated or submitted; forget it.
                view = self._views.pop(gone, None)
                self._view_users.pop(gone, None)
                if view and view.get("external_id"):
                    self._external_ids.pop(view["external_id"], None)
            self._bump()

    def replace_modal(
        self, user_id: str, view_id: str, view: Mapping[str, Any], *, push: bool = False
    ) -> str:
        """Apply a ``response_action`` of ``update`` (replace ``view_id``) or ``push`` (a new view
        on top) from a submission's acknowledgement; returns the id of the view now shown.

        Raises:
            KeyError: ``view_id`` is not open.
            ValueError: Slack would refuse ``view`` (also recorded as a violation).
        """
        with self._lock:
            current = self._views.get(view_id)
            if current is None:
                raise KeyError(view_id)
            try:
                checked = self._check_view("view_submission ack", dict(view), ("modal",))
            except _ApiError as exc:
                raise ValueError("; ".join(exc.messages) or exc.error) from None
            stack = self._modal_stacks.setdefault(user_id, [])
            if push:
                new_id = self._new_id("V")
                shown = self._view_object(checked, view_id=new_id, root_view_id=current["root_view_id"],
                                          previous_view_id=view_id)
                stack.append(new_id)
            else:
                new_id = view_id
                shown = self._view_object(checked, view_id=view_id, root_view_id=current["root_view_id"],
                                          previous_view_id=current["previous_view_id"])
            self._store_view(shown)
            self._view_users[new_id] = user_id
            self._bump()
            return new_id

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

    def post_as_user(self, user_id: str, channel: str, text: str, *, thread_ts: str | None = None) -> str:
        """A person's own chat message (what they type that is not a command); returns its ts."""
        with self._lock:
            if user_id not in self._users:
                raise KeyError(user_id)
            message = self._add_message(self._resolve_target(channel), user_id, {"text": text}, thread_ts)
            self._bump()
            return message["ts"]

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

    # -- behaviour control --------------------------------------------------------------

    def fail_next(
        self,
        method: str,
        *,
        error: str = "ratelimited",
        status: int = 429,
        retry_after: int | None = 1,
        count: int = 1,
    ) -> None:
        """Make the next ``count`` calls to ``method`` fail.

        ``status=429`` answers HTTP 429 with ``Retry-After`` (unless ``retry_after`` is
        None); any other status answers that HTTP status with ``{"ok": false, "error"}``.
        Failed calls are recorded but change nothing; 429s count in :meth:`rate_limited_counts`.
        """
        with self._lock:
            queue = self._failures.setdefault(method, deque())
            queue.extend(_Failure(error, status, retry_after) for _ in range(count))

    def set_delay(self, method: str, seconds: float) -> None:
        """Answer ``method`` only after ``seconds`` (the effect is applied first, so a
        client that gives up or dies meanwhile leaves the call in doubt, as with Slack)."""
        with self._lock:
            if seconds > 0:
                self._delays[method] = seconds
            else:
                self._delays.pop(method, None)

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

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
        """Wait until ``predicate()`` is true, re-checking after every call, response post,
        Socket Mode connect, disconnect, envelope and ack; return its final value. The
        predicate may use this object's accessors."""
        with self._changed:
            return bool(self._changed.wait_for(predicate, timeout))

    def reset(self) -> None:
        """Forget calls, messages, views, violations, failures, delays, envelopes, acks and
        rate-limit state (buckets start full again, 429 counts restart); keep users, channels,
        open Socket Mode connections and whether rate limits are enforced."""
        with self._lock:
            self._calls.clear()
            self._messages.clear()
            self._ephemerals.clear()
            self._responses.clear()
            self._response_uses.clear()
            self._views.clear()
            self._opened.clear()
            self._home_views.clear()
            self._external_ids.clear()
            self._used_triggers.clear()
            self._trigger_users.clear()
            self._view_users.clear()
            self._modal_stacks.clear()
            self._response_targets.clear()
            self._violations.clear()
            self._failures.clear()
            self._delays.clear()
            self._opened_dms.clear()
            self._envelopes.clear()
            self._acks.clear()
            self._buckets.clear()
            self._rate_limited.clear()
            self._bump()

    # -- Socket Mode --------------------------------------------------------------------

    def socket_connections(self) -> int:
        """Socket Mode connections open now (from the ``hello`` until the TCP connection
        ends, including one the server has asked to close)."""
        with self._lock:
            return len(self._sockets)

    def push_envelope(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool = False,
    ) -> str:
        """Send a Socket Mode envelope to the newest open connection; return its id.

        Args:
            kind: ``"slash_commands"``, ``"interactive"`` or ``"events_api"``.
            payload: What Slack would POST in HTTP mode, as a JSON object: the slash
                command's fields (JSON here, not form-encoded), the interaction payload,
                or the whole ``event_callback``.
            accepts_response_payload: Sent as is; Slack sets it when the ack's
                ``payload`` is used (slash commands, some interactions).

        Raises:
            ValueError: for another ``kind``.
            TypeError: when ``payload`` is not a JSON object.
            RuntimeError: when no client is connected.
            ConnectionError: when the connection closed before the envelope went out.
        """
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"kind must be one of {sorted(ENVELOPE_TYPES)}, not {kind!r}")
        if not isinstance(payload, Mapping):
            raise TypeError(
                f"payload must be a JSON object, not {type(payload).__name__} "
                "(Socket Mode sends slash commands as JSON, not form-encoded)"
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": copy.deepcopy(dict(payload)),
            "accepts_response_payload": bool(accepts_response_payload),
        }
        frame = json.dumps(envelope).encode("utf-8")
        with self._lock:
            connection = next((c for c in reversed(self._sockets) if not c.closing), None)
            if connection is None:
                raise RuntimeError("no Socket Mode client is connected (see socket_connections())")
            # Recorded before it is sent, so an ack can never arrive for an unknown envelope.
            self._envelopes[envelope_id] = envelope
        if not connection.send(_OP_TEXT, frame):
            with self._lock:
                self._envelopes.pop(envelope_id, None)
            raise ConnectionError("the Socket Mode connection closed before the envelope was sent")
        with self._lock:
            self._bump()
        return envelope_id

    @property
    def socket_envelopes(self) -> list[dict[str, Any]]:
        """Envelopes sent with :meth:`push_envelope`, in order, as sent."""
        with self._lock:
            return copy.deepcopy(list(self._envelopes.values()))

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Acknowledgements received, in order: ``{"envelope_id", "payload"?}`` as sent."""
        with self._lock:
            return copy.deepcopy(self._acks)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any] | None:
        """The ack of ``envelope_id``, waiting up to ``timeout`` seconds; None if none came."""

        def ack() -> dict[str, Any] | None:
            return next((a for a in self._acks if a["envelope_id"] == envelope_id), None)

        with self._changed:
            self._changed.wait_for(lambda: ack() is not None, timeout)
            found = ack()
            return copy.deepcopy(found) if found is not None else None

    def disconnect_sockets(self, *, reason: str | None = None, timeout: float = 5.0) -> int:
        """Close every open Socket Mode connection from the server side; return how many.

        Without ``reason`` a close frame (1001, going away) goes out at once, as when Slack
        drops a connection. With ``reason`` (``"warning"``, ``"refresh_requested"`` or
        ``"link_disabled"``) Slack's ``{"type": "disconnect", ...}`` message goes first and
        the client has ``timeout`` seconds to close the connection itself (clients reconnect
        on it) before the close frame follows. A connection still open ``timeout`` seconds
        after its close frame is cut. Returns once every one of them is gone.
        """
        if reason is not None and reason not in DISCONNECT_REASONS:
            raise ValueError(f"reason must be one of {sorted(DISCONNECT_REASONS)}, not {reason!r}")
        with self._lock:
            targets = [c for c in self._sockets if not c.closing]
        if reason is not None:
            notice = {"type": "disconnect", "reason": reason, "debug_info": {"host": self._socket_host()}}
            for connection in targets:
                connection.send(_OP_TEXT, json.dumps(notice).encode("utf-8"))
            self._wait_gone(targets, timeout)
        for connection in targets:
            connection.close(_CLOSE_GOING_AWAY, "disconnected by the server")
        if not self._wait_gone(targets, timeout):
            for connection in targets:
                connection.cut()
            self._wait_gone(targets, timeout)
        return len(targets)

    # -- request handling ---------------------------------------------------------------

    def _dispatch(self, verb: str, raw_path: str, headers: Mapping[str, str], body: bytes) -> _Reply:
        parts = urlsplit(raw_path)
        if parts.path.startswith(API_PREFIX):
            method = unquote(parts.path[len(API_PREFIX) :])
            return self._api_call(verb, method, parts.query, headers, body)
        if parts.path.startswith(RESPONSE_PREFIX):
            key = unquote(parts.path[len(RESPONSE_PREFIX) :])
            return self._response_post(verb, key, body)
        with self._lock:
            self._violate("http", f"{verb} {parts.path} is not a Slack endpoint")
        return _Reply(404, {"ok": False, "error": "not_found"}, {})

    def _api_call(
        self, verb: str, method: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> _Reply:
        params, decode_error, decode_problems = self._decode(verb, query, headers, body)
        token = params.pop("token", None)
        authorization = headers.get("authorization", "")
        in_header = authorization.lower().startswith("bearer ")
        if in_header:
            token = authorization[7:].strip()
        call = Call(method, verb, params, token, time.monotonic())
        with self._lock:
            self._calls.append(call)
            self._trim(self._calls)
            for problem in decode_problems:
                self._violate(method, problem)
            # Slack would deliver it (and notify everyone), so it is recorded, not refused.
            for problem in special_mention_problems(params):
                self._violate(method, problem)
            try:
                reply = self._answer(call, decode_error, token_in_header=in_header)
            except _ApiError as exc:
                if exc.violation:
                    self._violate(method, exc.violation)
                body_out: dict[str, Any] = {"ok": False, "error": exc.error}
                if exc.messages:
                    body_out["response_metadata"] = {"messages": exc.messages}
                reply = _Reply(200, body_out, {})
            except Exception as exc:  # a malformed call the fake did not foresee
                self._violate(method, f"the fake could not handle this call: {exc!r}")
                reply = _Reply(500, {"ok": False, "error": "fatal_error"}, {})
            reply.delay = self._delays.get(method, 0.0)
            self._bump(changed=method in CHANGING_METHODS and reply.status == 200)
        return reply

    def _decode(
        self, verb: str, query: str, headers: Mapping[str, str], body: bytes
    ) -> tuple[dict[str, Any], str | None, list[str]]:
        params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
        problems: list[str] = []
        error: str | None = None
        content_type = headers.get("content-type", "").split(";")[0].strip().lower()
        if verb == "POST" and body:
            try:
                text = body.decode("utf-8")
            except UnicodeDecodeError:
                return params, "invalid_charset", ["request body is not UTF-8"]
            if content_type == "application/json":
                try:
                    data = json.loads(text)
                except json.JSONDecodeError as exc:
                    return params, "invalid_json", [f"request body is not JSON ({exc})"]
                if not isinstance(data, dict):
                    return params, "json_not_object", ["JSON request body is not an object"]
                params.update(data)
            elif content_type in {"application/x-www-form-urlencoded", ""}:
                params.update(parse_qsl(text, keep_blank_values=True))
            else:
                return params, "invalid_form_data", [f"unsupported Content-Type {content_type!r}"]
        for field in JSON_STRING_FIELDS:
            value = params.get(field)
            if isinstance(value, str):
                try:
                    params[field] = json.loads(value)
                except json.JSONDecodeError:
                    problems.append(f"{field} is not valid JSON")
                    error = error or {
                        "blocks": "invalid_blocks_format",
                        "metadata": "invalid_metadata_format",
                        "attachments": "invalid_attachments",
                    }.get(field, "invalid_arguments")
        return params, error, problems

    def _answer(self, call: Call, decode_error: str | None, *, token_in_header: bool) -> _Reply:
        method, params = call.method, call.params
        operation = self._operations.get(method) or EXTRA_OPERATIONS.get(method)
        if operation is None:
            raise _ApiError("unknown_method", f"{method!r} is not a Slack Web API method")

        problems: list[str] = []
        if call.http_verb == "GET" and "GET" not in operation.verbs:
            problems.append("sent with GET, but the spec documents POST only")
        documented = operation.parameters | EXTRA_PARAMETERS.get(method, frozenset()) | GLOBAL_PARAMETERS
        unknown = sorted(set(params) - documented)
        if unknown:
            problems.append("undocumented parameter(s): " + ", ".join(unknown))
        missing = sorted(name for name in operation.required - {"token"} if params.get(name) in (None, ""))
        if missing:
            problems.append("missing required parameter(s): " + ", ".join(missing))
        for problem in problems:
            self._violate(method, problem)

        failures = self._failures.get(method)
        if failures:
            failure = failures.popleft()
            extra = {}
            if failure.status == 429:
                self._rate_limited[method] += 1
                if failure.retry_after is not None:
                    extra["Retry-After"] = str(failure.retry_after)
            return _Reply(failure.status, {"ok": False, "error": failure.error}, extra)

        if call.token is None:
            raise _ApiError("not_authed", "no token was sent")
        if method in APP_TOKEN_METHODS:
            expected, kind = self.app_token, "app-level"
            if not token_in_header:
                raise _ApiError("not_authed", f"{method} takes the token in the Authorization header only")
        else:
            expected, kind = self.bot_token, "bot"
        if call.token != expected:
            if call.token in {self.app_token, self.bot_token}:
                raise _ApiError("not_allowed_token_type", f"{method} needs the {kind} token")
            raise _ApiError("invalid_auth", f"the token sent is not the {kind} token")
        if decode_error:
            raise _ApiError(decode_error)
        if problems:
            raise _ApiError("invalid_arguments", messages=[f"[ERROR] {p}" for p in problems])

        handler = self._handlers.get(method)
        if handler is None:
            raise _ApiError("fake_not_implemented", "the fake does not implement this method")
        retry_after = self._take_rate_limit(method, params)
        if retry_after is not None:
            self._rate_limited[method] += 1
            return _Reply(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": str(retry_after)})
        return _Reply(200, {"ok": True, **handler(self, params)}, {})

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

    def _socket_host(self) -> str:
        server = self._server
        port = server.server_address[1] if server is not None else 0
        return f"applink-fake-{port}"

    def _socket_handshake(self, raw_path: str, headers: Mapping[str, str]) -> _Reply | str:
        """Check a WebSocket upgrade request (RFC 6455 §4.2.1) and its ticket.

        Returns the ``Sec-WebSocket-Accept`` value, or the refusal to send (also a violation).
        """
        ticket = dict(parse_qsl(urlsplit(raw_path).query)).get("ticket", "")
        connection_tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        key = headers.get("sec-websocket-key", "").strip()
        try:
            key_ok = len(base64.b64decode(key.encode("ascii"), validate=True)) == 16
        except (binascii.Error, UnicodeEncodeError):
            key_ok = False
        with self._lock:
            refusal: _Reply | None = None
            upgrade = headers.get("upgrade", "").strip().lower() == "websocket"
            if not upgrade or "upgrade" not in connection_tokens:
                problem = "GET /socket without a WebSocket upgrade (Upgrade: websocket, Connection: Upgrade)"
                refusal = _Reply(400, {"ok": False, "error": "not_a_websocket_request"}, {})
            elif headers.get("sec-websocket-version", "").strip() != "13":
                problem = "Sec-WebSocket-Version must be 13"
                refusal = _Reply(
                    426, {"ok": False, "error": "unsupported_version"}, {"Sec-WebSocket-Version": "13"}
                )
            elif not key_ok:
                problem = "Sec-WebSocket-Key must be 16 random bytes, base64-encoded"
                refusal = _Reply(400, {"ok": False, "error": "invalid_websocket_key"}, {})
            elif ticket not in self._tickets:
                problem = f"ticket {ticket!r} was not issued by apps.connections.open or was already used"
                refusal = _Reply(401, {"ok": False, "error": "invalid_ticket"}, {})
            if refusal is not None:
                self._violate("socket", problem)
                return refusal
            self._tickets.discard(ticket)
        return _websocket_accept(key)

    def _serve_socket(self, connection: _SocketConnection) -> None:
        """Greet a new connection and read from it until it ends (on its handler thread)."""
        try:
            # The hello goes out before anything push_envelope sends on this connection.
            with connection.send_lock:
                with self._lock:
                    self._sockets.append(connection)
                    hello = {
                        "type": "hello",
                        "num_connections": len(self._sockets),
                        "debug_info": {
                            "host": self._socket_host(),
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                    self._bump()
                connection.send_locked(_OP_TEXT, json.dumps(hello).encode("utf-8"))
            self._read_socket(connection)
        except (EOFError, OSError):
            pass
        finally:
            connection.cut()
            with self._lock:
                if connection in self._sockets:
                    self._sockets.remove(connection)
                self._bump()

    def _read_socket(self, connection: _SocketConnection) -> None:
        fragments: list[bytes] | None = None
        while True:
            try:
                fin, opcode, data = connection.read_frame()
                if opcode == _OP_PING:
                    connection.send(_OP_PONG, data)
                    continue
                if opcode == _OP_PONG:
                    continue
                if opcode == _OP_CLOSE:
                    if len(data) == 1:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a close frame with a 1-byte body")
                    # Echo the client's status code (RFC 6455 §5.5.1); nothing if we sent first.
                    connection.close(int.from_bytes(data[:2], "big") if data else None)
                    return
                if opcode == _OP_BINARY:
                    raise _ProtocolError(_CLOSE_UNSUPPORTED_DATA, "a binary frame; Socket Mode is JSON text")
                if opcode == _OP_CONTINUATION:
                    if fragments is None:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a continuation frame with no message")
                    fragments.append(data)
                else:
                    if fragments is not None:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one")
                    fragments = [data]
                if sum(map(len, fragments)) > MAX_SOCKET_MESSAGE:
                    raise _ProtocolError(_CLOSE_TOO_BIG, f"a message over {MAX_SOCKET_MESSAGE} bytes")
                if not fin:
                    continue
                message, fragments = b"".join(fragments), None
                try:
                    text = message.decode("utf-8")
                except UnicodeDecodeError:
                    raise _ProtocolError(_CLOSE_INVALID_DATA, "a text message that is not UTF-8") from None
                self._receive_socket_text(text)
            except _ProtocolError as error:
                with self._lock:
                    self._violate("socket", error.reason)
                connection.close(error.code, error.reason)
                return

    def _receive_socket_text(self, text: str) -> None:
        """Record a client message: it must acknowledge an envelope it was sent, once."""
        with self._lock:
            try:
                message = json.loads(text)
            except json.JSONDecodeError:
                self._violate("socket", "a text message that is not JSON")
                return
            if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
                self._violate("socket", 'a message that is not an ack {"envelope_id", "payload"?}')
                return
            envelope_id = message["envelope_id"]
            where = f"socket ack[{envelope_id}]"
            unknown = sorted(set(message) - ACK_FIELDS)
            if unknown:
                self._violate(where, "unknown field(s): " + ", ".join(unknown))
            envelope = self._envelopes.get(envelope_id)
            if envelope is None:
                self._violate(where, "no envelope with this id was sent")
            elif any(a["envelope_id"] == envelope_id for a in self._acks):
                self._violate(where, "the envelope was acknowledged more than once")
            ack: dict[str, Any] = {"envelope_id": envelope_id}
            if "payload" in message:
                payload = message["payload"]
                ack["payload"] = copy.deepcopy(payload)
                if not isinstance(payload, dict):
                    self._violate(where, "payload must be a JSON object")
                elif payload and envelope is not None and envelope["type"] == "slash_commands":
                    self._check_ack_message(where, payload)
            self._acks.append(ack)
            self._bump()

    def _check_ack_message(self, where: str, payload: dict[str, Any]) -> None:
        """A slash command ack's payload is a message, as on a response_url."""
        try:
            self._check_response_body(where, payload)
        except _ApiError as error:
            if error.violation:
                self._violate(where, error.violation)

    def _wait_gone(self, connections: list[_SocketConnection], timeout: float) -> bool:
        with self._changed:
            return bool(self._changed.wait_for(lambda: not set(connections) & set(self._sockets), timeout))

    # -- helpers (called with the lock held) --------------------------------------------

    def _violate(self, where: str, what: str) -> None:
        self._violations.append(f"{where}: {what}")
        self._trim(self._violations)

    def _next_ts(self) -> str:
        micros = int(self._clock() * 1_000_000)
        if micros <= self._last_ts_micros:
            micros = self._last_ts_micros + 1
        self._last_ts_micros = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}{self._next_serial():010d}"

    def _new_hash(self) -> str:
        return f"{int(self._clock())}.{self._next_serial():08x}"

    def _next_serial(self) -> int:
        self._serial += 1
        return self._serial

    def _bump(self, *, changed: bool = True) -> None:
        """Something happened: wake waiters (:meth:`wait_for`, and :meth:`wait_for_change` when
        what people see may have ``changed``)."""
        if changed:
            self._version += 1
        self._changed.notify_all()

    def _trim(self, records: list[Any]) -> None:
        if self._keep is not None and len(records) > self._keep:
            del records[: len(records) - self._keep]

    def _remember(self, mapping: dict[str, Any], key: str, value: Any) -> None:
        """Store in a mapping that a long-running sandbox keeps bounded (oldest entries go first)."""
        mapping[key] = value
        if self._keep is not None and len(mapping) > self._keep:
            for old in list(mapping)[: len(mapping) - self._keep]:
                del mapping[old]

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

    def _view_object(
        self,
        view: dict[str, Any],
        *,
        view_id: str,
        root_view_id: str | None,
        previous_view_id: str | None,
    ) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": copy.deepcopy(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _check_view(self, method: str, view: Any, allowed_types: Iterable[str]) -> dict[str, Any]:
        problems = view_problems(view, allowed_types=allowed_types, action_id_scope=self.action_id_scope)
        if problems:
            for problem in problems:
                self._violate(method, problem)
            raise _ApiError("invalid_arguments", messages=[f"[ERROR] {p}" for p in problems])
        assert isinstance(view, dict)
        return view

    def _use_trigger(self, trigger_id: Any) -> str | None:
        """Spend a trigger id; returns whose it is, when it came from :meth:`issue_trigger`."""
        if not isinstance(trigger_id, str) or not trigger_id:
            raise _ApiError("invalid_trigger_id", "trigger_id is missing or empty")
        if trigger_id in self._used_triggers:
            raise _ApiError("exchanged_trigger_id", f"trigger_id {trigger_id} was already used")
        self._used_triggers.add(trigger_id)
        return self._trigger_users.pop(trigger_id, None)

    def _store_view(self, view: dict[str, Any]) -> None:
        self._views[view["id"]] = view
        if view["external_id"]:
            self._external_ids[view["external_id"]] = view["id"]

    # -- Web API methods ----------------------------------------------------------------

    def _auth_test(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

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

    def _views_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view = self._check_view("views.open", params.get("view"), ("modal",))
        owner = self._use_trigger(params.get("trigger_id"))
        external_id = view.get("external_id")
        if external_id and external_id in self._external_ids:
            raise _ApiError("duplicate_external_id")
        view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=None, previous_view_id=None)
        self._store_view(shown)
        self._opened.append(copy.deepcopy(shown))
        self._trim(self._opened)
        if owner is not None:
            # A new modal from a message or command replaces whatever that person had open.
            self._modal_stacks[owner] = [view_id]
            self._view_users[view_id] = owner
        return {"view": copy.deepcopy(shown)}

    def _views_push(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view = self._check_view("views.push", params.get("view"), ("modal",))
        owner = self._use_trigger(params.get("trigger_id"))
        stack = self._modal_stacks.get(owner, []) if owner is not None else []
        if stack:
            root, previous = self._views[stack[0]]["root_view_id"], stack[-1]
        else:
            root = previous = self._opened[-1]["id"] if self._opened else None
        view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=root, previous_view_id=previous)
        self._store_view(shown)
        if owner is not None:
            self._modal_stacks.setdefault(owner, []).append(view_id)
            self._view_users[view_id] = owner
        return {"view": copy.deepcopy(shown)}

    def _views_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _ApiError("invalid_arguments", "views.update needs view_id or external_id")
        if not view_id:
            view_id = self._external_ids.get(external_id)
        current = self._views.get(view_id) if view_id else None
        if current is None:
            raise _ApiError("not_found")
        if "view" not in params:
            raise _ApiError("invalid_arguments", "views.update needs a view")
        view = self._check_view("views.update", params["view"], (current["type"],))
        expected = params.get("hash")
        if expected and expected != current["hash"]:
            raise _ApiError("hash_conflict")
        shown = self._view_object(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        if not shown["external_id"]:
            shown["external_id"] = current["external_id"]
        self._store_view(shown)
        return {"view": copy.deepcopy(shown)}

    def _views_publish(self, params: Mapping[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if user_id not in self._users:
            raise _ApiError("user_not_found")
        view = self._check_view("views.publish", params.get("view"), ("home",))
        view_id = self._home_views.get(user_id)
        if view_id:
            expected = params.get("hash")
            if expected and expected != self._views[view_id]["hash"]:
                raise _ApiError("hash_conflict")
        else:
            view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=None, previous_view_id=None)
        self._store_view(shown)
        self._home_views[user_id] = view_id
        return {"view": copy.deepcopy(shown)}

    def _user_object(self, user: Mapping[str, Any], *, locale: bool) -> dict[str, Any]:
        zone = ZoneInfo(user["tz"])
        now = datetime.now(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "real_name": user["real_name"],
            "real_name_normalized": user["real_name"],
            "display_name": user["name"],
            "display_name_normalized": user["name"],
            "team": self.team_id,
            "title": "",
            "phone": "",
            "status_text": "",
            "status_emoji": "",
        }
        if user["is_bot"]:
            profile["bot_id"] = self.bot_id if user["id"] == self.bot_user_id else ""
        shown: dict[str, Any] = {
            "id": user["id"],
            "team_id": self.team_id,
            "name": user["name"],
            "deleted": False,
            "color": "9f69e7",
            "real_name": user["real_name"],
            "tz": user["tz"],
            "tz_label": now.tzname() or user["tz"],
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user["is_bot"],
            "is_app_user": False,
            "updated": user["updated"],
        }
        if locale:
            shown["locale"] = user["locale"]
        return shown

    def _users_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        user = self._users.get(params.get("user") or "")
        if user is None:
            raise _ApiError("user_not_found")
        return {"user": self._user_object(user, locale=_truthy(params.get("include_locale")))}

    def _conversations_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        if users:
            ids = [u.strip() for u in str(users).split(",") if u.strip()]
            if len(ids) != 1:
                raise _ApiError(
                    "method_not_supported_for_channel_type",
                    "the fake opens 1:1 DMs only (one user id in `users`)",
                )
            if ids[0] not in self._users:
                raise _ApiError("user_not_found")
            channel = self.dm_channel_id(ids[0])
        elif params.get("channel"):
            channel = self._resolve_conversation(params["channel"])
        else:
            raise _ApiError("users_list_not_supplied")
        already_open = channel in self._opened_dms
        self._opened_dms.add(channel)
        shown: dict[str, Any] = {"id": channel}
        if _truthy(params.get("return_im", False)) and channel.startswith("D"):
            shown = self._dm_object(channel, locale=False)
        return {"no_op": already_open, "already_open": already_open, "channel": shown}

    def _dm_object(self, channel: str, *, locale: bool) -> dict[str, Any]:
        user = self._users[channel[1:]]
        shown: dict[str, Any] = {
            "id": channel,
            "created": user["updated"],
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "updated": user["updated"],
            "user": user["id"],
            "is_user_deleted": False,
            "priority": 0,
            "is_open": True,
        }
        if locale:
            shown["locale"] = user["locale"]
        return shown

    def _conversations_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        locale = _truthy(params.get("include_locale", False))
        if channel.startswith("D"):
            return {"channel": self._dm_object(channel, locale=locale)}
        info = self._channels[channel]
        private = channel.startswith("G")
        shown: dict[str, Any] = {
            "id": channel,
            "name": info["name"],
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_mpim": False,
            "is_private": private,
            "created": info["created"],
            "is_archived": False,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": info["name"],
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "is_member": True,
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if locale:
            shown["locale"] = "en-US"
        if _truthy(params.get("include_num_members", False)):
            shown["num_members"] = len(self._users)
        return {"channel": shown}

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

    def _apps_connections_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ticket = str(next(self._ticket_numbers))
        self._tickets.add(ticket)
        return {"url": f"{self.socket_base_url}?ticket={ticket}"}

    _handlers: dict[str, Callable[[FakeSlack, Mapping[str, Any]], dict[str, Any]]] = {
        "apps.connections.open": _apps_connections_open,
        "auth.test": _auth_test,
        "chat.postMessage": _chat_post_message,
        "chat.update": _chat_update,
        "chat.postEphemeral": _chat_post_ephemeral,
        "chat.delete": _chat_delete,
        "views.open": _views_open,
        "views.push": _views_push,
        "views.update": _views_update,
        "views.publish": _views_publish,
        "users.info": _users_info,
        "conversations.open": _conversations_open,
        "conversations.info": _conversations_info,
        "conversations.history": _conversations_history,
        "conversations.replies": _conversations_replies,
    }
