"""The fake Bot Connector itself: what it records, how it fails on demand, its limits and directory."""

from __future__ import annotations

import http.client
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlsplit

import pytest

from fakes.teams.connector import DROP, NOT_IN_ROSTER, TEAMS_LIMITS, FakeConnector

CHANNEL = "19:5d1e3f7a9b2c4d6e8f0a1b3c5d7e9f1a@thread.tacv2;messageid=1700000000123"
PERSONAL = "a:1mW4tbQNrlZ9bzH3lDPpMAHXsHrUoZ0oGvjpm4l2URBL1aGdkJ9Uu3hQLG8W6ZnXw5v"


class Clock:
    """A clock the test moves."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeConnector]:
    with FakeConnector(clock=clock) as connector:
        yield connector


def call(fake: FakeConnector, method: str, path: str, body: Any = None,
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, str], Any]:
    """One request over real HTTP: status, headers, JSON body (None when empty)."""
    address = urlsplit(fake.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    try:
        payload = json.dumps(body).encode() if body is not None else None
        connection.request(method, path, body=payload,
                            headers={"Content-Type": "application/json", **(headers or {})})
        response = connection.getresponse()
        raw = response.read()
        return response.status, dict(response.getheaders()), json.loads(raw) if raw else None
    finally:
        connection.close()


def activities(conversation: str, *, encode: bool = False) -> str:
    return f"/v3/conversations/{quote(conversation, safe='') if encode else conversation}/activities"


def test_a_send_is_recorded_with_a_new_id_and_a_reply_names_its_root(fake: FakeConnector) -> None:
    status, _, answer = call(fake, "POST", activities(PERSONAL), {"type": "message", "text": "Hei"})
    assert status == 201
    root = answer["id"]
    status, _, reply = call(fake, "POST", f"{activities(PERSONAL)}/{root}", {"type": "message", "text": "Svar"})
    assert status == 201 and reply["id"] != root
    sent = fake.messages_to(PERSONAL)
    assert [(s.operation, s.text, s.reply_to_id) for s in sent] == [("send", "Hei", None), ("reply", "Svar", root)]
    assert fake.url.endswith("/")


def test_conversation_ids_are_decoded_whether_encoded_or_not(fake: FakeConnector) -> None:
    call(fake, "POST", activities(CHANNEL), {"type": "message", "text": "raw"})
    call(fake, "POST", activities(CHANNEL, encode=True), {"type": "message", "text": "encoded"})
    assert [s.text for s in fake.messages_to(CHANNEL)] == ["raw", "encoded"]


def test_an_update_replaces_a_known_activity_and_refuses_an_unknown_one(fake: FakeConnector) -> None:
    _, _, answer = call(fake, "POST", activities(CHANNEL), {"type": "message", "text": "v1"})
    status, _, body = call(fake, "PUT", f"{activities(CHANNEL)}/{answer['id']}", {"type": "message", "text": "v2"})
    assert (status, body) == (200, {"id": answer["id"]})
    assert (fake.activity(CHANNEL, answer["id"]) or {})["text"] == "v2"
    status, _, body = call(fake, "PUT", f"{activities(CHANNEL)}/404404", {"type": "message", "text": "v2"})
    assert status == 404 and body["error"]["code"] == "ActivityNotFoundInConversation"
    assert [s.operation for s in fake.sent] == ["send", "update"]


def test_a_new_conversation_gets_an_id_and_the_service_url(fake: FakeConnector) -> None:
    status, _, body = call(fake, "POST", "/v3/conversations",
                           {"bot": {"id": "28:app"}, "members": [{"id": "29:1abc"}], "isGroup": False,
                            "channelData": {"tenant": {"id": "t"}}})
    assert status == 201 and body["id"].startswith("a:") and body["serviceUrl"] == fake.url
    status, _, thread = call(fake, "POST", "/v3/conversations",
                             {"isGroup": True, "channelData": {"channel": {"id": "19:c@thread.tacv2"}},
                              "activity": {"type": "message", "text": "Ny tråd"}})
    assert thread["id"] == f"19:c@thread.tacv2;messageid={thread['activityId']}"
    assert fake.messages_to(thread["id"])[0].text == "Ny tråd"


def test_members_are_found_by_either_id_and_strangers_are_not(fake: FakeConnector) -> None:
    fake.add_member("29:1kari", name="Kari Nordmann", aad_object_id="c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a",
                    email="kari@example.org")
    fake.add_member("29:1ola", name="Ola Nordmann", aad_object_id="0b5e", conversation_id=PERSONAL)
    for member in ("29:1kari", "c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a"):
        status, _, body = call(fake, "GET", f"/v3/conversations/{quote(CHANNEL, safe='')}/members/{member}")
        assert status == 200
        assert body["aadObjectId"] == "c33aafd2-646d-4a6a-a9d5-4c6fd3ed4a2a"
        assert body["email"] == "kari@example.org" and body["name"] == "Kari Nordmann"
    assert call(fake, "GET", f"/v3/conversations/{CHANNEL}/members/29:1ola")[0] == 404
    assert call(fake, "GET", f"/v3/conversations/{PERSONAL}/members/29:1ola")[0] == 200


def test_failures_are_answered_as_the_connector_answers_them(fake: FakeConnector) -> None:
    fake.fail(429, retry_after=7)
    status, headers, _ = call(fake, "POST", activities(PERSONAL), {"type": "message"})
    assert status == 429 and headers["Retry-After"] == "7"
    fake.fail(403, code=NOT_IN_ROSTER, conversation_id=PERSONAL, times=2)
    assert call(fake, "POST", activities(CHANNEL), {"type": "message"})[0] == 201  # another conversation
    for _ in range(2):
        status, _, body = call(fake, "POST", activities(PERSONAL), {"type": "message"})
        assert status == 403 and body["error"]["code"] == NOT_IN_ROSTER
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 201  # used up
    fake.fail(500, times=None, operations=["update"])
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 201
    fake.clear_failures()
    assert [c.status for c in fake.calls] == [429, 201, 403, 403, 201, 201]


def test_a_dropped_answer_still_takes_the_activity(fake: FakeConnector) -> None:
    fake.fail(DROP)
    with pytest.raises(http.client.RemoteDisconnected):
        call(fake, "POST", activities(PERSONAL), {"type": "message", "text": "tapt svar"})
    assert [s.text for s in fake.messages_to(PERSONAL)] == ["tapt svar"]
    assert fake.calls[-1].status == DROP


def test_a_configured_token_is_required(fake: FakeConnector) -> None:
    fake.require_token("sesame")
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 401
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"},
                {"Authorization": "Bearer wrong"})[0] == 401
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"},
                {"Authorization": "Bearer sesame"})[0] == 201
    assert fake.sent[0].authorization == "Bearer sesame"


def test_teams_limits_per_conversation(fake: FakeConnector, clock: Clock) -> None:
    fake.limit_rate(TEAMS_LIMITS)
    statuses = [call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] for _ in range(8)]
    assert statuses == [201] * 7 + [429]
    assert call(fake, "POST", activities(CHANNEL), {"type": "message"})[0] == 201  # its own budget
    clock.now += 1.0
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 201  # the 8th in 2 s
    status, headers, body = call(fake, "POST", activities(PERSONAL), {"type": "message"})
    assert status == 429 and body["error"]["code"] == "Throttled" and float(headers["Retry-After"]) >= 1
    clock.now += 1.0
    assert call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 201
    fake.limit_rate(())
    assert all(call(fake, "POST", activities(PERSONAL), {"type": "message"})[0] == 201 for _ in range(10))


def test_wait_for_returns_what_matched_or_times_out(fake: FakeConnector) -> None:
    call(fake, "POST", activities(PERSONAL), {"type": "message", "text": "a"})
    assert fake.wait_for(lambda sent: [s for s in sent if s.text == "a"], timeout=1)[0].text == "a"
    with pytest.raises(TimeoutError):
        fake.wait_for(lambda sent: len(sent) > 1, timeout=0.05)


def test_unknown_routes_and_bad_bodies(fake: FakeConnector) -> None:
    assert call(fake, "GET", "/v3/elsewhere")[0] == 404
    address = urlsplit(fake.url)
    connection = http.client.HTTPConnection(address.hostname or "", address.port, timeout=5)
    connection.request("POST", activities(PERSONAL), body=b"not json")
    assert connection.getresponse().status == 400
    connection.close()
