"""The sandbox's Mailbox: a local SMTP server that catches every e-mail the bot sends, and what the
page shows of them.

The bot sends exactly as in production, through ``SMTP_HOST`` and ``SMTP_PORT``; in the sandbox
those name this server on loopback, so every message, to anyone, lands here and nothing leaves the
machine. Messages are kept in memory only: an answer link is signed with the sandbox's secrets,
which are new on every start, so a kept message's links would not work after a restart anyway.
"""

from __future__ import annotations

import logging
import re
import socket
import threading
import time
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage, Message
from typing import Any

from aiosmtpd.controller import Controller

log = logging.getLogger(__name__)

KEPT = 500
"""Messages the Mailbox keeps (the oldest go first); the sandbox runs for days."""
LARGEST = 10 * 1024 * 1024
"""The largest message the server takes (the bot's are a few kilobytes)."""

_HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
_UNSAFE_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")
# Every link in a caught e-mail opens in a new tab, outside the Mailbox's sandboxed frame.
_BASE = '<base target="_blank">'


@dataclass(frozen=True)
class Caught:
    """One message as the server received it."""

    id: int
    received_at: float
    mail_from: str
    rcpt_tos: tuple[str, ...]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        """The MIME message, parsed with the standard library's modern policy."""
        parsed = message_from_bytes(self.data, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


@dataclass(frozen=True)
class Part:
    """An attachment (or any part besides the text and HTML bodies) of a caught message."""

    filename: str
    content_type: str
    content: bytes


class Mailbox:
    """The caught messages, newest last, with a version that moves on every change (for the
    page's long poll) and which ones the page has opened."""

    def __init__(self, kept: int = KEPT) -> None:
        self._kept = kept
        self._caught: list[Caught] = []
        self._summaries: dict[int, dict[str, Any]] = {}
        self._read: set[int] = set()
        self._next = 1
        self._version = 0
        self._released = False
        self._changed = threading.Condition(threading.Lock())

    # -- receiving ----------------------------------------------------------------------

    def catch(self, mail_from: str, rcpt_tos: tuple[str, ...], data: bytes) -> Caught:
        """Keep a message the server accepted."""
        with self._changed:
            caught = Caught(self._next, time.time(), mail_from, rcpt_tos, data)
            self._next += 1
            # Parsed once: the listing is sent to every open page on every change.
            self._summaries[caught.id] = summary(caught)
            self._caught.append(caught)
            for old in self._caught[: max(0, len(self._caught) - self._kept)]:
                self._read.discard(old.id)
                self._summaries.pop(old.id, None)
            del self._caught[: max(0, len(self._caught) - self._kept)]
            self._bump()
            return caught

    def mark_read(self, message_id: int) -> bool:
        """The page opened ``message_id``; returns whether there is such a message."""
        with self._changed:
            if self._find(message_id) is None:
                return False
            if message_id not in self._read:
                self._read.add(message_id)
                self._bump()
            return True

    # -- waiting --------------------------------------------------------------------------

    @property
    def released(self) -> bool:
        """Whether :meth:`release_waiters` was called (the sandbox is stopping)."""
        with self._changed:
            return self._released

    @property
    def version(self) -> int:
        """Moves on every message caught or read."""
        with self._changed:
            return self._version

    def wait_for_change(self, since: int, timeout: float) -> int:
        """Wait up to ``timeout`` seconds for :attr:`version` to move past ``since``; return it."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != since or self._released, timeout)
            return self._version

    def release_waiters(self) -> None:
        """Wake every waiter for good (the sandbox is stopping)."""
        with self._changed:
            self._released = True
            self._changed.notify_all()

    # -- what the page shows ---------------------------------------------------------------

    def messages(self) -> list[Caught]:
        """Every message kept, oldest first."""
        with self._changed:
            return list(self._caught)

    def get(self, message_id: int) -> Caught | None:
        """The message ``message_id``, if it is still kept."""
        with self._changed:
            return self._find(message_id)

    def listing(self) -> dict[str, Any]:
        """The version, the unread count and a summary of every message, newest first."""
        with self._changed:
            return {
                "version": self._version,
                "unread": sum(1 for c in self._caught if c.id not in self._read),
                "messages": [{**self._summaries[c.id], "read": c.id in self._read}
                             for c in reversed(self._caught)],
            }

    def _find(self, message_id: int) -> Caught | None:
        return next((c for c in self._caught if c.id == message_id), None)

    def _bump(self) -> None:
        self._version += 1
        self._changed.notify_all()


def summary(caught: Caught) -> dict[str, Any]:
    """Who a message is to and from, its subject and when it came."""
    message = caught.message
    return {
        "id": caught.id,
        "from": _header(message, "From") or caught.mail_from,
        "to": _header(message, "To") or ", ".join(caught.rcpt_tos),
        "subject": _header(message, "Subject"),
        "received_at": caught.received_at,
    }


def details(caught: Caught) -> dict[str, Any]:
    """A message whole as the page shows it: headers, its plain text, whether it has HTML, and its
    other parts (an invitation's .ics) by number."""
    message = caught.message
    text_part, html_part = _bodies(message)
    return {
        **summary(caught),
        "date": _header(message, "Date"),
        "envelope_to": list(caught.rcpt_tos),
        "text": _text_of(text_part) if text_part is not None else None,
        "has_html": html_part is not None,
        "attachments": [
            {"index": index, "filename": part.filename, "content_type": part.content_type,
             "size": len(part.content)}
            for index, part in enumerate(attachments(message))
        ],
    }


def html_of(caught: Caught) -> str | None:
    """A message's HTML part, its links set to open in a new tab; None when it has none."""
    _, html_part = _bodies(caught.message)
    if html_part is None:
        return None
    html = _text_of(html_part)
    head = _HEAD.search(html)
    if head is None:
        return _BASE + html
    return html[: head.end()] + _BASE + html[head.end():]


def attachments(message: EmailMessage) -> list[Part]:
    """Every leaf part besides the plain-text and HTML bodies, in the message's order."""
    text_part, html_part = _bodies(message)
    found: list[Part] = []
    for part in message.walk():
        if part.is_multipart() or part is text_part or part is html_part:
            continue
        content_type = part.get_content_type()
        payload = part.get_payload(decode=True)
        content = payload if isinstance(payload, bytes) else b""
        found.append(Part(_filename(part, len(found) + 1), content_type, content))
    return found


def _bodies(message: EmailMessage) -> tuple[Message | None, Message | None]:
    text_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    return text_part, html_part


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    raw = payload if isinstance(payload, bytes) else b""
    charset = part.get_content_charset() or "utf-8"
    try:
        text = raw.decode(charset, errors="replace")
    except LookupError:
        text = raw.decode("utf-8", errors="replace")
    # Lines end as SMTP carries them (CRLF); the page shows them as text does.
    return text.replace("\r\n", "\n")


def _filename(part: Message, number: int) -> str:
    """The part's own file name made safe for a download; one from its type when it has none."""
    name = part.get_filename() or ""
    safe = _UNSAFE_FILENAME.sub("-", name).strip(".-")[:80]
    if safe:
        return safe
    extension = {"text/calendar": "ics", "text/plain": "txt", "text/html": "html"}.get(
        part.get_content_type(), "bin")
    return f"part-{number}.{extension}"


def _header(message: EmailMessage, name: str) -> str:
    try:
        value = message.get(name)
    except (ValueError, TypeError, IndexError):
        # A header the modern parser cannot make sense of: left out rather than failing the page.
        value = None
    return " ".join(str(value).split()) if value is not None else ""


class _Handler:
    def __init__(self, mailbox: Mailbox) -> None:
        self._mailbox = mailbox

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        data = envelope.original_content or envelope.content
        content = data if isinstance(data, bytes) else str(data).encode("utf-8")
        caught = self._mailbox.catch(str(envelope.mail_from or ""), tuple(envelope.rcpt_tos), content)
        log.info("sandbox: the Mailbox caught message %d for %s", caught.id, ", ".join(caught.rcpt_tos))
        return "250 Message accepted for delivery"


class MailServer:
    """The SMTP server the sandbox's bot sends through: loopback only, no sign-in, any recipient."""

    def __init__(self, mailbox: Mailbox, host: str = "127.0.0.1") -> None:
        self.mailbox = mailbox
        self.host = host
        self.port = 0
        self._controller: Controller | None = None

    def start(self) -> int:
        """Listen on a free port of the loopback interface; returns the port."""
        # aiosmtpd's server logs every SMTP command at INFO: the sandbox's console is for people.
        logging.getLogger("mail.log").setLevel(logging.WARNING)
        for attempt in range(5):
            # aiosmtpd checks the server by connecting to its port, so it needs the number up front.
            port = _free_port(self.host)
            controller = Controller(_Handler(self.mailbox), hostname=self.host, port=port,
                                    ready_timeout=10, data_size_limit=LARGEST)
            try:
                controller.start()
            except OSError:
                if attempt == 4:
                    raise
                continue
            self._controller, self.port = controller, port
            break
        return self.port

    def stop(self) -> None:
        """Stop listening (messages caught so far stay readable)."""
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])
