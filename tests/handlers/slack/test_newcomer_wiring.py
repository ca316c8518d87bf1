"""The stumbles of a first try, through signed requests: links in titles, every form error at once,
which clock a time is read on, where the urgent report goes, a typo'd subcommand."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from fakes.slack import FakeSlack
from handlers.slack.parsing import Propose, parse_command, split_details
from services.clock import ManualClock
from services.errors import InvalidInput
from tests.conftest import CHANNEL, COORDINATOR
from tests.handlers.slack.test_meetings_wiring import Chat
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE = MEMBERS[0]
T0 = datetime(2026, 3, 2, 8, 12, tzinfo=UTC)  # 09:12 in Oslo
LINK_TITLE = "<!channel> *bold* <https://evil.example|click me>"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    with running_bot(bot_settings(database_url, fake_slack), clock=clock) as running:
        yield running


@pytest.mark.parametrize("typed", [
    "propose <!channel> *bold* <https://evil.example|click me>",
    "propose &lt;!channel&gt; *bold* &lt;https://evil.example|click me&gt;",
])
def test_the_details_separator_never_splits_inside_a_link(typed: str) -> None:
    assert parse_command(typed) == Propose(LINK_TITLE, "")
    assert parse_command(typed + " | why") == Propose(LINK_TITLE, "why")
    assert split_details("a <b|c> | d | e") == ("a <b|c> ", " d | e")


def test_a_typo_gets_a_suggestion() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_command("propse Night buses")
    assert refused.value.message.params["suggestion"] == "propose"


def test_a_title_with_a_link_is_kept_whole_and_shown_inert(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    # Slack (should_escape) sends what was typed with &, < and > escaped.
    thanks = chat.say(ALICE, "propose &lt;!channel&gt; *bold* &lt;https://evil.example|click me&gt;")
    assert "Thanks" in thanks["text"]
    topic = bot.runtime.services.topics.open_topics(_actor(ALICE))[0]
    assert topic.title == LINK_TITLE and topic.details == ""
    assert fake_slack.wait_for(lambda: len(fake_slack.messages(CHANNEL)) == 1, timeout=10)
    post = json.dumps(fake_slack.messages(CHANNEL)[0]["blocks"], ensure_ascii=False)
    assert "&lt;https://evil.example|click me&gt;" in post and "<!channel>" not in post


def _actor(user: str):  # noqa: ANN202
    from services.people import Actor

    return Actor.of("slack", "T0DIALOG", user)


def test_an_empty_schedule_form_shows_every_error_at_once(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("schedule", user_id=COORDINATOR, response_url=fake_slack.response_url("form"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    title = next(b for b in view["blocks"] if b.get("block_id") == "title")
    assert "max_length" not in title["element"] and "150" in title["hint"]["text"]
    reply = bot.slack.view_submission("meeting_schedule", {}, user_id=COORDINATOR, opened=view)
    errors = reply.json()["errors"]
    assert "Pick a date and time" in errors["starts_at"]
    assert "title of 3 to 150 characters" in errors["title"]
    too_long = bot.slack.view_submission(
        "meeting_schedule", {"title": {"value": {"type": "plain_text_input", "value": "x" * 151}}},
        user_id=COORDINATOR, opened=view)
    assert "150" in too_long.json()["errors"]["title"]


def test_an_empty_proposal_form_and_too_long_details_show_together(bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.slack.slash_command("propose", user_id=ALICE, response_url=fake_slack.response_url("form"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    values = {"details": {"value": {"type": "plain_text_input", "value": "x" * 3001}}}
    errors = bot.slack.view_submission("topic_propose", values, user_id=ALICE, opened=view).json()["errors"]
    assert set(errors) == {"title", "details"}


def test_a_past_time_names_the_zone_and_its_clock(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    said = chat.say(COORDINATOR, "urgent 09:05 Flooding in Nordvik")["text"]
    assert "09:05 in Europe/Oslo has already passed; it is 09:12 there now" in said


def test_the_urgent_confirmation_points_to_the_progress_report(bot: RunningBot, fake_slack: FakeSlack) -> None:
    chat = Chat(bot, fake_slack)
    said = chat.say(COORDINATOR, "urgent 09:30 Flooding in Nordvik")["text"]
    assert "Invitations are going out now" in said and "direct message with the bot" in said
    assert "(09:30, time zone Europe/Oslo)" in said, "the zone the typed time was read in"


def test_help_says_the_zone_and_lists_the_time_only_urgent_form(bot: RunningBot, fake_slack: FakeSlack) -> None:
    shown = json.dumps(Chat(bot, fake_slack).say(ALICE, "help")["blocks"], ensure_ascii=False)
    assert "Europe/Oslo" in shown and "[[&lt;YYYY-MM-DD&gt;] &lt;HH:MM&gt;]" in shown
