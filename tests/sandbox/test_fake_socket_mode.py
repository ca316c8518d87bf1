"""The fake's Socket Mode: apps.connections.open and a WebSocket endpoint, exercised with
slack_sdk's own built-in SocketModeClient and, for protocol edges, a raw RFC 6455 client."""

from __future__ import annotations

import base64
import json
import os
import queue
import re
import socket
import struct
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from fakes.slack import FakeSlack, load_fixture, slash_command_payload

CHANNEL = "C0DIALOG"
ANN = "U0ANN"
SOCKET_URL = re.compile(r"^ws://127\.0\.0\.1:(\d+)/socket\?ticket=(\d+)$")
WAIT = 15.0
"""Seconds to wait for something the client does on its own (reconnecting)."""


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_user(ANN, name="ann")
    slack.add_channel(CHANNEL, "dialog")
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def received() -> queue.Queue[dict[str, Any]]:
    """Every message the SDK client received (hello, envelopes, disconnect), in order."""
    return queue.Queue()


@pytest.fixture
def client(fake: FakeSlack, received: queue.Queue[dict[str, Any]]) -> Iterator[SocketModeClient]:
    """slack_sdk's built-in client, acking each envelope (with ``{"text": "ok"}`` for slash
    commands). ``ping_interval=1``: its monitor, which reconnects after a close frame,
    runs every ping interval."""
    sdk = SocketModeClient(
        app_token=fake.app_token,
        web_client=WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10),
        ping_interval=1,
    )
    sdk.on_message_listeners.append(lambda raw: received.put(json.loads(raw)))

    def acknowledge(socket_client: SocketModeClient, request: SocketModeRequest) -> None:
        payload = {"text": "ok"} if request.type == "slash_commands" else None
        socket_client.send_socket_mode_response(SocketModeResponse(request.envelope_id, payload))

    sdk.socket_mode_request_listeners.append(acknowledge)
    try:
        yield sdk
    finally:
        # close() waits out the client's 3-second receive timeout; a close frame from the
        # server ends its receive loop at once.
        sdk.auto_reconnect_enabled = False
        fake.disconnect_sockets()
        sdk.close()


def next_message(received: queue.Queue[dict[str, Any]], kind: str) -> dict[str, Any]:
    """The next message of type ``kind`` the client received (others are skipped)."""
    while True:
        message = received.get(timeout=WAIT)
        if message.get("type") == kind:
            return message


def socket_url(fake: FakeSlack) -> str:
    return WebClient(base_url=fake.api_url).apps_connections_open(app_token=fake.app_token)["url"]


# -- apps.connections.open ------------------------------------------------------------


def test_apps_connections_open_hands_out_a_fresh_socket_url_for_the_app_token(fake: FakeSlack) -> None:
    web = WebClient(base_url=fake.api_url)
    first = web.apps_connections_open(app_token=fake.app_token)
    second = web.apps_connections_open(app_token=fake.app_token)
    port = str(urlsplit(fake.base_url).port)
    tickets = []
    for answer in (first, second):
        assert answer["ok"] is True
        match = SOCKET_URL.match(answer["url"])
        assert match is not None and match.group(1) == port
        tickets.append(match.group(2))
    assert len(set(tickets)) == 2
    [call, _] = fake.calls_to("apps.connections.open")
    assert call.token == fake.app_token and call.http_verb == "POST" and call.params == {}
    assert fake.violations == []


def test_only_the_app_token_opens_connections_and_it_opens_nothing_else(fake: FakeSlack) -> None:
    web = WebClient(base_url=fake.api_url)
    for token, error in (("xapp-1-wrong", "invalid_auth"), (fake.bot_token, "not_allowed_token_type")):
        with pytest.raises(SlackApiError) as refused:
            web.apps_connections_open(app_token=token)
        assert refused.value.response["error"] == error
    with pytest.raises(SlackApiError) as app_token_elsewhere:
        WebClient(token=fake.app_token, base_url=fake.api_url).auth_test()
    assert app_token_elsewhere.value.response["error"] == "not_allowed_token_type"
    assert fake.violations == [
        "apps.connections.open: the token sent is not the app-level token",
        "apps.connections.open: apps.connections.open needs the app-level token",
        "auth.test: auth.test needs the bot token",
    ]


def test_the_app_token_must_come_in_the_authorization_header(fake: FakeSlack) -> None:
    body = urlencode({"token": fake.app_token}).encode()
    request = urllib.request.Request(fake.api_url + "apps.connections.open", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read()) == {"ok": False, "error": "not_authed"}
    assert fake.violations == [
        "apps.connections.open: apps.connections.open takes the token in the Authorization header only"
    ]


