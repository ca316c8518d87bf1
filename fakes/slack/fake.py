"""The fake Slack itself: one object that serves the Web API on loopback, checks every call against the
spec and Block Kit, and keeps what a test inspects (the behaviours are in the mixins beside it)."""

from __future__ import annotations

import itertools
import json
import os
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from fakes.slack.common import (
    API_PREFIX,
    CHANGING_METHODS,
    JSON_STRING_FIELDS,
    RESPONSE_PREFIX,
    SOCKET_PATH,
    Call,
    _ApiError,
    _Failure,
    _Reply,
)
from fakes.slack.directory import DirectoryMixin
from fakes.slack.http import _Server
from fakes.slack.mentions import special_mention_problems
from fakes.slack.messages import MessagesMixin
from fakes.slack.openapi import (
    APP_TOKEN_METHODS,
    EXTRA_OPERATIONS,
    EXTRA_PARAMETERS,
    GLOBAL_PARAMETERS,
    SpecNotFoundError,
    _load_operations,
    find_spec,
)
from fakes.slack.ratelimits import RateLimitsMixin, _Bucket
from fakes.slack.response_urls import ResponseUrlsMixin
from fakes.slack.socket_mode import SocketModeMixin
from fakes.slack.state import WorkspaceStateMixin
from fakes.slack.views import ViewsMixin
from fakes.slack.websocket import _CLOSE_GOING_AWAY, _SocketConnection


class FakeSlack(WorkspaceStateMixin, ViewsMixin, ResponseUrlsMixin, MessagesMixin, DirectoryMixin,
                SocketModeMixin, RateLimitsMixin):
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

    _handlers: dict[str, Callable[[FakeSlack, Mapping[str, Any]], dict[str, Any]]] = {
        "apps.connections.open": SocketModeMixin._apps_connections_open,
        "auth.test": DirectoryMixin._auth_test,
        "chat.postMessage": MessagesMixin._chat_post_message,
        "chat.update": MessagesMixin._chat_update,
        "chat.postEphemeral": MessagesMixin._chat_post_ephemeral,
        "chat.delete": MessagesMixin._chat_delete,
        "views.open": ViewsMixin._views_open,
        "views.push": ViewsMixin._views_push,
        "views.update": ViewsMixin._views_update,
        "views.publish": ViewsMixin._views_publish,
        "users.info": DirectoryMixin._users_info,
        "conversations.open": DirectoryMixin._conversations_open,
        "conversations.info": DirectoryMixin._conversations_info,
        "conversations.history": MessagesMixin._conversations_history,
        "conversations.replies": MessagesMixin._conversations_replies,
    }
