"""The HTTP edge through the real stack (waitress on loopback, Flask, Bolt): refused requests cost
one short log line and never a 5xx; oversized and half-open requests cannot starve the server."""

from __future__ import annotations

import json
import logging
import socket
import time
from collections.abc import Iterator
from urllib.parse import quote, urlencode

import pytest

from fakes.slack import FORM, JSON, FakeSlack, SlackRequester
from handlers.slack.server import EVENTS_PATH, MAX_BODY_BYTES, MAX_HEADER_BYTES, create_web_app
from tests.support.edge import Answer, closed_by_server, exchange, rendered, request_bytes, serving, sign
from tests.support.harness import (
    MEMBERS,
    SIGNING_SECRET,
    RunningBot,
    bot_settings,
    fake_workspace,
    running_bot,
)

ALICE = MEMBERS[0]
MARK = "SECRET-TEXT"
FORGED = "\n2026-03-02 09:00:00,000 ERROR dialogbot: FORGED-LINE"
# Loggers a request at the edge can reach; the scheduler's and the database's are left out.
EDGE_LOGGERS = ("handlers", "dialogbot", "slack_bolt", "waitress", "werkzeug", "flask")
MAX_LINE = 200


@pytest.fixture(scope="module")
def fake() -> Iterator[FakeSlack]:
    workspace = fake_workspace().start()
    yield workspace
    workspace.stop()
    assert workspace.violations == []


@pytest.fixture(scope="module")
def bot(fake: FakeSlack, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    database = tmp_path_factory.mktemp("edge") / "dialogbot.sqlite3"
    with running_bot(bot_settings(f"sqlite:///{database}", fake)) as running:
        yield running


@pytest.fixture
def port(bot: RunningBot) -> int:
    return int(bot.url.rsplit(":", 1)[1])


@pytest.fixture
def logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.INFO)  # as bot.py runs
    return caplog


def signed(body: bytes, *, content_type: str | None = FORM, timestamp: int | None = None,
           secret: str = SIGNING_SECRET) -> list[tuple[str, str]]:
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    headers = [("X-Slack-Request-Timestamp", stamp), ("X-Slack-Signature", sign(secret, stamp, body))]
    return headers + ([("Content-Type", content_type)] if content_type else [])


def post(port: int, body: bytes, headers: list[tuple[str, str]], path: str = EVENTS_PATH) -> Answer:
    return exchange(port, request_bytes("POST", path, headers, body))


