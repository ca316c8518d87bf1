"""The fake Slack Web API, exercised through a real slack_sdk WebClient over loopback."""

from __future__ import annotations

import json
import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from fakes.slack import (
    EXTRA_OPERATIONS,
    VENDORED_SPEC,
    FakeSlack,
    SpecNotFoundError,
    find_spec,
)
from fakes.slack.openapi import _load_operations
from fakes.slack.spec.trim import trim

CHANNEL = "C0DIALOG"
ANN = "U0ANN"
BO = "U0BO"

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}
TS = re.compile(r"^\d{10}\.\d{6}$")


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    slack = FakeSlack()
    slack.add_user(ANN, name="ann", real_name="Ann Olsen", locale="nb-NO")
    slack.add_user(BO, name="bo", tz="America/New_York")
    slack.add_channel(CHANNEL, "dialog")
    slack.start()
    try:
        yield slack
    finally:
        slack.stop()


@pytest.fixture
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10)


def error_of(excinfo: pytest.ExceptionInfo[SlackApiError]) -> str:
    return excinfo.value.response["error"]


# -- auth -----------------------------------------------------------------------------


def test_auth_test_describes_the_bot(fake: FakeSlack, client: WebClient) -> None:
    data = client.auth_test().data
    assert data["ok"] is True
    assert data["user_id"] == "UBOT0001"
    assert data["team_id"] == "T0DIALOG"
    assert data["team"] == "Dialog City"
    assert data["bot_id"].startswith("B")
    assert data["url"].startswith("https://")
    assert fake.calls_to("auth.test")[0].token == fake.bot_token


def test_wrong_or_missing_token_is_refused(fake: FakeSlack) -> None:
    with pytest.raises(SlackApiError) as wrong:
        WebClient(token="xoxb-wrong", base_url=fake.api_url).auth_test()
    assert error_of(wrong) == "invalid_auth"
    with pytest.raises(SlackApiError) as missing:
        WebClient(base_url=fake.api_url).auth_test()
    assert error_of(missing) == "not_authed"
    assert len(fake.violations) == 2


# -- chat.postMessage / update / delete -----------------------------------------------


def test_post_message_to_a_channel(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel=CHANNEL, text="Hello", blocks=[SECTION])
    assert response["channel"] == CHANNEL
    assert TS.match(response["ts"])
    assert response["message"]["user"] == fake.bot_user_id
    assert response["message"]["text"] == "Hello"
    [message] = fake.messages(CHANNEL)
    assert message["ts"] == response["ts"]
    assert message["text"] == "Hello"
    assert message["blocks"] == [SECTION]
    assert message["edited"] == 0
    assert fake.violations == []


def test_timestamps_are_unique_and_increasing(fake: FakeSlack, client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel=CHANNEL, text=str(i))["ts"] for i in range(5)]
    assert stamps == sorted(stamps, key=float)
    assert len(set(stamps)) == 5


def test_post_message_to_a_user_id_lands_in_their_dm(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postMessage(channel=ANN, text="Just for you")
    assert response["channel"] == "D" + ANN == fake.dm_channel_id(ANN)
    assert [m["text"] for m in fake.dms(ANN)] == ["Just for you"]
    assert fake.dms(BO) == []
    assert fake.messages(CHANNEL) == []


def test_post_message_to_unknown_channel_or_user(client: WebClient) -> None:
    for target in ("C0NOWHERE", "U0NOBODY"):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel=target, text="hello?")
        assert error_of(excinfo) == "channel_not_found"


