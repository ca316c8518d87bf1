"""Socket Mode's transport: a minimal RFC 6455 WebSocket server side (handshake, frames, close codes)."""

from __future__ import annotations

import base64
import hashlib
import socket
import threading
from typing import BinaryIO

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
"""RFC 6455 §1.3: appended to ``Sec-WebSocket-Key`` to derive ``Sec-WebSocket-Accept``."""

ENVELOPE_TYPES = frozenset({"slash_commands", "interactive", "events_api"})
DISCONNECT_REASONS = frozenset({"warning", "refresh_requested", "link_disabled"})
ACK_FIELDS = frozenset({"envelope_id", "payload"})
MAX_SOCKET_MESSAGE = 1 << 20
"""Largest message (bytes) accepted from a client; an acknowledgement is far smaller."""

_OP_CONTINUATION, _OP_TEXT, _OP_BINARY = 0x0, 0x1, 0x2
_OP_CLOSE, _OP_PING, _OP_PONG = 0x8, 0x9, 0xA
_OPCODES = frozenset({_OP_CONTINUATION, _OP_TEXT, _OP_BINARY, _OP_CLOSE, _OP_PING, _OP_PONG})
_CLOSE_NORMAL, _CLOSE_GOING_AWAY, _CLOSE_PROTOCOL_ERROR = 1000, 1001, 1002
_CLOSE_UNSUPPORTED_DATA, _CLOSE_INVALID_DATA, _CLOSE_TOO_BIG = 1003, 1007, 1009


class _ProtocolError(Exception):
    """A client broke RFC 6455; the connection is closed with ``code``."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


def _websocket_accept(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key`` (RFC 6455 §4.2.2)."""
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def _encode_frame(opcode: int, payload: bytes) -> bytes:
    """One final, unmasked frame, as a server sends them (RFC 6455 §5.2)."""
    length = len(payload)
    if length < 126:
        header = bytes([0x80 | opcode, length])
    elif length < 1 << 16:
        header = bytes([0x80 | opcode, 126]) + length.to_bytes(2, "big")
    else:
        header = bytes([0x80 | opcode, 127]) + length.to_bytes(8, "big")
    return header + payload


def _unmask(data: bytes, key: bytes) -> bytes:
    """XOR ``data`` with the repeated 4-byte masking key (RFC 6455 §5.3)."""
    if not data:
        return data
    stream = (key * (len(data) // 4 + 1))[: len(data)]
    return (int.from_bytes(data, "big") ^ int.from_bytes(stream, "big")).to_bytes(len(data), "big")


class _SocketConnection:
    """The server's end of one WebSocket: frame I/O, safe to send on from any thread.

    Reading happens on the connection's own handler thread only.
    """

    def __init__(self, sock: socket.socket, reader: BinaryIO) -> None:
        self.sock = sock
        self.reader = reader
        self.send_lock = threading.Lock()
        self.closing = False
        """True once a close frame went out; nothing may follow it (RFC 6455 §5.5.1)."""

    def send(self, opcode: int, payload: bytes = b"") -> bool:
        """Send one frame; False when the connection is closing or gone."""
        with self.send_lock:
            return self.send_locked(opcode, payload)

    def send_locked(self, opcode: int, payload: bytes = b"") -> bool:
        """:meth:`send` for a caller that already holds :attr:`send_lock`."""
        if self.closing:
            return False
        if opcode == _OP_CLOSE:
            self.closing = True
        try:
            self.sock.sendall(_encode_frame(opcode, payload))
        except OSError:
            return False
        return True

    def close(self, code: int | None, reason: str = "") -> bool:
        """Send a close frame (with no body when ``code`` is None)."""
        body = b"" if code is None else code.to_bytes(2, "big") + reason.encode("utf-8")[:123]
        return self.send(_OP_CLOSE, body)

    def cut(self) -> None:
        """End the TCP connection at once; the reading thread sees end of stream."""
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def read_frame(self) -> tuple[bool, int, bytes]:
        """The next frame from the client as ``(fin, opcode, unmasked payload)``.

        Raises:
            EOFError: the connection ended.
            _ProtocolError: the frame breaks RFC 6455.
        """
        first, second = self._read(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        length = second & 0x7F
        if length == 126:
            length = int.from_bytes(self._read(2), "big")
        elif length == 127:
            length = int.from_bytes(self._read(8), "big")
        if first & 0x70:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "reserved bits set, but no extension was negotiated")
        if opcode not in _OPCODES:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, f"unknown opcode {opcode:#x}")
        if opcode >= _OP_CLOSE and (not fin or length > 125):
            raise _ProtocolError(
                _CLOSE_PROTOCOL_ERROR, "control frames must be unfragmented, with at most 125 bytes"
            )
        if not second & 0x80:
            raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a client frame was not masked")
        if length > MAX_SOCKET_MESSAGE:
            raise _ProtocolError(_CLOSE_TOO_BIG, f"a {length}-byte frame; the limit is {MAX_SOCKET_MESSAGE}")
        key = self._read(4)
        return fin, opcode, _unmask(self._read(length), key)

    def _read(self, size: int) -> bytes:
        data = self.reader.read(size) if size else b""
        if len(data) < size:
            raise EOFError("the WebSocket connection ended")
        return data
