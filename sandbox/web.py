"""The sandbox's HTTP face: the page, its JSON API, and the fake Slack Web API, on the bot's port.

:class:`Site` puts the sandbox and the bot behind one address and one WSGI server (waitress,
as in production): ``/`` and ``/sandbox/…`` are the page and what it calls, ``/api/…`` and
``/response/…`` are the fake Slack the bot's client talks to (``SLACK_API_URL``), and every
other path (``/slack/events``, Teams' ``/api/messages``, ``/healthz``, calendar files) is the bot's
own app, untouched.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from flask import Flask, Response, jsonify, request, send_from_directory

from fakes.slack import API_PREFIX, RESPONSE_PREFIX
from sandbox.mailbox import Caught, Mailbox, Part, attachments, details, html_of
from sandbox.teams import MESSAGES_PATH, TeamsSandbox
from sandbox.teams import register as register_teams
from sandbox.workspace import LONG_POLL_SECONDS, SandboxError, SandboxWorkspace

STATIC = Path(__file__).resolve().parent / "static"
SANDBOX_PREFIX = "/sandbox/"
_OWN_PREFIXES = (SANDBOX_PREFIX, API_PREFIX, RESPONSE_PREFIX)

WSGIApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

# A caught e-mail's HTML is someone else's markup: shown in a frame with no script, no requests
# and an origin of its own (the page's iframe says the same in its sandbox attribute); its links
# may open a new tab, which leaves the sandbox, so the bot's /p/ pages work there as they would.
EMAIL_HTML_POLICY = ("sandbox allow-popups allow-popups-to-escape-sandbox "
                     "allow-top-navigation-by-user-activation; default-src 'none'; "
                     "style-src 'unsafe-inline'; img-src data:; form-action 'none'; frame-ancestors 'self'")
_DOWNLOAD_HEADERS = {"X-Content-Type-Options": "nosniff", "Cache-Control": "no-store",
                     "Referrer-Policy": "no-referrer"}


def create_sandbox_app(workspace: SandboxWorkspace, mailbox: Mailbox | None = None,
                       teams: TeamsSandbox | None = None) -> Flask:
    """The page, its API (``/sandbox/api/…``), the Mailbox's messages, the Teams tab's
    conversations (with `teams`) and the fake's Web API for the bot."""
    web = Flask("dialogbot-sandbox", static_folder=None)
    # Without one (tests of the page alone), an empty Mailbox.
    mailbox = mailbox if mailbox is not None else Mailbox()

    @web.errorhandler(SandboxError)
    def refused(error: SandboxError) -> Any:
        return jsonify(ok=False, error=error.message), error.status

    @web.get("/")
    def page() -> Any:
        response = send_from_directory(STATIC, "index.html")
        response.headers["Cache-Control"] = "no-store"
        return response

    @web.get(SANDBOX_PREFIX + "static/<path:name>")
    def static_file(name: str) -> Any:
        return send_from_directory(STATIC, name, max_age=0)

    @web.get(SANDBOX_PREFIX + "api/state")
    def state() -> Any:
        if workspace.fake.released:
            # Stopping: an answer now would only bring the page straight back.
            return jsonify(ok=False, error="The sandbox is stopping."), 503
        since = request.args.get("since", type=int)
        # A page opened for the first time does not know anyone yet: it starts as the first person.
        user = request.args.get("user") or workspace.first_person
        return jsonify(workspace.state(user, since, LONG_POLL_SECONDS))

    @web.post(SANDBOX_PREFIX + "api/send")
    def send() -> Any:
        body = _body()
        workspace.send(_user(body), str(body.get("channel") or ""), str(body.get("text") or ""))
        return jsonify(ok=True)

    @web.post(SANDBOX_PREFIX + "api/action")
    def action() -> Any:
        body = _body()
        workspace.act(_user(body), _mapping(body, "container"), str(body.get("block_id") or ""),
                      str(body.get("action_id") or ""), _mapping(body, "action"), _mapping(body, "values"))
        return jsonify(ok=True)

    @web.post(SANDBOX_PREFIX + "api/submit")
    def submit() -> Any:
        body = _body()
        errors = workspace.submit(_user(body), str(body.get("view_id") or ""), _mapping(body, "values"))
        return jsonify(ok=True, errors=errors)

    @web.post(SANDBOX_PREFIX + "api/close")
    def close() -> Any:
        body = _body()
        workspace.close_view(_user(body), str(body.get("view_id") or ""))
        return jsonify(ok=True)

    @web.post(SANDBOX_PREFIX + "api/home")
    def home() -> Any:
        workspace.open_home(_user(_body()))
        return jsonify(ok=True)

    @web.get(SANDBOX_PREFIX + "api/mailbox")
    def mailbox_listing() -> Any:
        if mailbox.released:
            # Stopping: as the workspace's state, no answer that would only bring the page back.
            return jsonify(ok=False, error="The sandbox is stopping."), 503
        since = request.args.get("since", type=int)
        if since is not None:
            mailbox.wait_for_change(since, LONG_POLL_SECONDS)
        return jsonify(mailbox.listing())

    @web.get(SANDBOX_PREFIX + "api/mailbox/<int:message_id>")
    def mailbox_message(message_id: int) -> Any:
        return jsonify(details(_caught(mailbox, message_id)))

    @web.post(SANDBOX_PREFIX + "api/mailbox/<int:message_id>/read")
    def mailbox_read(message_id: int) -> Any:
        if not mailbox.mark_read(message_id):
            raise SandboxError("That e-mail is no longer in the Mailbox.", 404)
        return jsonify(ok=True)

    @web.get(SANDBOX_PREFIX + "mailbox/<int:message_id>/html")
    def mailbox_html(message_id: int) -> Any:
        html = html_of(_caught(mailbox, message_id))
        if html is None:
            raise SandboxError("That e-mail has no HTML part.", 404)
        return Response(html, mimetype="text/html", headers={
            **_DOWNLOAD_HEADERS, "Content-Security-Policy": EMAIL_HTML_POLICY})

    @web.get(SANDBOX_PREFIX + "mailbox/<int:message_id>/part/<int:index>")
    def mailbox_part(message_id: int, index: int) -> Any:
        parts = attachments(_caught(mailbox, message_id).message)
        if not 0 <= index < len(parts):
            raise SandboxError("That e-mail has no such attachment.", 404)
        return _download(parts[index])

    @web.get(SANDBOX_PREFIX + "mailbox/<int:message_id>/raw")
    def mailbox_raw(message_id: int) -> Any:
        caught = _caught(mailbox, message_id)
        return _download(Part(f"message-{caught.id}.eml", "message/rfc822", caught.data))

    if teams is not None:
        register_teams(web, teams, LONG_POLL_SECONDS)

    @web.route(API_PREFIX + "<path:method>", methods=["GET", "POST"])
    @web.route(RESPONSE_PREFIX + "<path:key>", methods=["GET", "POST"])
    def slack(**_: str) -> Any:
        path = request.full_path if request.query_string else request.path
        status, headers, payload = workspace.fake.handle(request.method, path, dict(request.headers),
                                                         request.get_data())
        return Response(payload, status=status, headers=headers)

    return web