def test_post_message_needs_content(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo, pytest.warns(UserWarning):
        client.chat_postMessage(channel=CHANNEL, text="")
    assert error_of(excinfo) == "no_text"


def test_thread_reply_and_metadata_are_kept(fake: FakeSlack, client: WebClient) -> None:
    parent = client.chat_postMessage(channel=CHANNEL, text="parent")
    client.chat_postMessage(
        channel=CHANNEL,
        text="reply",
        thread_ts=parent["ts"],
        metadata={"event_type": "delivery", "event_payload": {"id": 7}},
    )
    reply = fake.messages(CHANNEL)[1]
    assert reply["thread_ts"] == parent["ts"]
    assert reply["metadata"] == {"event_type": "delivery", "event_payload": {"id": 7}}


def test_malformed_metadata_is_refused(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=CHANNEL, text="x", metadata={"event_payload": {}})
    assert error_of(excinfo) == "invalid_metadata_format"
    assert fake.messages(CHANNEL) == []
    assert any("metadata" in v for v in fake.violations)


def test_update_applies_in_place(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=ANN, text="Attending: 0", blocks=[SECTION])
    updated = client.chat_update(channel=posted["channel"], ts=posted["ts"], text="Attending: 1")
    assert updated["ts"] == posted["ts"]
    assert updated["text"] == "Attending: 1"
    [message] = fake.dms(ANN)
    assert message["text"] == "Attending: 1"
    assert message["blocks"] == [SECTION]  # left out, so kept, as on Slack
    assert message["edited"] == 1


def test_update_needs_an_existing_message_and_a_conversation_id(client: WebClient) -> None:
    posted = client.chat_postMessage(channel=ANN, text="hi")
    with pytest.raises(SlackApiError) as missing:
        client.chat_update(channel=posted["channel"], ts="1.000001", text="x")
    assert error_of(missing) == "message_not_found"
    with pytest.raises(SlackApiError) as by_user:
        client.chat_update(channel=ANN, ts=posted["ts"], text="x")
    assert error_of(by_user) == "channel_not_found"


def test_delete_removes_the_message(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=CHANNEL, text="oops")
    client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    assert fake.messages(CHANNEL) == []
    with pytest.raises(SlackApiError) as again:
        client.chat_delete(channel=CHANNEL, ts=posted["ts"])
    assert error_of(again) == "message_not_found"


def test_ephemeral_is_recorded(fake: FakeSlack, client: WebClient) -> None:
    response = client.chat_postEphemeral(channel=CHANNEL, user=ANN, text="Only you")
    assert TS.match(response["message_ts"])
    [ephemeral] = fake.ephemerals
    assert ephemeral["channel"] == CHANNEL
    assert ephemeral["user"] == ANN
    assert ephemeral["text"] == "Only you"
    assert fake.messages(CHANNEL) == []
    with pytest.raises(SlackApiError) as stranger:
        client.chat_postEphemeral(channel=CHANNEL, user="U0NOBODY", text="x")
    assert error_of(stranger) == "user_not_in_channel"


# -- conversations.* ------------------------------------------------------------------


def test_history_is_newest_first_and_hides_metadata_unless_asked(fake: FakeSlack, client: WebClient) -> None:
    meta = {"event_type": "delivery", "event_payload": {"delivery_id": 42}}
    first = client.chat_postMessage(channel=CHANNEL, text="first", metadata=meta)
    second = client.chat_postMessage(channel=CHANNEL, text="second")

    plain = client.conversations_history(channel=CHANNEL)
    assert [m["ts"] for m in plain["messages"]] == [second["ts"], first["ts"]]
    assert all("metadata" not in m for m in plain["messages"])
    assert plain["has_more"] is False

    full = client.conversations_history(channel=CHANNEL, include_all_metadata=True)
    assert full["messages"][1]["metadata"] == meta
    assert "metadata" not in full["messages"][0]
    assert fake.violations == []


def test_history_bounds_limit_and_cursor(client: WebClient) -> None:
    stamps = [client.chat_postMessage(channel=CHANNEL, text=str(i))["ts"] for i in range(5)]

    after = client.conversations_history(channel=CHANNEL, oldest=stamps[2])
    assert [m["ts"] for m in after["messages"]] == [stamps[4], stamps[3]]
    inclusive = client.conversations_history(channel=CHANNEL, oldest=stamps[2], inclusive=True)
    assert [m["ts"] for m in inclusive["messages"]] == [stamps[4], stamps[3], stamps[2]]
    before = client.conversations_history(channel=CHANNEL, latest=stamps[1])
    assert [m["ts"] for m in before["messages"]] == [stamps[0]]

    page = client.conversations_history(channel=CHANNEL, limit=2)
    assert [m["ts"] for m in page["messages"]] == [stamps[4], stamps[3]]
    assert page["has_more"] is True
    cursor = page["response_metadata"]["next_cursor"]
    rest = client.conversations_history(channel=CHANNEL, limit=10, cursor=cursor)
    assert [m["ts"] for m in rest["messages"]] == [stamps[2], stamps[1], stamps[0]]


def test_history_lists_threads_once_and_replies_lists_them(client: WebClient) -> None:
    parent = client.chat_postMessage(channel=CHANNEL, text="parent")
    reply = client.chat_postMessage(channel=CHANNEL, text="reply", thread_ts=parent["ts"])
    history = client.conversations_history(channel=CHANNEL)["messages"]
    assert [m["ts"] for m in history] == [parent["ts"]]
    assert history[0]["reply_count"] == 1
    replies = client.conversations_replies(channel=CHANNEL, ts=parent["ts"])["messages"]
    assert [m["ts"] for m in replies] == [parent["ts"], reply["ts"]]


def test_conversations_open_and_info(client: WebClient) -> None:
    opened = client.conversations_open(users=ANN)
    assert opened["channel"]["id"] == "D" + ANN
    info = client.conversations_info(channel=CHANNEL)["channel"]
    assert info["name"] == "dialog"
    assert info["is_member"] is True
    dm = client.conversations_info(channel="D" + ANN)["channel"]
    assert dm["is_im"] is True and dm["user"] == ANN
    with pytest.raises(SlackApiError) as unknown:
        client.conversations_open(users="U0NOBODY")
    assert error_of(unknown) == "user_not_found"


# -- users.info -----------------------------------------------------------------------


def test_users_info_includes_locale_only_when_asked(client: WebClient) -> None:
    plain = client.users_info(user=ANN)["user"]
    assert plain["id"] == ANN
    assert plain["real_name"] == "Ann Olsen"
    assert plain["tz"] == "Europe/Oslo"
    assert "locale" not in plain
    with_locale = client.users_info(user=ANN, include_locale=True)["user"]
    assert with_locale["locale"] == "nb-NO"
    bo = client.users_info(user=BO)["user"]
    assert bo["tz"] == "America/New_York"
    assert bo["tz_offset"] in (-5 * 3600, -4 * 3600)


def test_users_info_unknown_user(client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user="U0NOBODY")
    assert error_of(excinfo) == "user_not_found"


# -- failures and delays --------------------------------------------------------------


def test_fail_next_ratelimits_with_retry_after(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("chat.postMessage", retry_after=7, count=2)
    for _ in range(2):
        with pytest.raises(SlackApiError) as excinfo:
            client.chat_postMessage(channel=CHANNEL, text="hi")
        assert excinfo.value.response.status_code == 429
        assert excinfo.value.response.headers["Retry-After"] == "7"
        assert error_of(excinfo) == "ratelimited"
    assert fake.messages(CHANNEL) == []
    client.chat_postMessage(channel=CHANNEL, text="hi")
    assert len(fake.messages(CHANNEL)) == 1
    assert len(fake.calls_to("chat.postMessage")) == 3


def test_fail_next_with_an_ok_false_error(fake: FakeSlack, client: WebClient) -> None:
    fake.fail_next("users.info", error="fatal_error", status=200)
    with pytest.raises(SlackApiError) as excinfo:
        client.users_info(user=ANN)
    assert excinfo.value.response.status_code == 200
    assert error_of(excinfo) == "fatal_error"
    assert client.users_info(user=ANN)["user"]["id"] == ANN


def test_delay_applies_the_effect_before_answering(fake: FakeSlack, client: WebClient) -> None:
    fake.set_delay("chat.postMessage", 2.0)
    worker = threading.Thread(
        target=lambda: client.chat_postMessage(channel=CHANNEL, text="slow"), daemon=True
    )
    worker.start()
    assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1)
    assert worker.is_alive()  # posted, but the client is still waiting for the answer
    worker.join(timeout=10)
    assert not worker.is_alive()


def test_wait_for_wakes_on_calls_and_times_out(fake: FakeSlack, client: WebClient) -> None:
    assert fake.wait_for(lambda: bool(fake.calls_to("auth.test")), timeout=0.05) is False
    threading.Timer(0.1, client.auth_test).start()
    assert fake.wait_for(lambda: bool(fake.calls_to("auth.test")), timeout=10) is True


# -- spec validation ------------------------------------------------------------------


def test_undocumented_parameter_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=CHANNEL, text="hi", colour="red")
    assert error_of(excinfo) == "invalid_arguments"
    assert fake.violations == ["chat.postMessage: undocumented parameter(s): colour"]
    assert fake.messages(CHANNEL) == []


