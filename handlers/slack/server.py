"""The HTTP face of the bot: Slack's requests at POST /slack/events, and GET /healthz."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, jsonify, request
from slack_bolt import App
from slack_bolt.adapter.flask import SlackRequestHandler
from waitress import wasyncore
from waitress.server import create_server

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"


CALENDAR_PATH = "/calendar/<token>.ics"


def create_web_app(bolt: App | None, health: Callable[[], dict[str, Any]],
                   calendar: Callable[[str], bytes | None] | None = None) -> Flask:
    """A WSGI app: Slack's requests (not in Socket Mode, `bolt` None), the health check, and
    meetings' calendar files."""
    web = Flask("dialogbot")

    if calendar is not None:

        @web.get(CALENDAR_PATH)
        def calendar_file(token: str) -> Any:
            content = calendar(token)
            if content is None:
                return Response("No such calendar.\n", status=404, mimetype="text/plain")
            return Response(content, mimetype="text/calendar",
                            headers={"Content-Disposition": 'attachment; filename="meeting.ics"',
                                     "Cache-Control": "no-store"})

    @web.get(HEALTH_PATH)
    def healthz() -> Any:
        status = health()
        return jsonify(status), 200 if status.get("status") == "ok" else 503

    if bolt is not None:
        handler = SlackRequestHandler(bolt)

        @web.post(EVENTS_PATH)
        def slack_events() -> Any:
            return handler.handle(request)

    return web


def make_server(web: Flask, host: str, port: int, *, threads: int = 16) -> Any:
    """A production WSGI server (waitress) bound to host:port; call `.run()` and `.close()`."""
    return create_server(web, host=host, port=port, threads=threads, ident="dialogbot")


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
