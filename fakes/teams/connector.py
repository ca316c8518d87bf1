"""A fake Bot Framework Connector (the REST API behind a Teams activity's `serviceUrl`), on loopback.

Routes (as the Connector has them; ids in the path may be percent-encoded or not):

* ``POST /v3/conversations/{conversation}/activities``: a new activity → 201 ``{"id"}``.
* ``POST /v3/conversations/{conversation}/activities/{activity}``: a reply → 201 ``{"id"}``.
* ``PUT /v3/conversations/{conversation}/activities/{activity}``: an update → 200 ``{"id"}``, 404
  ``ActivityNotFoundInConversation`` for an activity the fake did not take.
* ``POST /v3/conversations``: a new conversation → 201 ``{"id", "serviceUrl"}`` (and
  ``activityId`` when it carried a first activity).
* ``GET /v3/conversations/{conversation}/members/{member}``: a TeamsChannelAccount from the
  directory (:meth:`FakeConnector.add_member`), by its ``29:`` id or its aadObjectId; 404 unknown.

Errors are answered as the Connector answers them: ``{"error": {"code", "message"}}``.
"""

from __future__ import annotations

import itertools
import json
import math
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

T = TypeVar("T")

# Teams' published limits per bot per conversation ("thread") for sending: at most 7 operations in
# 1 s, 8 in 2 s, 60 in 30 s and 1800 in 3600 s (learn.microsoft.com/microsoftteams/platform/bots/
# how-to/rate-limit, "Per bot per thread limit"). Pairs of (operations, seconds).
TEAMS_LIMITS: tuple[tuple[int, float], ...] = ((7, 1.0), (8, 2.0), (60, 30.0), (1800, 3600.0))

DROP = 0  # `fail(DROP)`: read the request, take it, and close the connection without an answer.
STALL = -1  # `fail(STALL)`: take the request and answer nothing until the fake stops.

BLOCKED = "ConversationBlockedByUser"
NOT_IN_ROSTER = "BotNotInConversationRoster"
_MESSAGES = {
    BLOCKED: "User blocked the conversation with the bot.",
    NOT_IN_ROSTER: "The bot is not part of the conversation roster.",
    "BotDisabledByAdmin": "The tenant admin disabled this bot.",
    "ConversationNotFound": "Conversation not found.",
    "ActivityNotFoundInConversation": "Activity not found in conversation.",
    "Throttled": "Too many requests.",
    "ServiceError": "Internal server error.",
}
_DEFAULT_CODES = {429: "Throttled", 403: BLOCKED, 404: "ConversationNotFound", 500: "ServiceError"}


@dataclass(frozen=True)
class Sent:
    """One activity the fake took: what was done (`send`, `reply`, `update` or `create`), where,
    the activity's id, the JSON as received, and the Authorization header it came with."""

    operation: str
    conversation_id: str
    activity_id: str
    activity: dict[str, Any]
    reply_to_id: str | None = None
    authorization: str | None = None

    @property
    def text(self) -> str:
        """The activity's text ("" when it has none)."""
        return str(self.activity.get("text") or "")

    @property
    def attachments(self) -> list[dict[str, Any]]:
        """The activity's attachments."""
        return list(self.activity.get("attachments") or [])


@dataclass(frozen=True)
class Call:
    """One request and the status it was answered with (0 or less: none, the connection dropped or
    the answer stalled)."""

    method: str
    path: str
    conversation_id: str | None
    status: int


@dataclass
class _Failure:
    status: int
    conversation_id: str | None
    operations: frozenset[str] | None
    times: int | None
    retry_after: float | None
    code: str | None
    message: str | None


@dataclass
class _Answer:
    status: int
    body: dict[str, Any] | None = None
    headers: dict[str, str] = field(default_factory=dict)


