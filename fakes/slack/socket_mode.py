"""Socket Mode over the fake's WebSocket endpoint: tickets from ``apps.connections.open``, ``hello``,
envelopes and their acknowledgements, disconnects."""

from __future__ import annotations

import base64
import binascii
import copy
import json
import uuid
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from fakes.slack.common import _ApiError, _Reply
from fakes.slack.websocket import (
    _CLOSE_GOING_AWAY,
    _CLOSE_INVALID_DATA,
    _CLOSE_PROTOCOL_ERROR,
    _CLOSE_TOO_BIG,
    _CLOSE_UNSUPPORTED_DATA,
    _OP_BINARY,
    _OP_CLOSE,
    _OP_CONTINUATION,
    _OP_PING,
    _OP_PONG,
    _OP_TEXT,
    ACK_FIELDS,
    DISCONNECT_REASONS,
    ENVELOPE_TYPES,
    MAX_SOCKET_MESSAGE,
    _ProtocolError,
    _SocketConnection,
    _websocket_accept,
)


class SocketModeMixin:
    """Socket Mode connections, envelopes and acks."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    # -- Socket Mode --------------------------------------------------------------------

    def socket_connections(self) -> int:
        """Socket Mode connections open now (from the ``hello`` until the TCP connection
        ends, including one the server has asked to close)."""
        with self._lock:
            return len(self._sockets)

    def push_envelope(
        self,
        kind: str,
        payload: Mapping[str, Any],
        *,
        accepts_response_payload: bool = False,
    ) -> str:
        """Send a Socket Mode envelope to the newest open connection; return its id.

        Args:
            kind: ``"slash_commands"``, ``"interactive"`` or ``"events_api"``.
            payload: What Slack would POST in HTTP mode, as a JSON object: the slash
                command's fields (JSON here, not form-encoded), the interaction payload,
                or the whole ``event_callback``.
            accepts_response_payload: Sent as is; Slack sets it when the ack's
                ``payload`` is used (slash commands, some interactions).

        Raises:
            ValueError: for another ``kind``.
            TypeError: when ``payload`` is not a JSON object.
            RuntimeError: when no client is connected.
            ConnectionError: when the connection closed before the envelope went out.
        """
        if kind not in ENVELOPE_TYPES:
            raise ValueError(f"kind must be one of {sorted(ENVELOPE_TYPES)}, not {kind!r}")
        if not isinstance(payload, Mapping):
            raise TypeError(
                f"payload must be a JSON object, not {type(payload).__name__} "
                "(Socket Mode sends slash commands as JSON, not form-encoded)"
            )
        envelope_id = str(uuid.uuid4())
        envelope: dict[str, Any] = {
            "envelope_id": envelope_id,
            "type": kind,
            "payload": copy.deepcopy(dict(payload)),
            "accepts_response_payload": bool(accepts_response_payload),
        }
        frame = json.dumps(envelope).encode("utf-8")
        with self._lock:
            connection = next((c for c in reversed(self._sockets) if not c.closing), None)
            if connection is None:
                raise RuntimeError("no Socket Mode client is connected (see socket_connections())")
            # Recorded before it is sent, so an ack can never arrive for an unknown envelope.
            self._envelopes[envelope_id] = envelope
        if not connection.send(_OP_TEXT, frame):
            with self._lock:
                self._envelopes.pop(envelope_id, None)
            raise ConnectionError("the Socket Mode connection closed before the envelope was sent")
        with self._lock:
            self._bump()
        return envelope_id

    @property
    def socket_envelopes(self) -> list[dict[str, Any]]:
        """Envelopes sent with :meth:`push_envelope`, in order, as sent."""
        with self._lock:
            return copy.deepcopy(list(self._envelopes.values()))

    @property
    def socket_acks(self) -> list[dict[str, Any]]:
        """Acknowledgements received, in order: ``{"envelope_id", "payload"?}`` as sent."""
        with self._lock:
            return copy.deepcopy(self._acks)

    def wait_for_ack(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any] | None:
        """The ack of ``envelope_id``, waiting up to ``timeout`` seconds; None if none came."""

        def ack() -> dict[str, Any] | None:
            return next((a for a in self._acks if a["envelope_id"] == envelope_id), None)

        with self._changed:
            self._changed.wait_for(lambda: ack() is not None, timeout)
            found = ack()
            return copy.deepcopy(found) if found is not None else None

    def disconnect_sockets(self, *, reason: str | None = None, timeout: float = 5.0) -> int:
        """Close every open Socket Mode connection from the server side; return how many.

        Without ``reason`` a close frame (1001, going away) goes out at once, as when Slack
        drops a connection. With ``reason`` (``"warning"``, ``"refresh_requested"`` or
        ``"link_disabled"``) Slack's ``{"type": "disconnect", ...}`` message goes first and
        the client has ``timeout`` seconds to close the connection itself (clients reconnect
        on it) before the close frame follows. A connection still open ``timeout`` seconds
        after its close frame is cut. Returns once every one of them is gone.
        """
        if reason is not None and reason not in DISCONNECT_REASONS:
            raise ValueError(f"reason must be one of {sorted(DISCONNECT_REASONS)}, not {reason!r}")
        with self._lock:
            targets = [c for c in self._sockets if not c.closing]
        if reason is not None:
            notice = {"type": "disconnect", "reason": reason, "debug_info": {"host": self._socket_host()}}
            for connection in targets:
                connection.send(_OP_TEXT, json.dumps(notice).encode("utf-8"))
            self._wait_gone(targets, timeout)
        for connection in targets:
            connection.close(_CLOSE_GOING_AWAY, "disconnected by the server")
        if not self._wait_gone(targets, timeout):
            for connection in targets:
                connection.cut()
            self._wait_gone(targets, timeout)
        return len(targets)

    # -- request handling ---------------------------------------------------------------

    def _socket_host(self) -> str:
        server = self._server
        port = server.server_address[1] if server is not None else 0
        return f"applink-fake-{port}"

    def _socket_handshake(self, raw_path: str, headers: Mapping[str, str]) -> _Reply | str:
        """Check a WebSocket upgrade request (RFC 6455 §4.2.1) and its ticket.

        Returns the ``Sec-WebSocket-Accept`` value, or the refusal to send (also a violation).
        """
        ticket = dict(parse_qsl(urlsplit(raw_path).query)).get("ticket", "")
        connection_tokens = {t.strip().lower() for t in headers.get("connection", "").split(",")}
        key = headers.get("sec-websocket-key", "").strip()
        try:
            key_ok = len(base64.b64decode(key.encode("ascii"), validate=True)) == 16
        except (binascii.Error, UnicodeEncodeError):
            key_ok = False
        with self._lock:
            refusal: _Reply | None = None
            upgrade = headers.get("upgrade", "").strip().lower() == "websocket"
            if not upgrade or "upgrade" not in connection_tokens:
                problem = "GET /socket without a WebSocket upgrade (Upgrade: websocket, Connection: Upgrade)"
                refusal = _Reply(400, {"ok": False, "error": "not_a_websocket_request"}, {})
            elif headers.get("sec-websocket-version", "").strip() != "13":
                problem = "Sec-WebSocket-Version must be 13"
                refusal = _Reply(
                    426, {"ok": False, "error": "unsupported_version"}, {"Sec-WebSocket-Version": "13"}
                )
            elif not key_ok:
                problem = "Sec-WebSocket-Key must be 16 random bytes, base64-encoded"
                refusal = _Reply(400, {"ok": False, "error": "invalid_websocket_key"}, {})
            elif ticket not in self._tickets:
                problem = f"ticket {ticket!r} was not issued by apps.connections.open or was already used"
                refusal = _Reply(401, {"ok": False, "error": "invalid_ticket"}, {})
            if refusal is not None:
                self._violate("socket", problem)
                return refusal
            self._tickets.discard(ticket)
        return _websocket_accept(key)

    def _serve_socket(self, connection: _SocketConnection) -> None:
        """Greet a new connection and read from it until it ends (on its handler thread)."""
        try:
            # The hello goes out before anything push_envelope sends on this connection.
            with connection.send_lock:
                with self._lock:
                    self._sockets.append(connection)
                    hello = {
                        "type": "hello",
                        "num_connections": len(self._sockets),
                        "debug_info": {
                            "host": self._socket_host(),
                            "build_number": 1,
                            "approximate_connection_time": 18060,
                        },
                        "connection_info": {"app_id": self.app_id},
                    }
                    self._bump()
                connection.send_locked(_OP_TEXT, json.dumps(hello).encode("utf-8"))
            self._read_socket(connection)
        except (EOFError, OSError):
            pass
        finally:
            connection.cut()
            with self._lock:
                if connection in self._sockets:
                    self._sockets.remove(connection)
                self._bump()

    def _read_socket(self, connection: _SocketConnection) -> None:
        fragments: list[bytes] | None = None
        while True:
            try:
                fin, opcode, data = connection.read_frame()
                if opcode == _OP_PING:
                    connection.send(_OP_PONG, data)
                    continue
                if opcode == _OP_PONG:
                    continue
                if opcode == _OP_CLOSE:
                    if len(data) == 1:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a close frame with a 1-byte body")
                    # Echo the client's status code (RFC 6455 §5.5.1); nothing if we sent first.
                    connection.close(int.from_bytes(data[:2], "big") if data else None)
                    return
                if opcode == _OP_BINARY:
                    raise _ProtocolError(_CLOSE_UNSUPPORTED_DATA, "a binary frame; Socket Mode is JSON text")
                if opcode == _OP_CONTINUATION:
                    if fragments is None:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a continuation frame with no message")
                    fragments.append(data)
                else:
                    if fragments is not None:
                        raise _ProtocolError(_CLOSE_PROTOCOL_ERROR, "a new message inside a fragmented one")
                    fragments = [data]
                if sum(map(len, fragments)) > MAX_SOCKET_MESSAGE:
                    raise _ProtocolError(_CLOSE_TOO_BIG, f"a message over {MAX_SOCKET_MESSAGE} bytes")
                if not fin:
                    continue
                message, fragments = b"".join(fragments), None
                try:
                    text = message.decode("utf-8")
                except UnicodeDecodeError:
                    raise _ProtocolError(_CLOSE_INVALID_DATA, "a text message that is not UTF-8") from None
                self._receive_socket_text(text)
            except _ProtocolError as error:
                with self._lock:
                    self._violate("socket", error.reason)
                connection.close(error.code, error.reason)
                return

    def _receive_socket_text(self, text: str) -> None:
        """Record a client message: it must acknowledge an envelope it was sent, once."""
        with self._lock:
            try:
                message = json.loads(text)
            except json.JSONDecodeError:
                self._violate("socket", "a text message that is not JSON")
                return
            if not isinstance(message, dict) or not isinstance(message.get("envelope_id"), str):
                self._violate("socket", 'a message that is not an ack {"envelope_id", "payload"?}')
                return
            envelope_id = message["envelope_id"]
            where = f"socket ack[{envelope_id}]"
            unknown = sorted(set(message) - ACK_FIELDS)
            if unknown:
                self._violate(where, "unknown field(s): " + ", ".join(unknown))
            envelope = self._envelopes.get(envelope_id)
            if envelope is None:
                self._violate(where, "no envelope with this id was sent")
            elif any(a["envelope_id"] == envelope_id for a in self._acks):
                self._violate(where, "the envelope was acknowledged more than once")
            ack: dict[str, Any] = {"envelope_id": envelope_id}
            if "payload" in message:
                payload = message["payload"]
                ack["payload"] = copy.deepcopy(payload)
                if not isinstance(payload, dict):
                    self._violate(where, "payload must be a JSON object")
                elif payload and envelope is not None and envelope["type"] == "slash_commands":
                    self._check_ack_message(where, payload)
            self._acks.append(ack)
            self._bump()

    def _check_ack_message(self, where: str, payload: dict[str, Any]) -> None:
        """A slash command ack's payload is a message, as on a response_url."""
        try:
            self._check_response_body(where, payload)
        except _ApiError as error:
            if error.violation:
                self._violate(where, error.violation)

    def _wait_gone(self, connections: list[_SocketConnection], timeout: float) -> bool:
        with self._changed:
            return bool(self._changed.wait_for(lambda: not set(connections) & set(self._sockets), timeout))

    # -- helpers (called with the lock held) --------------------------------------------

    def _apps_connections_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        ticket = str(next(self._ticket_numbers))
        self._tickets.add(ticket)
        return {"url": f"{self.socket_base_url}?ticket={ticket}"}
