"""The signed-request helpers: signatures Slack's verifier accepts, recorded-format
payloads, and a real Bolt app that parses and verifies what they send."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

import pytest
from slack_bolt import App
from slack_bolt.request import BoltRequest
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from fakes.slack import (
    FIXTURES,
    FORM,
    FakeSlack,
    SlackRequester,
    load_fixture,
)

SECRET = "0d1e2a3d4b5e6e7f8a9b0c1d2e3f4a5b"


# -- signatures -----------------------------------------------------------------------


def verify(body: bytes, headers: dict[str, str], secret: str = SECRET) -> bool:
    return SignatureVerifier(secret).is_valid(
        body=body,
        timestamp=headers["X-Slack-Request-Timestamp"],
        signature=headers["X-Slack-Signature"],
    )


def test_signed_headers_verify_with_slack_sdk() -> None:
    requester = SlackRequester("http://127.0.0.1:9", SECRET)
    body = b"token=x&team_id=T0DIALOG&text=help"
    headers = requester.signed_headers(body, content_type=FORM)
    assert headers["Content-Type"] == FORM
    assert headers["X-Slack-Signature"].startswith("v0=")
    assert abs(int(headers["X-Slack-Request-Timestamp"]) - time.time()) < 60
    assert verify(body, headers)


def test_tampering_or_the_wrong_secret_does_not_verify() -> None:
    requester = SlackRequester("http://127.0.0.1:9", SECRET)
    body = b"text=help"
    headers = requester.signed_headers(body, content_type=FORM)
    assert not verify(b"text=roster", headers)
    assert not verify(body, headers, secret="another-secret")
    forged = requester.signed_headers(body, content_type=FORM, secret="another-secret")
    assert not verify(body, forged)


def test_stale_timestamp_does_not_verify() -> None:
    requester = SlackRequester("http://127.0.0.1:9", SECRET)
    body = b"text=help"
    stale = requester.signed_headers(body, content_type=FORM, timestamp=int(time.time()) - 6 * 60)
    assert not verify(body, stale)
    recent = requester.signed_headers(body, content_type=FORM, timestamp=int(time.time()) - 60)
    assert verify(body, recent)


def test_clock_sets_the_timestamp() -> None:
    requester = SlackRequester("http://127.0.0.1:9", SECRET, clock=lambda: 1_700_000_000.75)
    headers = requester.signed_headers(b"", content_type=FORM)
    assert headers["X-Slack-Request-Timestamp"] == "1700000000"


# -- fixtures -------------------------------------------------------------------------


def test_payload_fixtures_parse() -> None:
    assert sorted(p.name for p in FIXTURES.glob("*.json")) == [
        "app_home_opened.json",
        "block_actions.json",
        "slash_command.json",
        "view_submission.json",
    ]
    slash = load_fixture("slash_command")
    assert set(slash) >= {
        "token",
        "team_id",
        "team_domain",
        "channel_id",
        "channel_name",
        "user_id",
        "user_name",
        "command",
        "text",
        "api_app_id",
        "is_enterprise_install",
        "response_url",
        "trigger_id",
    }
    assert all(isinstance(v, str) for v in slash.values())  # a form: strings only

    actions = load_fixture("block_actions")
    assert actions["type"] == "block_actions"
    assert set(actions["user"]) == {"id", "username", "name", "team_id"}
    assert set(actions) >= {"team", "api_app_id", "token", "trigger_id", "container"}
    assert set(actions) >= {"channel", "message", "response_url", "actions"}
    [action] = actions["actions"]
    assert set(action) >= {"type", "action_id", "block_id", "value", "action_ts", "text"}

    submission = load_fixture("view_submission")
    assert submission["type"] == "view_submission"
    view = submission["view"]
    assert view["type"] == "modal"
    assert set(view) >= {"id", "callback_id", "private_metadata", "hash", "state"}
    assert "values" in view["state"]

    home = load_fixture("app_home_opened")
    assert home["type"] == "event_callback"
    assert home["event"]["type"] == "app_home_opened"
    assert home["event_id"].startswith("Ev")


def test_fixture_blocks_are_valid_block_kit() -> None:
    from fakes.slack import block_problems, view_problems

    assert block_problems(load_fixture("block_actions")["message"]["blocks"], limit=50) == []
    view = load_fixture("view_submission")["view"]
    creatable = {
        key: value
        for key, value in view.items()
        if key in {"type", "blocks", "private_metadata", "callback_id", "title"}
        or key in {"close", "submit", "clear_on_close", "notify_on_close", "external_id"}
    }
    assert view_problems(creatable, allowed_types=["modal"]) == []


# -- what arrives at a server ---------------------------------------------------------


class _Recorder(BaseHTTPRequestHandler):
    server: _RecordingServer

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.received.append((self.path, dict(self.headers.items()), body))
        answer = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Seen", "yes")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _RecordingServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        self.received: list[tuple[str, dict[str, str], bytes]] = []
        super().__init__(("127.0.0.1", 0), _Recorder)


@pytest.fixture
def recorder() -> Iterator[_RecordingServer]:
    server = _RecordingServer()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def requester(recorder: _RecordingServer) -> SlackRequester:
    host, port = recorder.server_address[:2]
    return SlackRequester(f"http://{host}:{port}/", SECRET, team_id="T0OTHER")


def only_request(recorder: _RecordingServer) -> tuple[str, dict[str, str], bytes]:
    [request] = recorder.received
    path, headers, body = request
    assert path == "/slack/events"
    assert verify(body, headers)
    return request


def test_slash_command_is_a_signed_form(requester: SlackRequester, recorder: _RecordingServer) -> None:
    response = requester.slash_command(
        'roster add "Bike Oslo" core <@U0ANN|ann>',
        user_id="U0ANN",
        user_name="ann",
        response_url="http://127.0.0.1:1/response/x",
    )
    assert response.status == 200
    assert response.json() == {"ok": True}
    assert response.headers["x-seen"] == response.headers["X-Seen"] == "yes"
    assert response.elapsed > 0
    _, headers, body = only_request(recorder)
    assert headers["Content-Type"] == FORM
    form = {key: values[0] for key, values in parse_qs(body.decode(), keep_blank_values=True).items()}
    assert form["text"] == 'roster add "Bike Oslo" core <@U0ANN|ann>'
    assert form["team_id"] == "T0OTHER"
    assert form["user_id"] == "U0ANN" and form["user_name"] == "ann"
    assert form["command"] == "/dialog"
    assert form["response_url"] == "http://127.0.0.1:1/response/x"
    assert form["trigger_id"] and form["trigger_id"] != load_fixture("slash_command")["trigger_id"]
    assert set(form) == set(load_fixture("slash_command"))


def test_dm_slash_command_uses_slacks_channel_name(
    requester: SlackRequester, recorder: _RecordingServer
) -> None:
    requester.slash_command("help", user_id="U0ANN", channel_id="DU0ANN")
    _, _, body = only_request(recorder)
    assert parse_qs(body.decode())["channel_name"] == ["directmessage"]


def interaction(recorder: _RecordingServer) -> dict[str, Any]:
    _, headers, body = only_request(recorder)
    assert headers["Content-Type"] == FORM
    [payload] = parse_qs(body.decode())["payload"]
    return json.loads(payload)


def test_block_action_payload(requester: SlackRequester, recorder: _RecordingServer) -> None:
    requester.block_action("rsvp_no", "12", user_id="U0BO", message_ts="1700000001.000200", block_id="rsvp")
    payload = interaction(recorder)
    assert payload["type"] == "block_actions"
    assert payload["user"] == {"id": "U0BO", "username": "u0bo", "name": "u0bo", "team_id": "T0OTHER"}
    assert payload["team"]["id"] == "T0OTHER"
    [action] = payload["actions"]
    assert (action["type"], action["action_id"], action["value"]) == ("button", "rsvp_no", "12")
    assert action["block_id"] == "rsvp"
    assert payload["container"] == {
        "type": "message",
        "message_ts": "1700000001.000200",
        "channel_id": "C0DIALOG",
        "is_ephemeral": False,
    }
    assert payload["message"]["ts"] == "1700000001.000200"
    assert payload["channel"] == {"id": "C0DIALOG", "name": "dialog"}


def test_block_action_in_a_view(requester: SlackRequester, recorder: _RecordingServer) -> None:
    view = {"id": "V0HOME", "type": "home", "blocks": [], "state": {"values": {}}}
    requester.block_action("support", "3", user_id="U0ANN", container_type="view", view=view)
    payload = interaction(recorder)
    assert payload["container"] == {"type": "view", "view_id": "V0HOME"}
    assert payload["view"] == view
    assert "message" not in payload and "response_url" not in payload


def test_view_submission_payload(requester: SlackRequester, recorder: _RecordingServer) -> None:
    values = {"title": {"value": {"type": "plain_text_input", "value": "Bike lanes"}}}
    requester.view_submission(
        "propose", values, user_id="U0ANN", private_metadata='{"c":"C0DIALOG"}', hash="h9"
    )
    payload = interaction(recorder)
    assert payload["type"] == "view_submission"
    view = payload["view"]
    assert view["callback_id"] == "propose"
    assert view["state"]["values"] == values
    assert view["private_metadata"] == '{"c":"C0DIALOG"}'
    assert (view["id"], view["hash"]) == ("V0TEST", "h9")


def test_event_envelope_and_retry_headers(requester: SlackRequester, recorder: _RecordingServer) -> None:
    event = {"type": "app_home_opened", "user": "U0ANN", "channel": "DU0ANN", "tab": "home"}
    requester.event(event, event_id="Ev0SAME", retry_num=1)
    _, headers, body = only_request(recorder)
    assert headers["Content-Type"] == "application/json"
    assert headers["X-Slack-Retry-Num"] == "1"
    assert headers["X-Slack-Retry-Reason"] == "http_timeout"
    envelope = json.loads(body)
    assert envelope["type"] == "event_callback"
    assert envelope["event_id"] == "Ev0SAME"
    assert envelope["team_id"] == "T0OTHER"
    assert envelope["event"]["user"] == "U0ANN" and "event_ts" in envelope["event"]


# -- a real Bolt app ------------------------------------------------------------------


class _BoltHandler(BaseHTTPRequestHandler):
    server: _BoltServer

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        path, _, query = self.path.partition("?")
        request = BoltRequest(body=body, query=query, headers=dict(self.headers.items()))
        answer = self.server.app.dispatch(request)
        data = (answer.body or "").encode()
        self.send_response(answer.status)
        for name, values in answer.headers.items():
            for value in values:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass


class _BoltServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, app: App) -> None:
        self.app = app
        super().__init__(("127.0.0.1", 0), _BoltHandler)


@pytest.fixture
def bolt() -> Iterator[tuple[SlackRequester, list[tuple[str, Any]], threading.Event]]:
    seen: list[tuple[str, Any]] = []
    done = threading.Event()
    with FakeSlack() as fake:
        app = App(
            signing_secret=SECRET,
            client=WebClient(token=fake.bot_token, base_url=fake.api_url),
        )

        @app.command("/dialog")
        def command(ack: Any, command: dict[str, Any]) -> None:
            ack()
            seen.append(("command", command))
            done.set()

        @app.action("rsvp_yes")
        def action(ack: Any, body: dict[str, Any], action: dict[str, Any]) -> None:
            ack()
            seen.append(("action", (body["user"]["id"], action["value"])))
            done.set()

        @app.view("propose")
        def view(ack: Any, view: dict[str, Any]) -> None:
            ack()
            seen.append(("view", view["state"]["values"]))
            done.set()

        @app.event("app_home_opened")
        def home(event: dict[str, Any]) -> None:
            seen.append(("event", event["user"]))
            done.set()

        server = _BoltServer(app)
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
        thread.start()
        host, port = server.server_address[:2]
        try:
            yield SlackRequester(f"http://{host}:{port}", SECRET), seen, done
        finally:
            server.shutdown()
            server.server_close()
            thread.join()
        assert fake.violations == []


def test_bolt_accepts_and_parses_every_payload(
    bolt: tuple[SlackRequester, list[tuple[str, Any]], threading.Event],
) -> None:
    requester, seen, done = bolt
    values = {"title": {"value": {"type": "plain_text_input", "value": "Bike lanes"}}}
    sends = [
        (lambda: requester.slash_command("help", user_id="U0ANN"), "command"),
        (lambda: requester.block_action("rsvp_yes", "7", user_id="U0ANN"), "action"),
        (lambda: requester.view_submission("propose", values, user_id="U0ANN"), "view"),
        (
            lambda: requester.event({"type": "app_home_opened", "user": "U0ANN", "tab": "home"}),
            "event",
        ),
    ]
    for send, kind in sends:
        done.clear()
        response = send()
        assert response.status == 200, (kind, response.status, response.text)
        assert done.wait(10), f"no {kind} listener ran"
        assert seen[-1][0] == kind
    assert seen[0][1]["text"] == "help"
    assert seen[1][1] == ("U0ANN", "7")
    assert seen[2][1] == values
    assert seen[3][1] == "U0ANN"


def test_bolt_refuses_forged_stale_and_unsigned_requests(
    bolt: tuple[SlackRequester, list[tuple[str, Any]], threading.Event],
) -> None:
    requester, seen, _ = bolt
    body = b"command=%2Fdialog&text=help&user_id=U0ANN&team_id=T0DIALOG"
    forged = requester.signed_headers(body, content_type=FORM, secret="not-the-secret")
    stale = requester.signed_headers(body, content_type=FORM, timestamp=int(time.time()) - 301)
    for headers in (forged, stale, {"Content-Type": FORM}):
        assert requester.post_raw(body, headers).status == 401
    assert seen == []


def test_block_action_on_a_message_from_the_fake(
    requester: SlackRequester, recorder: _RecordingServer
) -> None:
    message = {
        "ts": "1700000005.000001",
        "channel": "DU0ANN",
        "user": "UBOT0001",
        "text": "Invitation",
        "blocks": [{"type": "divider"}],
        "edited": 2,
    }
    requester.block_action("rsvp_yes", "1", user_id="U0ANN", message=message)
    payload = interaction(recorder)
    assert payload["container"]["message_ts"] == "1700000005.000001"
    assert payload["container"]["channel_id"] == "DU0ANN"
    assert payload["channel"] == {"id": "DU0ANN", "name": "directmessage"}
    shown = payload["message"]
    assert "channel" not in shown
    assert shown["edited"] == {"user": "UBOT0001", "ts": "1700000005.000001"}
    assert shown["blocks"] == [{"type": "divider"}] and shown["type"] == "message"
