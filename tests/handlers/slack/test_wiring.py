"""End to end through the real HTTP endpoint: signed requests in, the fake Slack Web API out."""

from __future__ import annotations

import json
import time

from fakes.slack import FakeSlack
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import MEMBERS, NORWEGIAN, RunningBot

ALICE, BOB, CAROL = MEMBERS


def _texts(node) -> str:
    return json.dumps(node, ensure_ascii=False)


def _announcements(fake: FakeSlack) -> list[dict]:
    return [m for m in fake.messages(CHANNEL) if "New topic proposed" in m["text"]]


def test_health_check_reports_database_and_scheduler(bot: RunningBot) -> None:
    status, body = bot.get("/healthz")
    assert status == 200
    assert body == {"status": "ok", "database": "ok", "scheduler": "running", "mode": "http",
                    "slack": "on"}


def test_propose_confirms_privately_and_announces_in_the_channel(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    reply = bot.slack.slash_command("propose Housing for refugees | Families wait too long",
                                    user_id=ALICE, response_url=fake_slack.response_url("alice"))
    assert reply.status == 200 and reply.body == b""
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    [response] = fake_slack.responses
    assert response["key"] == "alice"
    assert response["body"]["response_type"] == "ephemeral"
    assert "Your topic is number 1" in response["body"]["text"]

    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1)
    [post] = _announcements(fake_slack)
    dump = _texts(post["blocks"])
    assert "Housing for refugees" in dump and "Families wait too long" in dump
    assert "0 supporters" in dump and f"<@{ALICE}>" in dump
    assert post["metadata"]["event_type"] == "dialogbot_delivery"
    [call] = fake_slack.calls_to("chat.postMessage")
    assert call.params["channel"] == CHANNEL


def test_support_button_confirms_and_updates_the_count_in_place(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    bot.slack.slash_command("propose Youth unemployment", user_id=ALICE,
                            response_url=fake_slack.response_url("propose"))
    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1)
    post = _announcements(fake_slack)[0]

    for clicker in (BOB, BOB, CAROL):
        reply = bot.slack.block_action("topic_support", "1", user_id=clicker, message=post,
                                       response_url=fake_slack.response_url(clicker))
        assert reply.status == 200
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 4)
    clicks = [r for r in fake_slack.responses if r["key"] != "propose"]
    said = {(r["key"], r["body"]["text"].split(":")[0]) for r in clicks}
    assert said == {(BOB, "You now support topic 1"), (BOB, "You already support topic 1"),
                    (CAROL, "You now support topic 1")}
    assert fake_slack.wait_for(lambda: "2 supporters" in _texts(_announcements(fake_slack)[0]["blocks"]))
    assert len(fake_slack.messages(CHANNEL)) == 1, "updated in place, not posted again"
    assert all(r["body"].get("replace_original") is False for r in fake_slack.responses)


def test_topics_lists_open_topics_with_support_buttons(bot: RunningBot, fake_slack: FakeSlack) -> None:
    for n, title in enumerate(("Alpha topic", "Beta topic"), start=1):
        bot.slack.slash_command(f"propose {title}", user_id=ALICE, response_url=fake_slack.response_url("p"))
        # Listeners run concurrently after the ack: wait, so the numbers follow this order.
        assert fake_slack.wait_for(lambda n=n: len(fake_slack.responses) == n)
    bot.slack.slash_command("support 2", user_id=BOB, response_url=fake_slack.response_url("support"))
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 3)
    bot.slack.slash_command("topics", user_id=CAROL, response_url=fake_slack.response_url("list"))
    assert fake_slack.wait_for(lambda: any(r["key"] == "list" for r in fake_slack.responses))
    [listing] = [r["body"] for r in fake_slack.responses if r["key"] == "list"]
    dump = _texts(listing["blocks"])
    assert listing["text"] == "2 open topics"
    assert dump.index("Beta topic") < dump.index("Alpha topic")
    assert dump.count('"action_id": "topic_support"') == 2


