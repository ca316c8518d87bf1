"""The fake's own HTTP server on loopback (the Web API, response_urls and the WebSocket upgrade on one
port)."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fakes.slack.common import SOCKET_PATH, _Reply
from fakes.slack.websocket import _SocketConnection

if TYPE_CHECKING:
    from fakes.slack.fake import FakeSlack


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
