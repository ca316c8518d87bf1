"""The HTTP face of the bot: Slack's requests at POST /slack/events, and GET /healthz.

Slack's requests are checked here, at the edge, before Bolt sees any of them (Bolt's own check is
off, see handlers.slack.app): their size (waitress and Flask refuse more than MAX_BODY_BYTES),
their signature (slack_sdk's SignatureVerifier), then the shape of what they carry. A refused
request costs one short log line that never quotes the body or a header: Bolt's own check logged
whole bodies, so anyone could fill the disk or forge log lines.
"""

from __future__ import annotations

import logging
import re
import resource
import time
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import parse_qsl

from flask import Flask, Request, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask.handler import to_bolt_request, to_flask_response
from slack_bolt.request import BoltRequest
from slack_sdk.signature import Clock, SignatureVerifier
from waitress import wasyncore
from waitress.server import create_server
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
CALENDAR_PATH = "/calendar/<token>.ics"
# Minutes for the case archive, behind a signed, expiring link (handlers/slack/downloads.py).
MINUTES_PATH = "/minutes/<token>"
# One's own data (services/privacy), behind a link with an unguessable key that expires.
PERSONAL_DATA_PATH = "/p/data/<key>.json"

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
MAX_BODY_BYTES = 1024 * 1024
"""Slack's requests are a few kilobytes (a big form's submission some tens): 1 MiB is a wide margin."""
MAX_HEADER_BYTES = 32 * 1024
"""Slack's headers are well under 2 KB."""
MAX_FORM_FIELDS = 100
"""A slash command has about fifteen fields; an interaction, one."""
SIGNATURE_MAX_AGE = 5 * 60
"""Seconds; SignatureVerifier's own limit, repeated only to say why a request was refused."""
CHANNEL_TIMEOUT = 15
"""Seconds a connection may stay silent, idle or halfway through a request, before it is closed.
Slack sends a whole request in milliseconds and wants an answer within three seconds."""
CONNECTION_LIMIT = 1000
INBUF_OVERFLOW = 64 * 1024
"""Bytes of a request body held in memory; the rest of a big one (up to the limit) waits in a
temporary file, so many slow uploads cost disk, not memory."""
_FDS_PER_CONNECTION = 3
"""The socket, and at worst one spill file each for the request and for the response."""
_RESERVED_FDS = 128
"""Descriptors kept for the database pool, the Web API clients, logs and the like."""

_TEXT_FIELDS = ("type", "command", "callback_id", "trigger_id", "response_url", "api_app_id", "token",
                "team_id", "user_id", "channel_id", "enterprise_id", "app_installed_team_id", "text",
                "thread_ts", "event_id")
_ID_FIELDS = ("team", "user", "channel", "enterprise")
_OBJECT_FIELDS = ("view", "event", "message", "container", "state")


class Refused(Exception):
    """A request turned away at the edge: the status to answer and a short reason for the log."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


class _Now(Clock):
    """slack_sdk's clock, reading ours (tests move it)."""

    def __init__(self, now: Callable[[], float]) -> None:
        self._now = now

    def now(self) -> float:
        """Seconds since the epoch."""
        return self._now()


