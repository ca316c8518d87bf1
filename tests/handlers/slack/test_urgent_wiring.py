"""Steering an urgent call through signed HTTP and the fake Slack: the command's link and
background in every invitation, escaped; the report naming who answered, who is silent and who
cannot be reached; its Nudge button, for coordinators only and never twice in a row."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fakes.slack import FakeSlack
from services.clock import ManualClock
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    with running_bot(bot_settings(database_url, fake_slack), clock=clock) as running:
        yield running


class Chat:
    """Sends commands and clicks as a person and collects what they were told privately."""

    def __init__(self, bot: RunningBot, fake: FakeSlack) -> None:
        self.bot, self.fake, self.count = bot, fake, 0

    def say(self, user: str, text: str) -> dict:
        self.count += 1
        key = f"{user}:{self.count}"
        reply = self.bot.slack.slash_command(text, user_id=user, response_url=self.fake.response_url(key))
        assert reply.status == 200
        return self._answer(key)

    def click(self, user: str, action_id: str, value: str, message: dict) -> dict:
        self.count += 1
        key = f"{user}:{self.count}"
        reply = self.bot.slack.block_action(action_id, value, user_id=user, message=message,
                                            response_url=self.fake.response_url(key))
        assert reply.status == 200
        return self._answer(key)

    def _answer(self, key: str) -> dict:
        assert self.fake.wait_for(lambda: any(r["key"] == key for r in self.fake.responses), timeout=10)
        return next(r["body"] for r in self.fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message["text"] + json.dumps(message.get("blocks", []), ensure_ascii=False)


def _invitations(fake: FakeSlack, user: str) -> list[dict]:
    return [m for m in fake.dms(user) if "invited to a dialogue meeting" in _dump(m)]


def _report(fake: FakeSlack) -> dict | None:
    found = [m for m in fake.dms(COORDINATOR) if m["text"].startswith("Urgent call")]
    assert len(found) <= 1, "one report, updated in place"
    return found[0] if found else None


def test_the_urgent_command_takes_a_link_and_a_background_shown_escaped_everywhere(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, 'roster add "Bydelsmødrene" core')
    # As Slack sends it with escaping on: the link in angle brackets, typed `<` `>` `&` as entities.
    reply = chat.say(COORDINATOR, "urgent 14:05 Flooding in Groruddalen | <https://meet.example/abc> | "
                                  "Water in &lt;!channel&gt; basements *now* &amp; rising")
    said = _dump(reply)
    assert "Invitations are going out now to 2 organisations and 2 people" in said
    assert "No contact person, so nobody there gets the invitation: Bydelsmødrene." in said
    assert fake_slack.wait_for(lambda: _invitations(fake_slack, ALICE) and fake_slack.messages(CHANNEL), timeout=10)
    for copy in (_invitations(fake_slack, ALICE)[0], fake_slack.messages(CHANNEL)[0]):
        shown = _dump(copy)
        assert "<https://meet.example/abc|Join the meeting>" in shown
        assert "Water in &lt;!channel&gt; basements ∗now∗ &amp; rising" in shown
        assert "<!channel>" not in shown, "typed text never notifies anyone"


def test_a_bad_link_in_the_command_is_refused_privately_and_nothing_is_called(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    reply = chat.say(COORDINATOR, "urgent Flooding | meet.example/abc | Basements")
    assert "The video link must be a web address starting with https://." in reply["text"]
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert "no meetings" in chat.say(COORDINATOR, "meetings")["text"].lower()
    assert fake_slack.messages(CHANNEL) == [] and _invitations(fake_slack, ALICE) == []


def test_the_urgent_form_takes_link_and_background_and_shows_link_errors_on_the_field(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    bot.slack.slash_command("urgent", user_id=COORDINATOR, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    blocks = {b.get("block_id") for b in view["blocks"]}
    assert {"video_link", "background"} <= blocks
    start = int((T0 + timedelta(hours=6)).timestamp())
    values = {"title": {"value": {"type": "plain_text_input", "value": "Storm damage"}},
              "starts_at": {"value": {"type": "datetimepicker", "selected_date_time": start}},
              "video_link": {"value": {"type": "url_text_input", "value": "ftp://meet.example/abc"}},
              "background": {"value": {"type": "plain_text_input", "value": "Roofs off in *Nordvik*"}}}
    refused = bot.slack.view_submission("meeting_urgent", values, user_id=COORDINATOR, opened=view)
    assert refused.status == 200
    errors = json.loads(refused.body)["errors"]
    assert list(errors) == ["video_link"] and "https://" in errors["video_link"]
    values["video_link"]["value"]["value"] = "https://meet.example/storm"
    accepted = bot.slack.view_submission("meeting_urgent", values, user_id=COORDINATOR, opened=view)
    assert accepted.status == 200 and accepted.body == b""
    assert fake_slack.wait_for(lambda: _invitations(fake_slack, ALICE), timeout=10)
    shown = _dump(_invitations(fake_slack, ALICE)[0])
    assert "https://meet.example/storm" in shown and "Roofs off in ∗Nordvik∗" in shown


def test_the_report_names_who_is_silent_and_the_nudge_button_is_for_coordinators_once(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}>')
    chat.say(COORDINATOR, f'roster add "Red Cross" core <@{BOB}>')
    chat.say(COORDINATOR, 'roster add "Bydelsmødrene" core')
    chat.say(COORDINATOR, "urgent Storm damage")
    assert fake_slack.wait_for(lambda: _invitations(fake_slack, ALICE) and _invitations(fake_slack, BOB), timeout=10)
    chat.say(ALICE, "rsvp 1 yes")
    clock.advance(timedelta(seconds=2))
    answered = "*Answered (1):* Caritas: Attending"

    def report_reads(*parts: str) -> bool:
        report = _report(fake_slack)
        return report is not None and all(part in _dump(report) for part in parts)

    assert fake_slack.wait_for(lambda: report_reads(
        answered, "*Silent, no answer yet (1):* Red Cross",
        "*Cannot be reached (1):* Bydelsmødrene: no contact person",
        "Invited: 3 organisations and 2 people."), timeout=10), _report(fake_slack)
    report = _report(fake_slack)
    [button] = [e for b in report["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"]) == ("urgent_nudge", "1")
    assert "Nudge the silent ones (1 person)" in button["text"]["text"]

    refused = chat.click(ALICE, "urgent_nudge", "1", report)
    assert "Only coordinators" in refused["text"]
    nudged = chat.click(COORDINATOR, "urgent_nudge", "1", report)
    assert "Nudged 1 person in 1 silent organisation about meeting 1 (Storm damage)." in nudged["text"]
    assert fake_slack.wait_for(lambda: any("Nobody from Red Cross has answered" in _dump(m)
                                           for m in fake_slack.dms(BOB)), timeout=10)
    again = chat.click(COORDINATOR, "urgent_nudge", "1", report)
    assert "Nobody was nudged again" in again["text"]
    assert not any("has answered the invitation" in _dump(m) for m in fake_slack.dms(ALICE))
    assert sum("Nobody from Red Cross" in _dump(m) for m in fake_slack.dms(BOB)) == 1