class Site:
    """One WSGI app for the sandbox's paths and the bot's; the bot's part is set once it is built."""

    def __init__(self, sandbox: WSGIApp) -> None:
        self.sandbox = sandbox
        self.bot: WSGIApp | None = None

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        path = environ.get("PATH_INFO") or "/"
        # Teams' endpoint is the bot's, though it sits under the fake Slack's /api/ (no Slack
        # method is called "messages").
        if path == "/" or (path.startswith(_OWN_PREFIXES) and path != MESSAGES_PATH):
            return self.sandbox(environ, start_response)
        if self.bot is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain; charset=utf-8"),
                                                      ("Retry-After", "1")])
            return [b"Dialogbot is starting.\n"]
        return self.bot(environ, start_response)


def _caught(mailbox: Mailbox, message_id: int) -> Caught:
    caught = mailbox.get(message_id)
    if caught is None:
        raise SandboxError("That e-mail is no longer in the Mailbox.", 404)
    return caught


def _download(part: Part) -> Response:
    """A part as a file to save, never to be shown in the sandbox's origin."""
    # The file name is already plain ASCII (mailbox._filename); the type is one only a viewer opens.
    shown = part.content_type if part.content_type in ("text/calendar", "message/rfc822") \
        else "application/octet-stream"
    return Response(part.content, mimetype=shown, headers={
        **_DOWNLOAD_HEADERS, "Content-Disposition": f'attachment; filename="{part.filename}"',
        "Content-Security-Policy": "default-src 'none'; sandbox"})


def _body() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SandboxError("Send a JSON object.")
    return body


def _user(source: Any) -> str:
    user = source.get("user")
    if not isinstance(user, str) or not user:
        raise SandboxError("Say who is acting (user).")
    return user


def _mapping(body: dict[str, Any], key: str) -> dict[str, Any]:
    value = body.get(key)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SandboxError(f"{key} must be a JSON object.")
    return value
