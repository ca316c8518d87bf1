"""Characters that break or spoof are cleaned where Slack hands the bot text, on SQLite and
PostgreSQL alike (PostgreSQL refuses NUL in text, so it used to answer "Something went wrong")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from fakes.slack import FakeSlack
from services.people import Actor
from tests.conftest import COORDINATOR
from tests.support.harness import MEMBERS, RunningBot

ALICE, BOB, _ = MEMBERS


def _actor(user: str) -> Actor:
    return Actor.of("slack", "T0DIALOG", user)


def _answer(fake: FakeSlack, key: str) -> str:
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"]["text"] for r in fake.responses if r["key"] == key)


def test_a_nul_bearing_proposal_is_stored_cleaned_from_the_command(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("propose Heating\x00 costs \u202efdp.exe | Why\x00 it\u200b matters",
                            user_id=ALICE, response_url=fake_slack.response_url("cmd"))
    assert "Your topic is number 1" in _answer(fake_slack, "cmd")
    topic = bot.runtime.services.topics.get(_actor(ALICE), 1)
    assert (topic.title, topic.details) == ("Heating costs fdp.exe", "Why it matters")


def test_a_nul_bearing_proposal_is_stored_cleaned_from_the_form(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("propose", user_id=BOB, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]

    def submit(title: str, details: str) -> object:
        values = {"title": {"value": {"type": "plain_text_input", "value": title}},
                  "details": {"value": {"type": "plain_text_input", "value": details}}}
        return bot.slack.view_submission("topic_propose", values, user_id=BOB, opened=view)

    # Nothing but invisible characters: the usual message on the field, not an error page.
    empty = submit("\x00\u200b\u202e\x00", "")
    assert "at least 3 characters" in empty.json()["errors"]["title"]
    accepted = submit("Night\x00 buses\u2066", "Line one\x00\r\nLine\ttwo")
    assert accepted.status == 200 and accepted.body == b""
    assert "Your topic is number 1" in _answer(fake_slack, "cmd")
    topic = bot.runtime.services.topics.get(_actor(BOB), 1)
    assert (topic.title, topic.details) == ("Night buses", "Line one\nLine\ttwo")


def test_roster_names_and_meeting_titles_are_cleaned_too(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command(f'roster add "Red\u200b Cross\x00" core <@{ALICE}>', user_id=COORDINATOR,
                            response_url=fake_slack.response_url("roster"))
    assert "on the roster" in _answer(fake_slack, "roster")
    day = (datetime.now(UTC) + timedelta(days=20)).date().isoformat()
    bot.slack.slash_command(f"schedule {day} 12:00 Winter\x00 \u202eplan", user_id=COORDINATOR,
                            response_url=fake_slack.response_url("schedule"))
    assert "is scheduled" in _answer(fake_slack, "schedule")
    card = bot.runtime.services.meetings.get(_actor(COORDINATOR), 1)
    assert card.title == "Winter plan" and card.participants == ("Red Cross",)
