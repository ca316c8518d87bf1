"""The fake Slack records every live special mention the bot sends, in any text of any call."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from slack_sdk import WebClient
from slack_sdk.webhook import WebhookClient

from fakes.slack import FakeSlack, special_mention_problems

CHANNEL = "C0DIALOG"
ANN = "U0ANN"


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
def client(fake: FakeSlack) -> WebClient:
    return WebClient(token=fake.bot_token, base_url=fake.api_url, timeout=10)


def _section(text: str, kind: str = "mrkdwn") -> dict:
    return {"type": "section", "text": {"type": kind, "text": text}}


@pytest.mark.parametrize("mention", ["<!everyone>", "<!channel>", "<!here|here>", "<!subteam^S0TEAM|@team>"])
def test_a_special_mention_in_the_notification_text_is_a_violation(
    fake: FakeSlack, client: WebClient, mention: str
) -> None:
    client.chat_postMessage(channel=CHANNEL, text=f"Minutes: Urgent {mention} ping",
                            blocks=[_section("Minutes")])
    assert len(fake.violations) == 1
    assert fake.violations[0].startswith("chat.postMessage: text carries a live special mention")


def test_every_text_field_of_every_kind_of_call_is_scanned(fake: FakeSlack, client: WebClient) -> None:
    posted = client.chat_postMessage(channel=CHANNEL, text="fine", blocks=[_section("fine")])
    client.chat_update(channel=CHANNEL, ts=posted["ts"], text="fine",
                       blocks=[{"type": "context", "elements": [{"type": "mrkdwn", "text": "<!here>"}]}])
    client.chat_postEphemeral(channel=CHANNEL, user=ANN, text="fine",
                              blocks=[{"type": "header", "text": {"type": "plain_text", "text": "<!channel>"}}])
    client.views_publish(user_id=ANN, view={"type": "home", "blocks": [_section("<!everyone>")]})
    WebhookClient(fake.response_url("r")).send(text="<!channel> hi", response_type="ephemeral")
    where = [v.split(":")[0] for v in fake.violations]
    assert where == ["chat.update", "chat.postEphemeral", "views.publish", "response_url[r]"]
    assert "blocks[0].elements[0].text" in fake.violations[0]
    assert "view.blocks[0].text.text" in fake.violations[2]


def test_the_bots_own_date_tokens_mentions_and_escaped_text_are_clean(fake: FakeSlack, client: WebClient) -> None:
    text = ("<!date^1767000000^{date_long_pretty}|Monday> for <@U0ANN> in <#C0DIALOG>: "
            "&lt;!everyone&gt; typed by someone")
    client.chat_postMessage(channel=CHANNEL, text=text, blocks=[_section(text)])
    assert fake.violations == []


def test_values_and_metadata_are_not_shown_so_not_scanned() -> None:
    option = {"text": {"type": "plain_text", "text": "A &lt;!here&gt; org"}, "value": "A <!here> org"}
    payload = {"blocks": [{"type": "actions", "elements": [
        {"type": "static_select", "action_id": "a", "options": [option]}]}],
        "metadata": {"event_type": "x", "event_payload": {"title": "<!here>"}}}
    # A select's value and a message's metadata travel with it but are never shown.
    assert special_mention_problems(payload) == []
    option["text"]["text"] = "A <!here> org"
    assert special_mention_problems(payload) == [
        "blocks[0].elements[0].options[0].text.text carries a live special mention '<!here>'"]
