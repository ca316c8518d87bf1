"""A real SMTP server on loopback (aiosmtpd) that keeps what it receives, for the e-mail tests.

`refuse` makes the server answer a recipient as a real one would: `{"gone@example.org": "550 5.1.1
No such user"}` (permanent) or `"451 4.7.1 Try again later"` (transient).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    """One message as the server got it."""

    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The MIME message, parsed with the standard library's modern policy."""
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass
class SmtpServer:
    """The running server: where it listens and what it has received."""

    host: str
    port: int
    received: list[Received] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    arrived: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.arrived = threading.Condition(self.lock)

    def messages(self, to: str | None = None) -> list[EmailMessage]:
        """The messages received so far (for `to` only, if given), oldest first."""
        with self.lock:
            return [r.message for r in self.received if to is None or to in r.rcpt_tos]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[Received]:
        """Block until at least `count` messages arrived (the bot sends from its own threads)."""
        with self.arrived:
            if not self.arrived.wait_for(lambda: len(self.received) >= count, timeout=timeout):
                raise AssertionError(f"expected {count} e-mails, got {len(self.received)}")
            return list(self.received)


class _Handler:
    def __init__(self, server: SmtpServer) -> None:
        self._server = server

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        answer = self._server.refuse.get(address.lower())
        if answer:
            return answer
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._server.arrived:
            self._server.received.append(Received(envelope.mail_from, tuple(envelope.rcpt_tos),
                                                  bytes(envelope.original_content or envelope.content)))
            self._server.arrived.notify_all()
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    """A TCP port free on `host` just now."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def smtp_server(host: str = "127.0.0.1") -> Iterator[SmtpServer]:
    """Start an SMTP server on a free loopback port; stop it on exit."""
    server = SmtpServer(host, 0)
    for attempt in range(5):
        # aiosmtpd checks the server by connecting to its port, so it needs the number up front.
        server.port = free_port(host)
        controller = Controller(_Handler(server), hostname=host, port=server.port, ready_timeout=10)
        try:
            controller.start()
            break
        except OSError:
            if attempt == 4:
                raise
    try:
        yield server
    finally:
        controller.stop()