def test_missing_required_parameter_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.update", json={"channel": CHANNEL, "text": "x"})
    assert error_of(excinfo) == "invalid_arguments"
    assert fake.violations == ["chat.update: missing required parameter(s): ts"]


def test_unknown_method_is_a_violation(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("chat.shout", json={"text": "hi"})
    assert error_of(excinfo) == "unknown_method"
    assert len(fake.violations) == 1 and "chat.shout" in fake.violations[0]


def test_get_is_only_accepted_where_the_spec_says_get(fake: FakeSlack) -> None:
    def get(method_and_query: str) -> dict:
        request = urllib.request.Request(
            fake.api_url + method_and_query,
            headers={"Authorization": f"Bearer {fake.bot_token}"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read())

    assert get(f"conversations.history?channel={CHANNEL}&limit=1")["ok"] is True
    assert fake.violations == []
    assert get(f"chat.postMessage?channel={CHANNEL}&text=hi")["error"] == "invalid_arguments"
    assert fake.violations == ["chat.postMessage: sent with GET, but the spec documents POST only"]
    assert [c.http_verb for c in fake.calls] == ["GET", "GET"]


def test_form_encoded_json_fields_are_decoded(fake: FakeSlack, client: WebClient) -> None:
    client.api_call(
        "chat.postMessage",
        params={"channel": CHANNEL, "text": "hi", "blocks": json.dumps([SECTION])},
    )
    call = fake.calls_to("chat.postMessage")[0]
    assert call.params["blocks"] == [SECTION]
    assert "token" not in call.params and call.token == fake.bot_token
    assert fake.messages(CHANNEL)[0]["blocks"] == [SECTION]


# -- Block Kit validation -------------------------------------------------------------


def button(action_id: str) -> dict:
    return {
        "type": "button",
        "action_id": action_id,
        "text": {"type": "plain_text", "text": "Yes"},
        "value": "1",
    }


@pytest.mark.parametrize(
    ("blocks", "expected"),
    [
        ([{"type": "section"}], "text or fields"),
        ([{"type": "carousel_of_doom"}], "unknown block type"),
        ([{"type": "section", "text": {"type": "mrkdwn", "text": "x"}, "colour": 1}], "colour"),
        ([SECTION] * 51, "limit is 50"),
        (
            [
                {"type": "actions", "elements": [button("rsvp_yes"), button("rsvp_yes")]},
            ],
            "duplicate action_id",
        ),
        ([{**SECTION, "block_id": "a"}, {**SECTION, "block_id": "a"}], "duplicate block_id"),
        (
            [{"type": "actions", "elements": [{**button("x"), "text": {"type": "plain_text"}}]}],
            "text",
        ),
    ],
)
def test_invalid_blocks_are_refused(fake: FakeSlack, client: WebClient, blocks: list, expected: str) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=CHANNEL, text="fallback", blocks=blocks)
    assert error_of(excinfo) == "invalid_blocks"
    assert fake.violations, "no violation recorded"
    assert any(expected in v for v in fake.violations), fake.violations
    assert all(v.startswith("chat.postMessage: ") for v in fake.violations)
    assert fake.messages(CHANNEL) == []


def test_valid_rich_message_has_no_violations(fake: FakeSlack, client: WebClient) -> None:
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Dialogue meeting"}},
        {**SECTION, "block_id": "when", "accessory": button("details")},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": "<!date^1700000000^{date}|x>"}]},
        {
            "type": "actions",
            "block_id": "rsvp",
            "elements": [button("rsvp_yes"), button("rsvp_no"), button("rsvp_maybe")],
        },
        {"type": "divider"},
    ]
    client.chat_postMessage(channel=CHANNEL, text="Invitation", blocks=blocks)
    assert fake.violations == []