def test_the_sdk_client_refuses_to_start_with_a_wrong_app_token(fake: FakeSlack) -> None:
    sdk = SocketModeClient(app_token="xapp-1-wrong", web_client=WebClient(base_url=fake.api_url))
    try:
        with pytest.raises(SlackApiError) as refused:
            sdk.connect()
        assert refused.value.response["error"] == "invalid_auth"
    finally:
        sdk.close()
    assert fake.socket_connections() == 0


# -- with slack_sdk's built-in SocketModeClient ---------------------------------------


def test_the_sdk_client_connects_gets_hello_and_acks_an_envelope(
    fake: FakeSlack, client: SocketModeClient, received: queue.Queue[dict[str, Any]]
) -> None:
    client.connect()
    hello = next_message(received, "hello")
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": fake.app_id}
    assert set(hello["debug_info"]) >= {"host", "build_number", "approximate_connection_time"}
    assert fake.socket_connections() == 1

    payload = slash_command_payload(
        "propose Safe school routes",
        user_id=ANN,
        team_id=fake.team_id,
        response_url=fake.response_url("x"),
        api_app_id=fake.app_id,
    )
    envelope_id = fake.push_envelope("slash_commands", payload, accepts_response_payload=True)
    envelope = next_message(received, "slash_commands")
    assert envelope == {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "payload": payload,
        "accepts_response_payload": True,
    }
    assert fake.wait_for_ack(envelope_id, timeout=WAIT) == {"envelope_id": envelope_id, "payload": {"text": "ok"}}

    event = load_fixture("app_home_opened")
    event_envelope = fake.push_envelope("events_api", event)
    assert next_message(received, "events_api")["payload"] == event
    assert fake.wait_for_ack(event_envelope, timeout=WAIT) == {"envelope_id": event_envelope}
    assert fake.socket_acks == [
        {"envelope_id": envelope_id, "payload": {"text": "ok"}},
        {"envelope_id": event_envelope},
    ]
    assert [e["envelope_id"] for e in fake.socket_envelopes] == [envelope_id, event_envelope]
    assert fake.violations == []


def test_the_sdk_client_reconnects_after_the_server_closes_the_connection(
    fake: FakeSlack, client: SocketModeClient, received: queue.Queue[dict[str, Any]]
) -> None:
    client.connect()
    next_message(received, "hello")

    assert fake.disconnect_sockets() == 1
    assert fake.socket_connections() == 0
    assert fake.wait_for(lambda: fake.socket_connections() == 1, timeout=WAIT)
    next_message(received, "hello")
    assert len(fake.calls_to("apps.connections.open")) == 2

    envelope_id = fake.push_envelope("events_api", load_fixture("app_home_opened"))
    assert fake.wait_for_ack(envelope_id, timeout=WAIT) == {"envelope_id": envelope_id}
    assert fake.violations == []


def test_the_sdk_client_reconnects_when_slack_asks_it_to_refresh(
    fake: FakeSlack, client: SocketModeClient, received: queue.Queue[dict[str, Any]]
) -> None:
    client.connect()
    next_message(received, "hello")

    # The client opens a new connection and closes the old one itself.
    assert fake.disconnect_sockets(reason="refresh_requested") == 1
    disconnect = next_message(received, "disconnect")
    assert disconnect["reason"] == "refresh_requested"
    assert fake.wait_for(lambda: fake.socket_connections() == 1, timeout=WAIT)
    assert len(fake.calls_to("apps.connections.open")) == 2

    envelope_id = fake.push_envelope("interactive", load_fixture("block_actions"), accepts_response_payload=False)
    assert fake.wait_for_ack(envelope_id, timeout=WAIT) == {"envelope_id": envelope_id}
    assert fake.violations == []


# -- push_envelope misuse -------------------------------------------------------------


def test_push_envelope_needs_a_connection_a_known_kind_and_a_json_object(fake: FakeSlack) -> None:
    with pytest.raises(RuntimeError, match="no Socket Mode client is connected"):
        fake.push_envelope("events_api", {})
    with pytest.raises(ValueError, match="kind must be one of"):
        fake.push_envelope("slash_command", {})
    with pytest.raises(TypeError, match="not form-encoded"):
        fake.push_envelope("slash_commands", "command=%2Fdialog&text=help")  # type: ignore[arg-type]
    assert fake.wait_for_ack("nothing-was-sent", timeout=0.01) is None
    with pytest.raises(ValueError, match="reason must be one of"):
        fake.disconnect_sockets(reason="bored")
    assert fake.disconnect_sockets() == 0