def edge_records(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    # waitress.queue reports a busy server ("Task queue depth is 1"), whatever the request.
    return [r for r in caplog.records if r.name.startswith(EDGE_LOGGERS) and r.name != "waitress.queue"]


def assert_one_bounded_line(caplog: pytest.LogCaptureFixture, reason_fragment: str = "") -> None:
    """Exactly one record for the request, one short line, and nothing of the body anywhere."""
    records = edge_records(caplog)
    assert len(records) == 1, rendered(records)
    line = records[0].getMessage()
    assert line.startswith(f"rejected a request to {EVENTS_PATH}: ") and line.endswith(" bytes)")
    assert reason_fragment in line
    assert "\n" not in line and "\r" not in line and len(line) <= MAX_LINE
    assert records[0].exc_info is None
    everything = rendered(caplog.records)
    assert MARK not in everything and "FORGED-LINE" not in everything


def form(**fields: str) -> bytes:
    return urlencode(fields).encode()


def interaction(payload: object) -> bytes:
    return form(payload=json.dumps(payload))


COMMAND = form(command="/dialog", text=f"propose {MARK}{FORGED}", user_id=ALICE, team_id="T0DIALOG")
RAW_FORGED = f"command=%2Fdialog&text={MARK}{FORGED}".encode()


def unsigned_cases() -> dict[str, tuple[bytes, list[tuple[str, str]], str]]:
    now = int(time.time())
    return {
        "no signature": (RAW_FORGED, [("Content-Type", FORM)], "unsigned"),
        "no timestamp": (COMMAND, [("X-Slack-Signature", sign(SIGNING_SECRET, str(now), COMMAND))],
                         "unsigned"),
        "forged": (RAW_FORGED, signed(RAW_FORGED, secret="not-the-secret"), "bad signature"),
        "signature of another body": (COMMAND, signed(b"text=other")[:2], "bad signature"),
        "stale": (COMMAND, signed(COMMAND, timestamp=now - 400), "stale timestamp"),
        "from the future": (COMMAND, signed(COMMAND, timestamp=now + 400), "stale timestamp"),
        "timestamp not a number": (COMMAND, [("X-Slack-Request-Timestamp", "abc"),
                                             ("X-Slack-Signature", "v0=00")], "malformed timestamp"),
        "timestamp with a sign": (COMMAND, [("X-Slack-Request-Timestamp", f"+{now}"),
                                            ("X-Slack-Signature", sign(SIGNING_SECRET, f"+{now}", COMMAND))],
                                  "malformed timestamp"),
        "timestamp in other digits": (COMMAND, [("X-Slack-Request-Timestamp", f"{now}\u00b2"),
                                                ("X-Slack-Signature", "v0=00")], "malformed timestamp"),
        "timestamp twice": (COMMAND, [*signed(COMMAND), ("X-Slack-Request-Timestamp", str(now))],
                            "malformed timestamp"),
        "huge timestamp": (COMMAND, [("X-Slack-Request-Timestamp", "9" * 400), ("X-Slack-Signature", "v0=00")],
                           "malformed timestamp"),
        "signature not ASCII": (COMMAND, [("X-Slack-Request-Timestamp", str(now)),
                                          ("X-Slack-Signature", "v0=\u00e9\u00e9")], "bad signature"),
        "body not UTF-8": (b"command=%2Fdialog&text=\xff\xfe" + MARK.encode(),
                           signed(b"command=%2Fdialog&text=\xff\xfe" + MARK.encode()), "not UTF-8"),
    }


@pytest.mark.parametrize("case", list(unsigned_cases()))
def test_unsigned_forged_and_stale_requests_get_401_and_one_short_line(
        case: str, port: int, logs: pytest.LogCaptureFixture) -> None:
    body, headers, reason = unsigned_cases()[case]
    logs.clear()
    answer = post(port, body, headers)
    assert answer.status == 401
    assert len(answer.body) < 100 and MARK.encode() not in answer.body
    assert_one_bounded_line(logs, reason)


def test_a_genuine_command_from_a_skewed_clock_leaves_no_text_in_the_log(
        bot: RunningBot, fake: FakeSlack, logs: pytest.LogCaptureFixture) -> None:
    skewed = SlackRequester(bot.url, SIGNING_SECRET, clock=lambda: time.time() - 600)
    logs.clear()
    reply = skewed.slash_command(f"propose Bike lanes {MARK}", user_id=ALICE,
                                 response_url=fake.response_url("skewed"))
    assert reply.status == 401
    assert_one_bounded_line(logs, "stale timestamp")


def test_the_five_minute_window_is_checked_against_the_edges_clock(bot: RunningBot) -> None:
    now = 1_800_000_000
    web = create_web_app(bot.runtime.bolt, bot.runtime.health, clock=lambda: now)
    body = json.dumps({"type": "url_verification", "challenge": "c-123", "token": "t"}).encode()
    with serving(web) as edge_port:
        for stamp, status in ((now - 300, 200), (now + 300, 200), (now - 301, 401), (now + 301, 401)):
            answer = post(edge_port, body, signed(body, content_type=JSON, timestamp=stamp))
            assert answer.status == status, stamp
        assert json.loads(post(edge_port, body, signed(body, content_type=JSON, timestamp=now)).body) == {
            "challenge": "c-123"}


def test_signed_requests_still_reach_the_bot(bot: RunningBot, fake: FakeSlack) -> None:
    reply = bot.slack.slash_command("help", user_id=ALICE, response_url=fake.response_url("help"))
    assert reply.status == 200
    assert fake.wait_for(lambda: any(r["key"] == "help" for r in fake.responses))


def view(**fields: object) -> dict[str, object]:
    return {"type": "view_submission", "team": {"id": "T0DIALOG"}, "user": {"id": ALICE},
            "view": {"id": "V1", "callback_id": "topic_propose", "state": {"values": {}}}, **fields}


def actions(value: object) -> dict[str, object]:
    return {"type": "block_actions", "team": {"id": "T0DIALOG"}, "user": {"id": ALICE}, "actions": value,
            "trigger_id": "1.2.3", "text": MARK}


def event(value: object) -> dict[str, object]:
    return {"type": "event_callback", "team_id": "T0DIALOG", "event_id": "Ev1", "event": value}


MALFORMED_PAYLOADS: dict[str, object] = {
    "payload null": None,
    "payload a list": [MARK],
    "payload a number": 5,
    "payload a string": MARK,
    "payload empty": {},
    "type a number": {"type": 5, "text": MARK},
    "type a list": {"type": ["block_actions"], "actions": [{"action_id": "x"}]},
    "actions an object": actions({"action_id": "topic_support", "value": MARK}),
    "actions a string": actions("topic_support"),
    "actions null": actions(None),
    "actions empty": actions([]),
    "action not an object": actions([MARK]),
    "action without action_id": actions([{"value": MARK}]),
    "action_id a number": actions([{"action_id": 7}]),
    "block_id a list": actions([{"action_id": "topic_support", "block_id": [1]}]),
    "view a list": view(view=[{"callback_id": "topic_propose"}]),
    "view a string": view(view="callback_id"),
    "view null": view(view=None),
    "view without callback_id": view(view={"id": "V1", "state": {"values": {}}}),
    "callback_id a number": view(view={"callback_id": 5}),
    "view state a string": view(view={"callback_id": "topic_propose", "state": MARK}),
    "view values a list": view(view={"callback_id": "topic_propose", "state": {"values": [MARK]}}),
    "view block a number": view(view={"callback_id": "topic_propose", "state": {"values": {"b": 5}}}),
    "event a string": event("type"),
    "event a list": event(["type"]),
    "event without type": event({"user": ALICE}),
    "event type a number": event({"type": 5}),
    "event_callback without event": {"type": "event_callback", "team_id": "T0DIALOG"},
    "team a number": view(team=5),
    "team id an object": view(team={"id": {"id": "T"}}),
    "user a list": actions([{"action_id": "topic_support"}]) | {"user": ["id"]},
    "channel a number": actions([{"action_id": "topic_support"}]) | {"channel": 5},
    "enterprise a number": view(enterprise=5),
    "authorizations a string": event({"type": "app_home_opened"}) | {"authorizations": "x"},
    "authorization a number": event({"type": "app_home_opened"}) | {"authorizations": [5]},
    "authorization team a number": event({"type": "app_home_opened"}) | {"authorizations": [{"team_id": 5}]},
    "response_urls of numbers": view(response_urls=[5]),
    "command a number": {"command": 5, "text": MARK},
    "container a string": actions([{"action_id": "topic_support"}]) | {"container": MARK},
}


def malformed_cases() -> dict[str, tuple[bytes, str | None, str]]:
    """name: (body, content type, query string); each is signed with the real secret."""
    cases: dict[str, tuple[bytes, str | None, str]] = {
        name: (interaction(payload), FORM, "") for name, payload in MALFORMED_PAYLOADS.items()}
    cases |= {f"{name} (JSON body)": (json.dumps(payload).encode(), JSON, "")
              for name, payload in MALFORMED_PAYLOADS.items() if "payload" not in name}
    cases |= {
        "form sent as JSON": (COMMAND, JSON, ""),
        "JSON sent as a form": (json.dumps(actions([{"action_id": "x"}])).encode(), FORM, ""),
        "no content type": (COMMAND, None, ""),
        "text/plain": (COMMAND, "text/plain", ""),
        "content type in capitals": (COMMAND, "Application/X-WWW-Form-Urlencoded", ""),
        "empty form": (b"", FORM, ""),
        "empty JSON": (b"", JSON, ""),
        "JSON null": (b"null", JSON, ""),
        "JSON list": (b"[1]", JSON, ""),
        "broken JSON": (b'{"type": "block_actions", "text": "' + MARK.encode(), JSON, ""),
        "payload not JSON": (form(payload=f"not json {MARK}"), FORM, ""),
        "payload broken JSON": (form(payload='{"type": "block_actions",'), FORM, ""),
        "payload nested too deep": (form(payload="[" * 100_000), FORM, ""),
        "payload with a huge number": (form(payload='{"type": "block_actions", "n": ' + "9" * 5000 + "}"),
                                       FORM, ""),
        "payload twice": (interaction(view()) + b"&" + interaction(actions([{"action_id": "x"}])), FORM, ""),
        "command twice": (COMMAND + b"&command=%2Fother", FORM, ""),
        "neither payload nor command": (form(text=MARK, user_id=ALICE), FORM, ""),
        "too many fields": (COMMAND + b"".join(b"&f%d=1" % n for n in range(200)), FORM, ""),
    }
    return cases


@pytest.mark.parametrize("case", list(malformed_cases()))
def test_malformed_signed_requests_get_a_4xx_and_one_short_line(
        case: str, port: int, logs: pytest.LogCaptureFixture) -> None:
    body, content_type, query = malformed_cases()[case]
    path = EVENTS_PATH + (f"?{query}" if query else "")
    logs.clear()
    answer = post(port, body, signed(body, content_type=content_type), path=path)
    assert 400 <= answer.status < 500 and answer.status != 401, answer
    assert b"<html" not in answer.body.lower() and len(answer.body) < 100
    assert_one_bounded_line(logs)


def test_an_unhandled_signed_request_costs_no_body_in_the_log(port: int, logs: pytest.LogCaptureFixture) -> None:
    body = interaction(actions([{"action_id": "no_such_button", "block_id": "b", "value": MARK}]))
    logs.clear()
    answer = post(port, body, signed(body))
    assert answer.status == 404
    assert MARK not in rendered(logs.records)


@pytest.mark.parametrize("request_line, headers, status", [
    ("GET /slack/events", [], 405),
    ("PUT /slack/events", [], 405),
    ("POST /nowhere", [], 404),
    (f"POST /slack/events{quote(FORGED)}", [], 404),
    ("POST /slack/events?x=\xff", [], 400),
    ("POST /slack/events", [("Content-Length", "12abc")], 400),
])
def test_requests_refused_by_flask_or_waitress_get_a_small_plain_answer(
        request_line: str, headers: list[tuple[str, str]], status: int, port: int,
        logs: pytest.LogCaptureFixture) -> None:
    method, path = request_line.split(" ", 1)
    data = f"{method} {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n".encode("latin-1")
    data += "".join(f"{name}: {value}\r\n" for name, value in headers).encode() + b"\r\n"
    logs.clear()
    answer = exchange(port, data)
    assert answer.status == status
    assert b"<" not in answer.body and len(answer.body) < 200
    if status == 405:
        assert b"\r\nAllow: " in answer.head
    assert "FORGED-LINE" not in rendered(logs.records)


def test_an_oversized_body_gets_413_before_it_is_sent(port: int) -> None:
    # Only the headers go out: the answer must not wait for the 100 MiB they promise.
    head = request_bytes("POST", EVENTS_PATH, [("Content-Type", FORM)])
    head = head.replace(b"Content-Length: 0", b"Content-Length: %d" % (100 * 1024 * 1024))
    assert exchange(port, head, timeout=10).status == 413
    one_too_many = head.replace(b"Content-Length: %d" % (100 * 1024 * 1024),
                                b"Content-Length: %d" % (MAX_BODY_BYTES + 1))
    assert exchange(port, one_too_many, timeout=10).status == 413


def test_headers_past_the_limit_get_431(port: int) -> None:
    # Exactly the limit, unfinished: waitress has read every byte when it refuses, so the
    # connection closes cleanly instead of being reset under the answer.
    start = b"POST /slack/events HTTP/1.1\r\nHost: x\r\nX-Padding: "
    answer = exchange(port, start + b"x" * (MAX_HEADER_BYTES - len(start)))
    assert answer.status == 431 and len(answer.body) < 200


def test_a_body_of_exactly_the_limit_is_still_served(port: int) -> None:
    envelope = {"type": "url_verification", "challenge": "c-limit", "token": "t", "padding": ""}
    envelope["padding"] = "p" * (MAX_BODY_BYTES - len(json.dumps(envelope)))
    body = json.dumps(envelope).encode()
    assert len(body) == MAX_BODY_BYTES
    answer = post(port, body, signed(body, content_type=JSON))
    assert answer.status == 200 and json.loads(answer.body) == {"challenge": "c-limit"}


def half_open(port: int) -> socket.socket:
    """A connection that promises a body and sends three bytes of it."""
    conn = socket.create_connection(("127.0.0.1", port), timeout=10)
    conn.sendall(request_bytes("POST", EVENTS_PATH, [("Content-Type", FORM)])
                 .replace(b"Content-Length: 0", b"Content-Length: 1000") + b"abc")
    return conn


def test_many_half_open_connections_do_not_block_health_or_slack(bot: RunningBot, port: int) -> None:
    # waitress's default limit was 100 connections, each held for up to 120 s.
    stalled: list[socket.socket] = []
    try:
        for _ in range(150):
            stalled.append(half_open(port))
        assert exchange(port, request_bytes("GET", "/healthz", []), timeout=10).status == 200
        body = json.dumps({"type": "url_verification", "challenge": "still-here", "token": "t"}).encode()
        assert post(port, body, signed(body, content_type=JSON)).status == 200
    finally:
        for conn in stalled:
            conn.close()


def test_a_silent_connection_is_closed_after_the_channel_timeout(bot: RunningBot) -> None:
    web = create_web_app(bot.runtime.bolt, bot.runtime.health)
    with serving(web, channel_timeout=1) as edge_port:
        stalled = half_open(edge_port)
        try:
            assert closed_by_server(stalled, within=15), "a silent half-sent request must not be kept"
        finally:
            stalled.close()
