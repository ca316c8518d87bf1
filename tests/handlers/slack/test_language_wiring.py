"""The right language in a real Slack: everyone's Slack locale is English (Slack has no Norwegian),
so in a Norwegian workspace a user with `en-US` is answered in Norwegian, dates too, until they
choose English (`/dialog language en`, or the Home tab), which later deliveries follow."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fakes.slack import FakeSlack
from handlers.slack import ids
from services.clock import ManualClock
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import MEMBERS, NORWEGIAN, RunningBot, bot_settings, running_bot

ALICE = MEMBERS[0]
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # a Monday, 10:00 in Oslo


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_LANGUAGE="nb")
    with running_bot(settings, clock=clock) as running:
        yield running


def _say(bot: RunningBot, fake: FakeSlack, user: str, text: str) -> dict:
    key = f"{user}:{len(fake.responses)}:{text}"
    assert bot.slack.slash_command(text, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


def _invitation(fake: FakeSlack, user: str) -> str:
    """The invitation in `user`'s DM with the bot ("" until it arrives)."""
    return next((_dump(m) for m in fake.dms(user) if "rsvp_yes" in _dump(m)), "")


def test_an_english_slack_locale_in_a_norwegian_workspace_is_answered_in_norwegian_until_they_choose(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock) -> None:
    assert next(u for u in fake_slack.users() if u["id"] == NORWEGIAN)["locale"] == "en-US"
    assert "Begge parter spiller inn tema" in _say(bot, fake_slack, NORWEGIAN, "help")["text"]
    refused = _say(bot, fake_slack, NORWEGIAN, "language xx")
    assert refused["response_type"] == "ephemeral"
    assert "nb (norsk), en (English)" in refused["text"] and "«xx»" in refused["text"]
    status = _say(bot, fake_slack, NORWEGIAN, "språk")["text"]
    assert "norsk" in status and "standardspråket" in status
    # Slack is never asked: its locale would only say English.
    assert fake_slack.calls_to("users.info") == []

    _say(bot, fake_slack, COORDINATOR, f'roster add "Bydelsmødrene" core <@{NORWEGIAN}> <@{ALICE}>')
    _say(bot, fake_slack, COORDINATOR, "schedule 2026-03-26 12:00 Vårmøtet")  # invitations on 12 March
    chosen = _say(bot, fake_slack, NORWEGIAN, "language en")
    assert chosen["text"].startswith("I write to you in English, as you chose.")
    assert "Your topic is number 1" in _say(bot, fake_slack, NORWEGIAN, "propose Housing for refugees")["text"]

    clock.set(datetime(2026, 3, 12, 11, 0, tzinfo=UTC))
    assert fake_slack.wait_for(lambda: _invitation(fake_slack, NORWEGIAN) and _invitation(fake_slack, ALICE),
                               timeout=15)
    # Planned before the choice, written after it: in English, with Slack's date token.
    english = _invitation(fake_slack, NORWEGIAN)
    assert "You are invited to a dialogue meeting" in english and "<!date^" in english
    # Alice made no choice: Norwegian, with the date in Norwegian, not Slack's English token.
    norwegian = _invitation(fake_slack, ALICE)
    assert "Du er invitert til dialogmøte" in norwegian
    assert "torsdag 26. mars 2026 kl. 12:00" in norwegian and "<!date^" not in norwegian
    # The channel is in the workspace's language.
    assert fake_slack.wait_for(lambda: any("Vårmøtet" in m["text"] for m in fake_slack.messages(CHANNEL)))
    channel = "".join(_dump(m) for m in fake_slack.messages(CHANNEL) if "Vårmøtet" in m["text"])
    assert "torsdag 26. mars 2026 kl. 12:00" in channel and "<!date^" not in channel


def test_the_home_tab_picks_a_language_and_shows_itself_in_it(bot: RunningBot, fake_slack: FakeSlack) -> None:
    opened = {"type": "app_home_opened", "user": ALICE, "channel": "D0HOME", "tab": "home"}
    assert bot.slack.event(opened).status == 200
    assert fake_slack.wait_for(lambda: fake_slack.home_view(ALICE) is not None, timeout=10)
    home = fake_slack.home_view(ALICE)
    [picker] = [b for b in home["blocks"] if b.get("block_id") == ids.LANGUAGE_PICK]
    assert picker["accessory"]["initial_option"]["value"] == "nb"
    assert "Dialogmøter" in json.dumps(home, ensure_ascii=False)

    pick = {"type": "static_select", "selected_option": {"value": "en", "text": {"type": "plain_text",
                                                                                 "text": "English"}}}
    reply = bot.slack.block_action(ids.LANGUAGE_PICK, "", user_id=ALICE, container_type="view",
                                   view=home, block_id=ids.LANGUAGE_PICK, action=pick)
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: "Dialogue meetings" in json.dumps(fake_slack.home_view(ALICE)), timeout=10)
    assert "Your topic is number 1" in _say(bot, fake_slack, ALICE, "propose Quiet parks")["text"]
    # Another person's language is untouched.
    assert "Begge parter" in _say(bot, fake_slack, MEMBERS[1], "help")["text"]


def test_the_language_never_waits_on_slack(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    # Slack being slow or down for look-ups changes nothing: the language is the database's.
    fake_slack.set_delay("users.info", 5.0)
    started = datetime.now(UTC)
    assert "Begge parter" in _say(bot, fake_slack, ALICE, "hjelp")["text"]
    assert datetime.now(UTC) - started < timedelta(seconds=5)