# -- the WebSocket protocol, with a raw client ----------------------------------------

RFC_KEY = "dGhlIHNhbXBsZSBub25jZQ=="
RFC_ACCEPT = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
"""The handshake example of RFC 6455 §1.3."""

TEXT, CONTINUATION, BINARY, CLOSE, PING, PONG = 0x1, 0x0, 0x2, 0x8, 0x9, 0xA


class RawSocket:
    """A bare-bones WebSocket client, to send what slack_sdk never would."""

    def __init__(self, url: str, *, key: str = RFC_KEY, headers: dict[str, str] | None = None) -> None:
        parts = urlsplit(url)
        self.sock = socket.create_connection((parts.hostname, parts.port), timeout=WAIT)
        self.reader = self.sock.makefile("rb")
        sent = {
            "Host": f"{parts.hostname}:{parts.port}",
            "Upgrade": "websocket",
            "Connection": "Upgrade",
            "Sec-WebSocket-Key": key,
            "Sec-WebSocket-Version": "13",
            **(headers or {}),
        }
        lines = [f"GET {parts.path}?{parts.query} HTTP/1.1"] + [f"{k}: {v}" for k, v in sent.items() if v]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.status = int(self.reader.readline().split()[1])
        self.headers: dict[str, str] = {}
        while (line := self.reader.readline().decode().strip()) != "":
            name, _, value = line.partition(":")
            self.headers[name.strip().lower()] = value.strip()
        self.body = self.reader.read(int(self.headers.get("content-length", 0)))

    def send(self, opcode: int, payload: bytes = b"", *, fin: bool = True, masked: bool = True) -> None:
        header = bytes([(0x80 if fin else 0) | opcode])
        mask_bit = 0x80 if masked else 0
        if len(payload) < 126:
            header += bytes([mask_bit | len(payload)])
        else:
            header += bytes([mask_bit | 126]) + struct.pack("!H", len(payload))
        if masked:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            header += key
        self.sock.sendall(header + payload)

    def receive(self) -> tuple[int, bytes]:
        """The next frame as (opcode, payload); server frames must be final and unmasked."""
        first, second = self.reader.read(2)
        assert first & 0x80 and not second & 0x80
        length = second & 0x7F
        if length == 126:
            length = struct.unpack("!H", self.reader.read(2))[0]
        elif length == 127:
            length = struct.unpack("!Q", self.reader.read(8))[0]
        return first & 0x0F, self.reader.read(length)

    def receive_json(self) -> dict[str, Any]:
        opcode, payload = self.receive()
        assert opcode == TEXT
        return json.loads(payload)

    def at_eof(self) -> bool:
        return self.reader.read(1) == b""

    def close(self) -> None:
        self.reader.close()
        self.sock.close()


@pytest.fixture
def raw(fake: FakeSlack) -> Iterator[RawSocket]:
    connection = RawSocket(socket_url(fake))
    assert connection.status == 101
    assert connection.receive_json()["type"] == "hello"
    try:
        yield connection
    finally:
        connection.close()


def close_code(payload: bytes) -> int:
    return struct.unpack("!H", payload[:2])[0]


def test_the_handshake_answers_sec_websocket_accept_and_says_hello(fake: FakeSlack) -> None:
    connection = RawSocket(socket_url(fake))
    try:
        assert connection.status == 101
        assert connection.headers["upgrade"].lower() == "websocket"
        assert connection.headers["connection"].lower() == "upgrade"
        assert connection.headers["sec-websocket-accept"] == RFC_ACCEPT
        hello = connection.receive_json()
        assert hello["type"] == "hello" and hello["num_connections"] == 1
    finally:
        connection.close()


def test_a_ticket_opens_one_connection_and_bad_upgrades_are_refused(fake: FakeSlack) -> None:
    url = socket_url(fake)
    first = RawSocket(url)
    try:
        assert first.status == 101
        again = RawSocket(url)
        assert (again.status, json.loads(again.body)) == (401, {"ok": False, "error": "invalid_ticket"})
        again.close()
    finally:
        first.close()
    no_upgrade = RawSocket(socket_url(fake), headers={"Upgrade": ""})
    assert no_upgrade.status == 400
    no_upgrade.close()
    old_version = RawSocket(socket_url(fake), headers={"Sec-WebSocket-Version": "8"})
    assert (old_version.status, old_version.headers["sec-websocket-version"]) == (426, "13")
    old_version.close()
    short_key = RawSocket(socket_url(fake), key=base64.b64encode(b"short").decode())
    assert short_key.status == 400
    short_key.close()
    assert len(fake.violations) == 4
    assert all(v.startswith("socket: ") for v in fake.violations)