class FakeConnector:
    """The Bot Connector on loopback, recording what the bot sends; thread-safe.

    Use as a context manager, or `start()` and `stop()`. `url` is the serviceUrl to put in the
    activities the bot receives (it ends with ``/``)."""

    def __init__(self, *, token: str | None = None, clock: Callable[[], float] = time.monotonic,
                 service_name: str = "smba") -> None:
        self._token = token
        self._clock = clock
        self._service_name = service_name
        self._condition = threading.Condition()
        self._sent: list[Sent] = []
        self._calls: list[Call] = []
        self._activities: dict[tuple[str, str], dict[str, Any]] = {}
        self._members: dict[str | None, list[dict[str, Any]]] = {}
        self._failures: list[_Failure] = []
        self._limits: tuple[tuple[int, float], ...] = ()
        self._history: dict[str, deque[float]] = {}
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Serving

    def start(self) -> FakeConnector:
        """Listen on 127.0.0.1 on a free port, in a background thread."""
        self._stopping.clear()
        self._server = _Server(self)
        # A short poll keeps `stop` quick (serve_forever checks for shutdown between polls).
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-connector", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening, and let stalled requests go."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeConnector:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """The serviceUrl of this Connector, ending with ``/``."""
        if self._server is None:
            raise RuntimeError("the fake Connector is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # What tests set up

    def require_token(self, token: str | None) -> None:
        """Answer 401 to requests without ``Authorization: Bearer <token>`` (None: take any)."""
        with self._condition:
            self._token = token

    def fail(self, status: int, *, conversation_id: str | None = None, times: int | None = 1,
             retry_after: float | None = None, code: str | None = None, message: str | None = None,
             operations: Iterable[str] | None = None) -> None:
        """Answer the next `times` requests (None: all) to `conversation_id` (None: any) with
        `status` (429 with `Retry-After`, 403 with a Bot Framework error `code`, 401, 5xx), or
        `DROP` (take the activity, close the connection unanswered), or `STALL` (take it, answer
        nothing until the fake stops). `operations` limits it to some of `send`, `reply`,
        `update`, `create`, `member`."""
        with self._condition:
            self._failures.append(_Failure(status, conversation_id,
                                           frozenset(operations) if operations else None, times,
                                           retry_after, code, message))

    def clear_failures(self) -> None:
        """Forget every failure set with `fail`."""
        with self._condition:
            self._failures.clear()

    def limit_rate(self, limits: Iterable[tuple[int, float]] = TEAMS_LIMITS) -> None:
        """Answer 429 to a conversation's activity past any of `limits` ((operations, seconds)
        pairs; Teams' published ones by default); `limit_rate(())` turns it off again."""
        with self._condition:
            self._limits = tuple(limits)
            self._history.clear()

    def add_member(self, member_id: str, *, name: str, aad_object_id: str,
                   user_principal_name: str | None = None, email: str | None = None,
                   conversation_id: str | None = None, tenant_id: str | None = None) -> dict[str, Any]:
        """Put a person in the directory (of every conversation, or only `conversation_id`)."""
        account = {"id": member_id, "name": name, "aadObjectId": aad_object_id,
                   "givenName": name.split(" ")[0], "surname": name.split(" ")[-1],
                   "userPrincipalName": user_principal_name or email or f"{aad_object_id}@example.org",
                   "email": email or user_principal_name or f"{aad_object_id}@example.org",
                   "userRole": "user"}
        if tenant_id:
            account["tenantId"] = tenant_id
        with self._condition:
            self._members.setdefault(conversation_id, []).append(account)
        return dict(account)

    # What tests read

    @property
    def sent(self) -> list[Sent]:
        """Every activity taken, in order (sends, replies, updates and new conversations)."""
        with self._condition:
            return list(self._sent)

    @property
    def calls(self) -> list[Call]:
        """Every request with the status it was answered with, failures included."""
        with self._condition:
            return list(self._calls)

    def messages_to(self, conversation_id: str) -> list[Sent]:
        """The activities posted to a conversation (sends and replies, not updates)."""
        return [s for s in self.sent if s.conversation_id == conversation_id
                and s.operation in ("send", "reply", "create")]

    def activity(self, conversation_id: str, activity_id: str) -> dict[str, Any] | None:
        """An activity as it now stands, after any updates."""
        with self._condition:
            found = self._activities.get((conversation_id, activity_id))
            return json.loads(json.dumps(found)) if found is not None else None

    def wait_for(self, predicate: Callable[[list[Sent]], T], timeout: float = 5.0) -> T:
        """Wait until `predicate(sent)` is truthy and return it; TimeoutError after `timeout`."""
        with self._condition:
            result = predicate(list(self._sent))
            deadline = time.monotonic() + timeout
            while not result:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"nothing matched within {timeout:g} s; sent: {len(self._sent)}")
                self._condition.wait(remaining)
                result = predicate(list(self._sent))
            return result

    # Serving one request

    def _handle(self, method: str, raw_path: str, headers: dict[str, str], body: bytes) -> _Answer:
        segments = [unquote(part) for part in urlsplit(raw_path).path.split("/")[1:]]
        route = _route(method, segments)
        conversation_id = segments[2] if len(segments) > 2 else None
        with self._condition:
            answer = self._answer(route, conversation_id, segments, headers, body)
            self._calls.append(Call(method, raw_path, conversation_id, answer.status))
            self._condition.notify_all()
            return answer

    def _answer(self, route: str | None, conversation_id: str | None, segments: list[str],
                headers: dict[str, str], body: bytes) -> _Answer:
        if route is None:
            return _error(404, "NotFound", "No such route.")
        authorization = headers.get("authorization")
        if self._token is not None and authorization != f"Bearer {self._token}":
            return _Answer(401, {"message": "Authorization has been denied for this request."})
        failure = self._failure_for(route, conversation_id)
        if failure is not None and failure.status > 0:
            return _failure_answer(failure)
        if route == "member":
            found = self._member(conversation_id or "", segments[4])
            return _Answer(failure.status) if failure is not None else found
        try:
            activity = json.loads(body or b"{}")
        except ValueError:
            return _error(400, "BadSyntax", "The body is not JSON.")
        if not isinstance(activity, dict):
            return _error(400, "BadArgument", "The body is not an object.")
        if route != "create" and conversation_id and self._limits and self._over_limit(conversation_id):
            return _failure_answer(_Failure(429, conversation_id, None, 1, None, "Throttled", None),
                                   retry_after=self._wait_needed(conversation_id))
        answer = self._take(route, conversation_id or "", segments, activity, authorization)
        if failure is not None:
            answer = _Answer(failure.status)  # DROP or STALL, after the activity was taken
        return answer

    def _failure_for(self, route: str, conversation_id: str | None) -> _Failure | None:
        for failure in self._failures:
            if failure.conversation_id not in (None, conversation_id):
                continue
            if failure.operations is not None and route not in failure.operations:
                continue
            if failure.times is not None:
                failure.times -= 1
                if failure.times <= 0:
                    self._failures.remove(failure)
            return failure
        return None

    def _over_limit(self, conversation_id: str) -> bool:
        now = self._clock()
        history = self._history.setdefault(conversation_id, deque())
        longest = max(seconds for _, seconds in self._limits)
        while history and history[0] <= now - longest:
            history.popleft()
        for operations, seconds in self._limits:
            if sum(1 for at in history if at > now - seconds) >= operations:
                return True
        history.append(now)
        return False

    def _wait_needed(self, conversation_id: str) -> float:
        now = self._clock()
        history = list(self._history.get(conversation_id, ()))
        wait = 0.0
        for operations, seconds in self._limits:
            inside = [at for at in history if at > now - seconds]
            if len(inside) >= operations:
                wait = max(wait, inside[len(inside) - operations] + seconds - now)
        return max(1.0, float(math.ceil(wait)))

    def _take(self, route: str, conversation_id: str, segments: list[str], activity: dict[str, Any],
              authorization: str | None) -> _Answer:
        if route == "update":
            activity_id = segments[4]
            if (conversation_id, activity_id) not in self._activities:
                return _error(404, "ActivityNotFoundInConversation",
                              _MESSAGES["ActivityNotFoundInConversation"])
            self._activities[(conversation_id, activity_id)] = activity
            self._sent.append(Sent("update", conversation_id, activity_id, activity,
                                   authorization=authorization))
            return _Answer(200, {"id": activity_id})
        if route == "create":
            return self._create(activity, authorization)
        activity_id = self._new_activity_id(conversation_id)
        reply_to = segments[4] if route == "reply" else None
        self._activities[(conversation_id, activity_id)] = activity
        self._sent.append(Sent(route, conversation_id, activity_id, activity, reply_to, authorization))
        return _Answer(201, {"id": activity_id})

    def _create(self, parameters: dict[str, Any], authorization: str | None) -> _Answer:
        channel = ((parameters.get("channelData") or {}).get("channel") or {}).get("id")
        first = parameters.get("activity")
        if channel and isinstance(first, dict):
            # A new thread in a channel: its conversation is the channel's, with the root's id.
            activity_id = self._new_activity_id(channel)
            conversation_id = f"{channel};messageid={activity_id}"
        else:
            conversation_id = f"a:1fake{next(self._ids):08d}"
            activity_id = self._new_activity_id(conversation_id) if isinstance(first, dict) else ""
        self._sent.append(Sent("create", conversation_id, activity_id,
                               first if isinstance(first, dict) else parameters,
                               authorization=authorization))
        body: dict[str, Any] = {"id": conversation_id, "serviceUrl": self.url}
        if activity_id:
            self._activities[(conversation_id, activity_id)] = first if isinstance(first, dict) else {}
            body["activityId"] = activity_id
        return _Answer(201, body)

    def _member(self, conversation_id: str, member_id: str) -> _Answer:
        for account in self._members.get(conversation_id, []) + self._members.get(None, []):
            if member_id in (account["id"], account["aadObjectId"]):
                return _Answer(200, dict(account))
        return _error(404, "MemberNotFoundInConversation", "The member was not found in the conversation.")

    def _new_activity_id(self, conversation_id: str) -> str:
        number = 1_700_000_000_000 + next(self._ids)
        # Personal chats number their messages "1:…"; channels and group chats by a timestamp.
        return f"1:{number}" if conversation_id.startswith("a:") else str(number)


