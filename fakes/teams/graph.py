"""A fake Microsoft identity platform and Microsoft Graph, enough to make Teams online meetings, on
loopback. Standard library only.

Routes (as Microsoft has them):

* ``GET /{tenant}/v2.0/.well-known/openid-configuration``: the tenant's OpenID configuration
  (MSAL reads its token endpoint from there).
* ``POST /{tenant}/oauth2/v2.0/token``: the client credentials grant (form: ``grant_type``,
  ``client_id``, ``client_secret``, ``scope``) → ``{"token_type", "expires_in", "access_token"}``;
  a wrong client or secret → 401 ``{"error": "invalid_client", "error_description"}``.
* ``POST /v1.0/users/{user}/onlineMeetings/createOrGet`` with a bearer token the fake issued:
  ``{"subject", "startDateTime", "endDateTime", "externalId"}`` → 201 and a new onlineMeeting, or
  200 and the one made before with the same ``externalId`` for that user (Graph's idempotency).

Graph's errors are ``{"error": {"code", "message"}}``. MSAL only talks to an ``https`` authority:
give `ssl_context` (a server context with a certificate for 127.0.0.1) and the fake serves TLS.
"""

from __future__ import annotations

import itertools
import json
import re
import secrets
import ssl
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

GRAPH_SCOPE = "https://graph.microsoft.com/.default"
NO_POLICY = "No application access policy found for this app."
_CREATE = re.compile(r"^/v1\.0/users/([^/]+)/onlineMeetings/createOrGet$")
_TOKEN = re.compile(r"^/([^/]+)/oauth2/v2\.0/token$")
_DISCOVERY = re.compile(r"^/([^/]+)/v2\.0/\.well-known/openid-configuration$")


@dataclass(frozen=True)
class Request:
    """One request the fake took: method, path (decoded), headers (lower-case names), and the body
    as JSON (Graph) or as form fields (the token endpoint)."""

    method: str
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class _Failure:
    status: int
    retry_after: float | None
    code: str
    message: str