def test_blocks_without_text_fallback_are_flagged(fake: FakeSlack, client: WebClient) -> None:
    with pytest.warns(UserWarning):
        client.chat_postMessage(channel=CHANNEL, blocks=[SECTION])
    assert len(fake.messages(CHANNEL)) == 1  # Slack accepts it, with a warning
    assert fake.violations == ["chat.postMessage: blocks were sent without a top-level text fallback"]


def test_text_over_40000_characters_is_refused(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.chat_postMessage(channel=CHANNEL, text="x" * 40_001)
    assert error_of(excinfo) == "msg_too_long"
    assert fake.messages(CHANNEL) == []


# -- views ----------------------------------------------------------------------------


def modal(title: str = "Propose a topic", **extra: object) -> dict:
    return {
        "type": "modal",
        "callback_id": "propose",
        "title": {"type": "plain_text", "text": title},
        "submit": {"type": "plain_text", "text": "Propose"},
        "blocks": [
            {
                "type": "input",
                "block_id": "title",
                "label": {"type": "plain_text", "text": "Title"},
                "element": {"type": "plain_text_input", "action_id": "value"},
            }
        ],
        **extra,
    }


def test_views_open_and_update(fake: FakeSlack, client: WebClient) -> None:
    opened = client.views_open(trigger_id="1.2.abc", view=modal())["view"]
    assert opened["id"].startswith("V")
    assert opened["callback_id"] == "propose"
    assert opened["state"] == {"values": {}}
    assert [v["id"] for v in fake.opened_views()] == [opened["id"]]

    updated = client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal("Thanks"))["view"]
    assert updated["id"] == opened["id"]
    assert updated["hash"] != opened["hash"]
    assert fake.views[opened["id"]]["title"]["text"] == "Thanks"
    with pytest.raises(SlackApiError) as stale:
        client.views_update(view_id=opened["id"], hash=opened["hash"], view=modal())
    assert error_of(stale) == "hash_conflict"
    assert fake.violations == []