def test_ping_is_answered_with_pong(fake: FakeSlack, raw: RawSocket) -> None:
    raw.send(PING, b"are you there")
    assert raw.receive() == (PONG, b"are you there")
    assert fake.violations == []


def test_a_fragmented_ack_is_reassembled(fake: FakeSlack, raw: RawSocket) -> None:
    envelope_id = fake.push_envelope("events_api", load_fixture("app_home_opened"))
    assert raw.receive_json()["envelope_id"] == envelope_id
    ack = json.dumps({"envelope_id": envelope_id}).encode()
    raw.send(TEXT, ack[:10], fin=False)
    raw.send(PING, b"between fragments")
    assert raw.receive() == (PONG, b"between fragments")
    raw.send(CONTINUATION, ack[10:])
    assert fake.wait_for_ack(envelope_id, timeout=WAIT) == {"envelope_id": envelope_id}
    assert fake.violations == []


def test_a_close_is_echoed_and_the_connection_ends(fake: FakeSlack, raw: RawSocket) -> None:
    raw.send(CLOSE, struct.pack("!H", 1000) + b"bye")
    opcode, payload = raw.receive()
    assert (opcode, close_code(payload)) == (CLOSE, 1000)
    assert raw.at_eof()
    assert fake.wait_for(lambda: fake.socket_connections() == 0)
    assert fake.violations == []


def test_the_server_closes_with_going_away(fake: FakeSlack, raw: RawSocket) -> None:
    # The raw client answers nothing, so the server cuts the connection after the timeout.
    assert fake.disconnect_sockets(timeout=0.5) == 1
    opcode, payload = raw.receive()
    assert (opcode, close_code(payload)) == (CLOSE, 1001)
    assert raw.at_eof()
    assert fake.socket_connections() == 0


def test_an_unmasked_frame_is_a_protocol_error(fake: FakeSlack, raw: RawSocket) -> None:
    raw.send(TEXT, b'{"envelope_id": "x"}', masked=False)
    opcode, payload = raw.receive()
    assert (opcode, close_code(payload)) == (CLOSE, 1002)
    assert fake.violations == ["socket: a client frame was not masked"]


def test_a_binary_frame_is_refused(fake: FakeSlack, raw: RawSocket) -> None:
    raw.send(BINARY, b"\x00\x01")
    opcode, payload = raw.receive()
    assert (opcode, close_code(payload)) == (CLOSE, 1003)
    assert fake.violations == ["socket: a binary frame; Socket Mode is JSON text"]


def test_acks_must_match_a_sent_envelope_once(fake: FakeSlack, raw: RawSocket) -> None:
    envelope_id = fake.push_envelope("events_api", load_fixture("app_home_opened"))
    raw.receive_json()
    for message in (
        {"envelope_id": envelope_id},
        {"envelope_id": envelope_id},
        {"envelope_id": "never-sent", "extra": 1},
        {"type": "pong"},
    ):
        raw.send(TEXT, json.dumps(message).encode())
    raw.send(TEXT, b"not json")
    raw.send(PING)  # answered after everything above was read
    assert raw.receive() == (PONG, b"")
    assert [a["envelope_id"] for a in fake.socket_acks] == [envelope_id, envelope_id, "never-sent"]
    assert fake.violations == [
        f"socket ack[{envelope_id}]: the envelope was acknowledged more than once",
        "socket ack[never-sent]: unknown field(s): extra",
        "socket ack[never-sent]: no envelope with this id was sent",
        'socket: a message that is not an ack {"envelope_id", "payload"?}',
        "socket: a text message that is not JSON",
    ]


def test_a_slash_command_ack_payload_is_checked_like_a_message(fake: FakeSlack, raw: RawSocket) -> None:
    envelope_id = fake.push_envelope("slash_commands", slash_command_payload("help", user_id=ANN), accepts_response_payload=True)
    raw.receive_json()
    bad_block = {"type": "section", "text": {"type": "mrkdwn", "text": "hi"}, "colour": "red"}
    raw.send(TEXT, json.dumps({"envelope_id": envelope_id, "payload": {"text": "hi", "blocks": [bad_block]}}).encode())
    assert fake.wait_for_ack(envelope_id, timeout=WAIT) is not None
    assert fake.violations == [f"socket ack[{envelope_id}]: blocks[0].colour is not a supported (non-empty) field"]


def test_stopping_the_fake_closes_its_connections(fake: FakeSlack, raw: RawSocket) -> None:
    fake.stop()
    opcode, payload = raw.receive()
    assert (opcode, close_code(payload)) == (CLOSE, 1001)
    assert raw.at_eof()