@dataclass
class _Answer:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeGraph:
    """The identity platform and Graph's online meetings, recording every request.

    `url` is the authority's host (MSAL's authority is ``f"{url}/{tenant}"``), `graph_url` the
    Graph base (``…/v1.0``)."""

    def __init__(self, *, client_id: str, client_secret: str, tenant: str,
                 ssl_context: ssl.SSLContext | None = None) -> None:
        self.client_id = client_id
        self.client_secret = client_secret
        self.tenant = tenant
        self._ssl = ssl_context
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._tokens: set[str] = set()
        self._meetings: dict[tuple[str, str], dict[str, Any]] = {}
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # Serving

    def start(self) -> FakeGraph:
        """Listen on 127.0.0.1 on a free port, in a background thread."""
        self._server = _Server(self)
        if self._ssl is not None:
            self._server.socket = self._ssl.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,),
                                        name="fake-graph", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> FakeGraph:
        return self.start()

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """Scheme, host and port, without a trailing slash."""
        if self._server is None:
            raise RuntimeError("the fake Graph is not started")
        scheme = "https" if self._ssl is not None else "http"
        return f"{scheme}://127.0.0.1:{self._server.server_address[1]}"

    @property
    def graph_url(self) -> str:
        """Graph's base URL on this fake (as ``https://graph.microsoft.com/v1.0``)."""
        return f"{self.url}/v1.0"

    # What tests set up and read

    def fail(self, status: int, *, times: int = 1, retry_after: float | None = None, code: str = "",
             message: str = "") -> None:
        """Answer the next `times` createOrGet requests with `status` (429/503 with `retry_after`
        seconds in Retry-After if given; 403 defaults to Graph's missing access policy answer)."""
        if status == 403:
            code, message = code or "Forbidden", message or NO_POLICY
        with self._lock:
            self._failures.extend(_Failure(status, retry_after, code or "Error", message or "Failed.")
                                  for _ in range(times))

    @property
    def requests(self) -> list[Request]:
        """Every request taken, in order."""
        with self._lock:
            return list(self._requests)

    def meetings(self, user: str) -> list[dict[str, Any]]:
        """The online meetings made for `user`, in order."""
        with self._lock:
            return [m for (owner, _), m in self._meetings.items() if owner == user]

    # Answering

    def _handle(self, method: str, target: str, headers: dict[str, str], raw: bytes) -> _Answer:
        path = unquote(urlsplit(target).path)
        body: dict[str, Any] = {}
        if raw and headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            body = {k: v[0] for k, v in parse_qs(raw.decode("utf-8")).items()}
        elif raw:
            try:
                loaded = json.loads(raw)
            except ValueError:
                return _graph_error(400, "BadRequest", "The body is not JSON.")
            body = loaded if isinstance(loaded, dict) else {}
        with self._lock:
            self._requests.append(Request(method, path, headers, body))
        if method == "GET" and (match := _DISCOVERY.match(path)):
            return self._discovery(match.group(1))
        if method == "POST" and (match := _TOKEN.match(path)):
            return self._token(match.group(1), body)
        if method == "POST" and (match := _CREATE.match(path)):
            return self._create(match.group(1), headers, body)
        return _graph_error(404, "NotFound", f"No route for {method} {path}.")

    def _discovery(self, tenant: str) -> _Answer:
        if tenant != self.tenant:
            return _oauth_error(400, "invalid_tenant", "AADSTS90002: Tenant not found.")
        base = f"{self.url}/{tenant}"
        return _Answer(200, {
            "issuer": f"{base}/v2.0",
            "token_endpoint": f"{base}/oauth2/v2.0/token",
            "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
            "jwks_uri": f"{base}/discovery/v2.0/keys",
            "response_types_supported": ["code", "id_token", "token"],
            "subject_types_supported": ["pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })

    def _token(self, tenant: str, form: dict[str, Any]) -> _Answer:
        if tenant != self.tenant:
            return _oauth_error(400, "invalid_request", "AADSTS90002: Tenant not found.")
        if form.get("grant_type") != "client_credentials":
            return _oauth_error(400, "unsupported_grant_type", "Only client credentials.")
        if form.get("client_id") != self.client_id or form.get("client_secret") != self.client_secret:
            return _oauth_error(401, "invalid_client", "AADSTS7000215: Invalid client secret provided.")
        if GRAPH_SCOPE not in str(form.get("scope", "")).split():
            return _oauth_error(400, "invalid_scope", "AADSTS70011: Invalid scope.")
        token = secrets.token_urlsafe(24)
        with self._lock:
            self._tokens.add(token)
        return _Answer(200, {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
                             "access_token": token})

    def _create(self, user: str, headers: dict[str, str], body: dict[str, Any]) -> _Answer:
        scheme, _, token = headers.get("authorization", "").partition(" ")
        with self._lock:
            known = scheme == "Bearer" and token in self._tokens
            failure = self._failures.pop(0) if known and self._failures else None
        if not known:
            return _graph_error(401, "InvalidAuthenticationToken", "Access token is empty or invalid.")
        if failure is not None:
            answer = _graph_error(failure.status, failure.code, failure.message)
            if failure.retry_after is not None:
                answer.headers["Retry-After"] = f"{failure.retry_after:g}"
            return answer
        external = body.get("externalId")
        if not isinstance(external, str) or not external:
            return _graph_error(400, "BadRequest", "externalId is required.")
        with self._lock:
            existing = self._meetings.get((user, external))
            if existing is not None:
                return _Answer(200, existing)
            number = next(self._ids)
            thread = f"19%3ameeting_{secrets.token_hex(12)}%40thread.v2"
            meeting = {
                "id": f"MSo{number:08d}",
                "externalId": external,
                "subject": body.get("subject"),
                "startDateTime": body.get("startDateTime"),
                "endDateTime": body.get("endDateTime"),
                "joinWebUrl": f"https://teams.microsoft.com/l/meetup-join/{thread}/0?context=%7b%22Tid%22%3a"
                              f"%22{self.tenant}%22%2c%22Oid%22%3a%22{user}%22%7d",
                "participants": {"organizer": {"identity": {"user": {"id": user}}}},
            }
            self._meetings[(user, external)] = meeting
        return _Answer(201, meeting)


def _oauth_error(status: int, error: str, description: str) -> _Answer:
    return _Answer(status, {"error": error, "error_description": description})


def _graph_error(status: int, code: str, message: str) -> _Answer:
    return _Answer(status, {"error": {"code": code, "message": message}})


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, fake: FakeGraph) -> None:
        self.fake = fake
        super().__init__(("127.0.0.1", 0), _Handler)


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"
    server_version = "FakeGraph/1.0"

    def do_GET(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("GET")

    def do_POST(self) -> None:  # noqa: N802 - name fixed by BaseHTTPRequestHandler
        self._serve("POST")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        """Quiet: tests read `requests` instead."""

    def _serve(self, method: str) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length > 0 else b""
        headers = {key.lower(): value for key, value in self.headers.items()}
        answer = self.server.fake._handle(method, self.path, headers, raw)
        payload = json.dumps(answer.body).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)
