"""Raw HTTP on loopback, for tests of the HTTP edge: exact bytes out, status and body back."""

from __future__ import annotations

import hashlib
import hmac
import logging
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from handlers.slack.server import make_server, stop_server

HOST = "127.0.0.1"


@dataclass
class Answer:
    """A response as read off the socket."""

    status: int
    head: bytes
    body: bytes


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Slack's v0 signature over any bytes (slack_sdk's only takes UTF-8 bodies)."""
    digest = hmac.new(secret.encode(), b"v0:" + timestamp.encode() + b":" + body, hashlib.sha256)
    return "v0=" + digest.hexdigest()


def request_bytes(method: str, path: str, headers: list[tuple[str, str]], body: bytes = b"") -> bytes:
    """One HTTP/1.1 request that asks the server to close the connection after answering."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: {HOST}", "Connection: close",
             *(f"{name}: {value}" for name, value in headers)]
    if body or method == "POST":
        lines.append(f"Content-Length: {len(body)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def exchange(port: int, data: bytes, *, timeout: float = 10.0) -> Answer:
    """Send `data`, then read until the server closes the connection (bounded by `timeout`)."""
    with socket.create_connection((HOST, port), timeout=timeout) as conn:
        conn.sendall(data)
        received = b""
        while True:
            chunk = conn.recv(65536)
            if not chunk:
                break
            received += chunk
    head, _, body = received.partition(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1]) if head.startswith(b"HTTP/") else 0
    return Answer(status, head, body)


def closed_by_server(conn: socket.socket, *, within: float) -> bool:
    """True once the server has closed `conn` (EOF or reset), False if it is still open after `within` s."""
    conn.settimeout(within)
    try:
        return conn.recv(65536) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


@contextmanager
def serving(web: Any, **options: Any) -> Iterator[int]:
    """Serve `web` with make_server on an ephemeral loopback port; yields the port."""
    server = make_server(web, HOST, 0, threads=4, **options)
    thread = threading.Thread(target=server.run, name="edge-waitress", daemon=True)
    thread.start()
    try:
        yield int(server.effective_port)
    finally:
        stop_server(server)
        thread.join(timeout=10)
        assert not thread.is_alive(), "the HTTP server did not stop"


def rendered(records: list[logging.LogRecord]) -> str:
    """The records as a log file would hold them, tracebacks included."""
    formatter = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s")
    return "\n".join(formatter.format(record) for record in records)