class SlackEdge:
    """Admits a request to Bolt only when Slack signed it and Bolt can dispatch what it carries."""

    def __init__(self, signing_secret: str, clock: Callable[[], float] = time.time) -> None:
        self._verifier = SignatureVerifier(signing_secret, clock=_Now(clock))
        self._clock = clock

    def admit(self, incoming: Request) -> BoltRequest:
        """The BoltRequest for a signed, well-formed request; raises Refused otherwise."""
        # Waitress and Flask have bounded the body by MAX_BODY_BYTES before it is read.
        text = self.verify(incoming.headers, incoming.get_data(cache=True))
        content_type = incoming.headers.get("Content-Type", "").split(";")[0]
        if content_type not in (FORM, JSON):
            # Bolt reads the type exactly so (no case folding, no spaces) and would guess otherwise.
            raise Refused(415, "not a form or JSON")
        if content_type == FORM:
            _check_form(text)
        try:
            parsed = to_bolt_request(incoming)
            if content_type == FORM and "payload" in text and not _PAYLOAD_FIELD.search(text):
                # Bolt takes any form whose text contains "payload" for an interaction and reads
                # nothing else, so `/dialog propose payload limits` would vanish. The same fields,
                # with that word's letters percent-encoded, parse to the same values.
                parsed = BoltRequest(body=text.replace("payload", "p%61yload"), query=parsed.query,
                                     headers=parsed.headers)
        except Exception as error:  # noqa: BLE001 - Bolt only parses here: any failure is the request's
            raise Refused(400, f"Bolt cannot parse it ({type(error).__name__})") from None
        check_envelope(parsed.body)
        return parsed

    def verify(self, headers: Mapping[str, str], body: bytes) -> str:
        """The body as text when Slack signed it within the last five minutes; raises Refused (401)."""
        timestamp = headers.get("X-Slack-Request-Timestamp")
        signature = headers.get("X-Slack-Signature")
        if timestamp is None or signature is None:
            raise Refused(401, "unsigned")
        # int() would also take "+1", " 1", "1_0" or other scripts' digits, and SignatureVerifier
        # raises on anything it cannot read: only a plain number of seconds is Slack's.
        if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
            raise Refused(401, "malformed timestamp")
        if not signature.isascii():
            # hmac.compare_digest raises on non-ASCII text instead of answering False.
            raise Refused(401, "bad signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            # Slack sends UTF-8, and SignatureVerifier can only check UTF-8.
            raise Refused(401, "body is not UTF-8") from None
        if not self._verifier.is_valid(text, timestamp, signature):
            stale = abs(self._clock() - int(timestamp)) > SIGNATURE_MAX_AGE
            raise Refused(401, "stale timestamp" if stale else "bad signature")
        return text


_PAYLOAD_FIELD = re.compile(r"(?:^|&)payload=")


def _check_form(text: str) -> None:
    """A form Bolt reads as we do: no JSON in disguise, no field twice, a payload or a command."""
    if text.startswith("{"):
        raise Refused(400, "JSON sent as a form")  # Bolt would read it as JSON
    try:
        fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError:
        raise Refused(400, "too many form fields") from None
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        # Which copy counts is up to the parser: Slack never sends two.
        raise Refused(400, "a form field appears twice")
    if "payload" not in names and "command" not in names:
        raise Refused(400, "a form with neither payload nor command")


def check_envelope(body: Any) -> None:
    """Raise Refused (400) unless `body` has the shape Bolt's dispatch and matchers rely on."""
    if not isinstance(body, dict) or not body:
        raise Refused(400, "the payload is not a JSON object")
    _check_fields(body, "")
    kind = body.get("type")
    actions = body.get("actions")
    if actions is not None or kind == "block_actions":
        if not isinstance(actions, list) or not actions or not all(isinstance(a, dict) for a in actions):
            raise Refused(400, "actions is not a list of objects")
        if kind == "block_actions" and not all(_is_text(a.get("action_id"), required=True)
                                               and _is_text(a.get("block_id")) for a in actions):
            raise Refused(400, "an action has no action_id")
    view = body.get("view")
    if view is not None:
        _check_fields(view, "view.")
        state = view.get("state", {})
        values = state.get("values", {}) if isinstance(state, dict) else None
        if not isinstance(values, dict) or not all(
                isinstance(block, dict) and all(isinstance(element, dict) for element in block.values())
                for block in values.values()):
            raise Refused(400, "view.state is malformed")
    if kind in ("view_submission", "view_closed") and not _is_text((view or {}).get("callback_id"),
                                                                   required=True):
        raise Refused(400, "a view without a callback_id")
    event = body.get("event")
    if event is not None:
        _check_fields(event, "event.")
        if not _is_text(event.get("type"), required=True) or not _is_text(event.get("subtype")):
            raise Refused(400, "an event without a type")
    elif kind == "event_callback":
        raise Refused(400, "an event_callback without an event")
    for key in ("authorizations", "response_urls"):
        items = body.get(key)
        if items is not None:
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                raise Refused(400, f"{key} is not a list of objects")
            for item in items:
                _check_fields(item, f"{key}[].")


def _check_fields(node: dict[str, Any], where: str) -> None:
    """The fields Bolt reads as text are text; those it reads as objects are objects."""
    for key in _TEXT_FIELDS:
        if not _is_text(node.get(key)):
            raise Refused(400, f"{where}{key} is not a string")
    for key in _ID_FIELDS:
        value = node.get(key)
        if isinstance(value, dict):
            value = value.get("id")
        if not _is_text(value):
            raise Refused(400, f"{where}{key} is malformed")
    for key in _OBJECT_FIELDS:
        if key in node and not isinstance(node[key], dict):
            raise Refused(400, f"{where}{key} is not an object")


def _is_text(value: Any, *, required: bool = False) -> bool:
    return isinstance(value, str) if required else value is None or isinstance(value, str)


def create_web_app(bolt: App | None, health: Callable[[], dict[str, Any]],
                   calendar: Callable[[str], bytes | None] | None = None, *,
                   signing_secret: str | None = None, clock: Callable[[], float] = time.time,
                   files: Callable[[str], tuple[int, bytes, dict[str, str]]] | None = None,
                   personal_data: Callable[[str], bytes | None] | None = None) -> Flask:
    """A WSGI app: Slack's requests (not in Socket Mode, `bolt` None), the health check, and
    meetings' calendar files. Slack's signatures are checked with `signing_secret` (default: the
    Bolt app's own) against `clock`."""
    web = Flask("dialogbot")
    # Flask's own limit too, for a server other than make_server's (the sandbox shares this app).
    web.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    for code in (400, 401, 404, 405, 413, 415):
        web.register_error_handler(code, _plain_error)

    if calendar is not None:

        @web.get(CALENDAR_PATH)
        def calendar_file(token: str) -> Any:
            content = calendar(token)
            if content is None:
                return Response("No such calendar.\n", status=404, mimetype="text/plain")
            return Response(content, mimetype="text/calendar",
                            headers={"Content-Disposition": 'attachment; filename="meeting.ics"',
                                     "Cache-Control": "no-store"})

    if files is not None:

        @web.get(MINUTES_PATH)
        def minutes_file(token: str) -> Any:
            # Reads only; the link's signature, age and the coordinator's right are checked there.
            status, content, headers = files(token)
            return Response(content, status=status, headers=headers)

    if personal_data is not None:

        @web.get(PERSONAL_DATA_PATH)
        def personal_data_file(key: str) -> Any:
            # Reads only (link previews and mail scanners open links); the key and its age are checked there.
            content = personal_data(key)
            if content is None:
                return Response("No such file, or the link has expired.\n", status=404, mimetype="text/plain")
            return Response(content, mimetype="application/json",
                            headers={"Content-Disposition": 'attachment; filename="my-data.json"',
                                     "Cache-Control": "no-store", "X-Robots-Tag": "noindex"})

    @web.get(HEALTH_PATH)
    def healthz() -> Any:
        status = health()
        return jsonify(status), 200 if status.get("status") == "ok" else 503

    if bolt is not None:
        # Bolt keeps the secret it was built with (from the settings, or SLACK_SIGNING_SECRET).
        secret = signing_secret or getattr(bolt, "_signing_secret", "") or ""
        if not secret.strip():
            raise ValueError("Slack's requests over HTTP cannot be checked without the signing secret")
        edge = SlackEdge(secret, clock)

        @web.post(EVENTS_PATH)
        def slack_events() -> Any:
            try:
                admitted = edge.admit(request)
            except Refused as refusal:
                # Signed but malformed is worth a look; unsigned is the internet's background noise.
                level = logging.INFO if refusal.status == 401 else logging.WARNING
                log.log(level, "rejected a request to %s: %s (%d bytes)", EVENTS_PATH, refusal.reason,
                        request.content_length or 0)
                return Response(f"{refusal.reason}\n", status=refusal.status, mimetype="text/plain")
            return to_flask_response(bolt.dispatch(admitted))

    return web


def _plain_error(error: HTTPException) -> Response:
    """Flask's error pages as one line of plain text (the Allow header of a 405 kept)."""
    headers = [(name, value) for name, value in error.get_headers() if name.lower() != "content-type"]
    return Response(f"{error.code} {error.name}\n", status=error.code or 500, headers=headers,
                    mimetype="text/plain")


def connection_limit() -> int:
    """CONNECTION_LIMIT, or fewer when the process may not open enough files for that many.

    Past the limit waitress stops accepting and connections wait in the backlog; out of file
    descriptors, accept() would fail and log on every turn of the loop.
    """
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft == resource.RLIM_INFINITY:
        return CONNECTION_LIMIT
    return max(16, min(CONNECTION_LIMIT, (soft - _RESERVED_FDS) // _FDS_PER_CONNECTION))


def make_server(web: Any, host: str, port: int, *, threads: int = 16,
                channel_timeout: int = CHANNEL_TIMEOUT, trusted_proxy: str = "") -> Any:
    """A production WSGI server (waitress) bound to host:port; call `.run()` and `.close()`.

    Waitress buffers each request whole before the app runs; these settings bound what a client
    that never finishes, or sends too much, can hold. Behind a reverse proxy (`trusted_proxy`: its
    address, or *), the client's address is the one the proxy forwards (X-Forwarded-For, one hop).
    """
    proxy = ({"trusted_proxy": trusted_proxy, "trusted_proxy_count": 1,
              "trusted_proxy_headers": {"x-forwarded-for", "x-forwarded-proto"},
              "clear_untrusted_proxy_headers": True} if trusted_proxy else {})
    return create_server(
        web, host=host, port=port, threads=threads, ident="dialogbot",
        # Refused from the Content-Length alone (413), before any of the body is read; waitress
        # refuses a body of this size or more, hence the + 1.
        max_request_body_size=MAX_BODY_BYTES + 1,
        max_request_header_size=MAX_HEADER_BYTES,
        inbuf_overflow=INBUF_OVERFLOW,
        channel_timeout=channel_timeout,
        # Silent connections are looked for this often, so one is closed within 1.25 timeouts.
        cleanup_interval=max(1, channel_timeout // 4),
        connection_limit=connection_limit(),
        # A client hanging up is not our error, and would cost a traceback in the log each time.
        log_socket_errors=False,
        **proxy,
    )


def stop_server(server: Any) -> None:
    """Stop a running waitress server from any thread: in-flight requests finish, then `run()` returns.

    The shutdown runs inside the server's own loop (through its trigger), because closing its
    sockets from another thread pulls them out from under a running select().
    """

    def shutdown() -> None:
        server.task_dispatcher.shutdown()
        wasyncore.close_all(server._map)

    try:
        server.trigger.pull_trigger(shutdown)
    except OSError:
        # The trigger is already closed, so the loop can no longer be asked: it has ended (or is
        # ending) on its own, and closing what is left cannot pull anything out from under it.
        log.warning("the HTTP server's loop had already stopped; closing it directly")
        shutdown()