def test_views_open_checks_trigger_and_view(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as long_title:
        client.views_open(trigger_id="1.2.a", view=modal("A title that is far too long"))
    assert error_of(long_title) == "invalid_arguments"
    assert any("title" in v for v in fake.violations)

    client.views_open(trigger_id="1.2.b", view=modal())
    with pytest.raises(SlackApiError) as reused:
        client.views_open(trigger_id="1.2.b", view=modal())
    assert error_of(reused) == "exchanged_trigger_id"
    with pytest.raises(SlackApiError) as no_submit:
        client.views_open(trigger_id="1.2.c", view={**modal(), "submit": None})
    assert error_of(no_submit) == "invalid_arguments"


def test_views_publish_tracks_the_users_home(fake: FakeSlack, client: WebClient) -> None:
    home = {"type": "home", "blocks": [SECTION]}
    first = client.views_publish(user_id=ANN, view=home)["view"]
    second = client.views_publish(user_id=ANN, view=home)["view"]
    assert first["id"] == second["id"]
    assert fake.home_views == {ANN: first["id"]}
    home_view = fake.home_view(ANN)
    assert home_view is not None and home_view["blocks"] == [SECTION]
    with pytest.raises(SlackApiError) as wrong_type:
        client.views_publish(user_id=ANN, view=modal())
    assert error_of(wrong_type) == "invalid_arguments"


# -- response_url ---------------------------------------------------------------------


def test_response_url_posts_are_recorded(fake: FakeSlack) -> None:
    url = fake.response_url("cmd-1")
    response = WebhookClient(url).send(text="Done", response_type="ephemeral", replace_original=False)
    assert response.status_code == 200
    assert json.loads(response.body) == {"ok": True}
    assert fake.responses == [
        {
            "key": "cmd-1",
            "body": {"text": "Done", "response_type": "ephemeral", "replace_original": False},
        }
    ]
    assert fake.violations == []


def test_response_url_blocks_are_validated(fake: FakeSlack) -> None:
    response = WebhookClient(fake.response_url()).send(text="x", blocks=[{"type": "section"}])
    assert response.status_code == 400
    assert len(fake.responses) == 1
    assert fake.violations and fake.violations[0].startswith("response_url[default]:")


def test_response_url_can_be_used_five_times(fake: FakeSlack) -> None:
    client = WebhookClient(fake.response_url("k"))
    statuses = [client.send(text=str(i)).status_code for i in range(6)]
    assert statuses == [200] * 5 + [404]
    assert len(fake.violations) == 1


# -- lifecycle ------------------------------------------------------------------------


def test_reset_keeps_users_and_channels(fake: FakeSlack, client: WebClient) -> None:
    client.chat_postMessage(channel=CHANNEL, text="x")
    fake.fail_next("auth.test")
    fake.reset()
    assert fake.calls == [] and fake.messages(CHANNEL) == [] and fake.violations == []
    client.auth_test()  # the planned failure is gone too
    client.chat_postMessage(channel=ANN, text="still here")
    assert len(fake.dms(ANN)) == 1


def test_unknown_path_is_a_violation(fake: FakeSlack) -> None:
    with pytest.raises(urllib.error.HTTPError) as excinfo:
        urllib.request.urlopen(fake.base_url + "/nowhere", timeout=10)
    assert excinfo.value.code == 404
    assert fake.violations == ["http: GET /nowhere is not a Slack endpoint"]


def test_stop_releases_the_port() -> None:
    fake = FakeSlack().start()
    url = fake.api_url
    fake.stop()
    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(url + "auth.test", timeout=2)


def test_missing_spec_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(SpecNotFoundError):
        FakeSlack(spec_path=tmp_path / "nope.json")
    monkeypatch.setenv("FAKE_SLACK_SPEC", str(tmp_path / "nope.json"))
    with pytest.raises(SpecNotFoundError, match="FAKE_SLACK_SPEC"):
        find_spec()
    monkeypatch.delenv("FAKE_SLACK_SPEC")


def test_without_the_full_spec_nearby_the_trimmed_copy_in_the_repository_is_used(tmp_path: Path) -> None:
    # A fresh clone of the repository alone (the sandbox must run there) has only the trimmed copy.
    assert find_spec(tmp_path / "deep" / "file.py") == VENDORED_SPEC
    assert sorted(_load_operations(str(VENDORED_SPEC))) == [
        m for m in FakeSlack.implemented_methods() if m not in EXTRA_OPERATIONS]


def test_the_trimmed_spec_says_what_the_full_spec_says_about_every_method_the_fake_implements() -> None:
    full = find_spec()
    if full == VENDORED_SPEC:
        pytest.skip("Slack's full spec is not beside this checkout (shared/slack/web-api-openapi-v2.json)")
    expected = json.loads(json.dumps(trim(json.loads(full.read_text()), set(FakeSlack.implemented_methods()))))
    assert json.loads(VENDORED_SPEC.read_text()) == expected, \
        "run `python -m fakes.slack.spec.trim <full spec>` after changing the fake's methods"


def test_action_ids_must_be_unique_per_block_by_default(fake: FakeSlack, client: WebClient) -> None:
    rows = [{**SECTION, "block_id": f"topic:{n}", "accessory": button("topic_support")} for n in (1, 2)]
    client.chat_postMessage(channel=CHANNEL, text="Topics", blocks=rows)
    assert fake.violations == []

    strict = FakeSlack(action_id_scope="surface").start()
    try:
        strict.add_channel(CHANNEL, "dialog")
        strict_client = WebClient(token=strict.bot_token, base_url=strict.api_url)
        with pytest.raises(SlackApiError) as excinfo:
            strict_client.chat_postMessage(channel=CHANNEL, text="Topics", blocks=rows)
        assert error_of(excinfo) == "invalid_blocks"
        assert any("duplicate action_id 'topic_support'" in v for v in strict.violations)
    finally:
        strict.stop()


def test_a_malformed_call_is_answered_and_recorded(fake: FakeSlack, client: WebClient) -> None:
    with pytest.raises(SlackApiError) as excinfo:
        client.api_call("users.info", json={"user": ["U0ANN"]})
    assert excinfo.value.response.status_code == 500
    assert any(v.startswith("users.info: the fake could not handle") for v in fake.violations)