def test_the_modal_validates_on_the_field_then_proposes(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("propose", user_id=ALICE, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    assert view["callback_id"] == "topic_propose"

    def submit(title: str) -> object:
        values = {"title": {"value": {"type": "plain_text_input", "value": title}},
                  "details": {"value": {"type": "plain_text_input", "value": "Why it matters"}}}
        return bot.slack.view_submission("topic_propose", values, user_id=ALICE, opened=view)

    refused = submit("ab")
    assert refused.status == 200
    assert refused.json()["response_action"] == "errors"
    assert "at least 3 characters" in refused.json()["errors"]["title"]

    accepted = submit("Language courses for adults")
    assert accepted.status == 200 and accepted.body == b""
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    assert fake_slack.responses[0]["key"] == "cmd"
    assert "Your topic is number 1" in fake_slack.responses[0]["body"]["text"]
    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1)

    duplicate = submit("language courses for ADULTS")
    assert "already proposed" in duplicate.json()["errors"]["title"]


def test_a_reader_who_chose_norwegian_is_answered_in_norwegian_without_asking_slack(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    # An English workspace; the person's Slack locale is English, as every Norwegian's is.
    bot.slack.slash_command("språk norsk", user_id=NORWEGIAN, response_url=fake_slack.response_url("0"))
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    bot.slack.slash_command("hjelp", user_id=NORWEGIAN, response_url=fake_slack.response_url("1"))
    bot.slack.slash_command("foreslå Bolig for flyktninger", user_id=NORWEGIAN,
                            response_url=fake_slack.response_url("2"))
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 3)
    texts = {r["key"]: r["body"]["text"] for r in fake_slack.responses}
    assert "Begge parter spiller inn tema" in texts["1"]
    assert texts["2"].startswith("Takk! Temaet ditt har nummer 1")
    assert fake_slack.calls_to("users.info") == []


def test_user_text_never_notifies_anyone(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("propose <!channel> urgent & <@U0BOSS> | <!here>", user_id=ALICE,
                            response_url=fake_slack.response_url())
    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1 and fake_slack.responses)
    for payload in (_announcements(fake_slack)[0], fake_slack.responses[0]["body"]):
        dump = payload["text"] + _texts(payload["blocks"])
        assert "<!channel>" not in dump and "<!here>" not in dump and "<@U0BOSS>" not in dump
        assert "&lt;!channel&gt;" in dump


def test_bad_input_gets_a_private_actionable_message(bot: RunningBot, fake_slack: FakeSlack) -> None:
    cases = {
        "frobnicate": "I don't know the command `frobnicate`",
        "support": "That needs a number",
        "support 42": "There is no topic 42",
        "propose ab": "at least 3 characters",
    }
    for n, command in enumerate(cases):
        bot.slack.slash_command(command, user_id=ALICE, response_url=fake_slack.response_url(str(n)))
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == len(cases))
    by_key = {r["key"]: r["body"] for r in fake_slack.responses}
    for n, expected in enumerate(cases.values()):
        assert expected in by_key[str(n)]["text"]
        assert by_key[str(n)]["response_type"] == "ephemeral"
    assert fake_slack.messages(CHANNEL) == []


def test_forged_stale_and_unsigned_requests_are_rejected(bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = b"command=%2Fdialog&text=propose+Forged+topic&user_id=UMEMBER01&team_id=T0DIALOG"
    form = "application/x-www-form-urlencoded"
    forged = bot.slack.signed_headers(body, content_type=form, secret="not-the-secret")
    stale = bot.slack.signed_headers(body, content_type=form, timestamp=int(time.time()) - 6 * 60)
    for headers in (forged, stale, {"Content-Type": form}):
        assert bot.slack.post_raw(body, headers).status == 401
    reply = bot.slack.slash_command("topics", user_id=ALICE, response_url=fake_slack.response_url())
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    assert "No open topics yet" in fake_slack.responses[0]["body"]["text"]


def test_ack_does_not_wait_for_slow_work(bot: RunningBot, fake_slack: FakeSlack) -> None:
    # The reader's locale lookup is slow; the HTTP answer must not wait for it.
    fake_slack.set_delay("users.info", 2.0)
    reply = bot.slack.slash_command("help", user_id=COORDINATOR, response_url=fake_slack.response_url())
    assert reply.status == 200
    assert fake_slack.responses == [], "acknowledged before the work was done"
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, timeout=10)


def test_a_rate_limited_post_is_retried_after_retry_after_and_sent_once(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    fake_slack.fail_next("chat.postMessage", status=429, retry_after=1, count=2)
    bot.slack.slash_command("propose Safer bike lanes", user_id=ALICE, response_url=fake_slack.response_url())
    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1, timeout=15)
    attempts = fake_slack.calls_to("chat.postMessage")
    assert len(attempts) == 3
    # Each retry waited for Slack's Retry-After.
    assert attempts[1].at - attempts[0].at >= 0.9 and attempts[2].at - attempts[1].at >= 0.9
    assert len(fake_slack.messages(CHANNEL)) == 1


def test_escaped_text_from_slack_is_escaped_exactly_once_on_the_way_out(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    # Slack sends `&`, `<` and `>` typed in a command as entities.
    bot.slack.slash_command("propose Jobs &amp; housing &lt;2027&gt;", user_id=ALICE,
                            response_url=fake_slack.response_url())
    assert fake_slack.wait_for(lambda: len(_announcements(fake_slack)) == 1)
    dump = _texts(_announcements(fake_slack)[0]["blocks"])
    assert "Jobs &amp; housing &lt;2027&gt;" in dump and "&amp;amp;" not in dump
    assert bot.runtime.services.topics.get(_member(ALICE), 1).title == "Jobs & housing <2027>"


def _member(user_id: str):
    from services.people import Actor

    return Actor.of("slack", "T0DIALOG", user_id)