def _route(method: str, segments: list[str]) -> str | None:
    if len(segments) < 2 or segments[0] != "v3" or segments[1] != "conversations":
        return None
    shape = (method, len(segments), segments[3] if len(segments) > 3 else None)
    return {
        ("POST", 2, None): "create",
        ("POST", 4, "activities"): "send",
        ("POST", 5, "activities"): "reply",
        ("PUT", 5, "activities"): "update",
        ("GET", 5, "members"): "member",
    }.get(shape)


def _error(status: int, code: str, message: str) -> _Answer:
    return _Answer(status, {"error": {"code": code, "message": message}})


def _failure_answer(failure: _Failure, retry_after: float | None = None) -> _Answer:
    if failure.status == 401:
        return _Answer(401, {"message": failure.message or "Authorization has been denied for this request."})
    code = failure.code or _DEFAULT_CODES.get(failure.status, f"Http{failure.status}")
    answer = _error(failure.status, code, failure.message or _MESSAGES.get(code, code))
    wait = retry_after if retry_after is not None else failure.retry_after
    if failure.status == 429:
        answer.headers["Retry-After"] = f"{wait if wait is not None else 1:g}"
    return answer


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeConnector) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "FakeBotConnector/1.0"

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("POST")

    def do_PUT(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("PUT")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: tests read `calls` instead."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length > 0 else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        fake = self.server.fake
        answer = fake._handle(method, self.path, headers, body)
        if answer.status == STALL:
            fake._stopping.wait()
        if answer.status <= 0:
            self.close_connection = True  # taken, but the answer is lost
            return
        payload = json.dumps(answer.body).encode("utf-8") if answer.body is not None else b""
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        try:
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout): the activity was still taken
