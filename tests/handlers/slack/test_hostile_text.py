"""Hostile text through every input people type into, end to end: nothing of it reaches Slack live.

Each input (topic title and details, in the command and the form; roster names; meeting titles in
the command and the forms; agenda talks; the decline reason; minutes summary, decisions and
follow-up points) gets the same payload: a special mention, a user and a channel mention, a
link, emphasis and a literal entity. Then every Web API call and response_url post the bot made
is scanned, in every field Slack shows. The fake Slack also records any special mention in any
call as a violation, and the fixture asserts there were none.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from fakes.slack import FakeSlack
from services.clock import ManualClock
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)

# As typed: what Slack hands the bot from a form (verbatim).
TYPED = "<!everyone> <@U999> <#C999> <https://evil.example|click> *bold* x&amp;y"
# The same, as Slack sends it in a slash command (`should_escape`): the mentions Slack makes
# itself arrive as control sequences, what was typed as `<`, `>` and `&` arrives escaped.
COMMAND = "<!everyone> <@U999> <#C999> &lt;https://evil.example|click&gt; *bold* x&amp;amp;y"
LIVE = ("<!everyone>", "<@U999>", "<#C999>", "<https://evil.example")
# (A `|` in `propose` command text starts the details, so the link is left out of this check.)
ESCAPED = "&lt;!everyone&gt; &lt;@U999&gt; &lt;#C999&gt; &lt;"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_REMINDERS="30m")
    with running_bot(settings, clock=clock) as running:
        yield running


class Session:
    """Commands and forms as people, waiting for each private answer."""

    def __init__(self, bot: RunningBot, fake: FakeSlack) -> None:
        self.bot, self.fake, self.count = bot, fake, 0

    def say(self, user: str, text: str) -> dict:
        self.count += 1
        key = f"{user}:{self.count}"
        assert self.bot.slack.slash_command(text, user_id=user, response_url=self.fake.response_url(key)).status == 200
        assert self.fake.wait_for(lambda: any(r["key"] == key for r in self.fake.responses), timeout=10)
        return next(r["body"] for r in self.fake.responses if r["key"] == key)

    def form(self, user: str, command: str) -> dict:
        """Open a form with a command; returns the view as opened."""
        before = len(self.fake.opened_views())
        self.count += 1
        self.bot.slack.slash_command(command, user_id=user, response_url=self.fake.response_url(f"form{self.count}"))
        assert self.fake.wait_for(lambda: len(self.fake.opened_views()) > before, timeout=10)
        return self.fake.opened_views()[-1]

    def submit(self, user: str, callback_id: str, view: dict, values: dict) -> None:
        reply = self.bot.slack.view_submission(callback_id, values, user_id=user, opened=view)
        assert reply.status == 200 and reply.body == b"", reply.body


def _typed(value: str) -> dict:
    return {"value": {"type": "plain_text_input", "value": value}}


def _picked(value: str) -> dict:
    return {"value": {"type": "static_select", "selected_option": {"value": value}}}


def _shown(node: Any, path: str = "", plain: bool = False) -> Iterator[tuple[str, str, bool]]:
    """Every text Slack shows in a payload: (where, text, whether it is plain_text)."""
    if isinstance(node, dict):
        is_plain = node.get("type") == "plain_text"
        for key, value in node.items():
            where = f"{path}.{key}"
            if key in ("metadata", "private_metadata", "value", "initial_value", "url"):
                continue
            if isinstance(value, str) and key in ("text", "fallback", "pretext", "title", "alt_text"):
                yield where, value, is_plain
            else:
                yield from _shown(value, where)
    elif isinstance(node, list):
        for index, item in enumerate(node):
            yield from _shown(item, f"{path}[{index}]")


def _everything_sent(fake: FakeSlack) -> list[tuple[str, str, bool]]:
    texts = [(f"{c.method} {where}", value, plain) for c in fake.calls for where, value, plain in _shown(c.params)]
    texts += [(f"response_url {r['key']}{where}", value, plain)
              for r in fake.responses for where, value, plain in _shown(r["body"])]
    return texts


def _settle(fake: FakeSlack, clock: ManualClock, done: Callable[[], bool]) -> bool:
    """Wait for `done`, moving the clock on a few seconds at a time: sends to one conversation
    are spaced a second apart on the bot's clock."""
    for _ in range(20):
        if fake.wait_for(done, timeout=1):
            return True
        clock.advance(timedelta(seconds=2))
    return False


def test_hostile_text_in_every_input_never_reaches_slack_live(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    you = Session(bot, fake_slack)
    org, topic_org = f"Org {TYPED}", f"Topic org {TYPED}"
    # Roster names, in commands.
    you.say(COORDINATOR, f'roster add "Org {COMMAND}" core <@{ALICE}> <@{BOB}>')
    you.say(COORDINATOR, f'roster add "Topic org {COMMAND}" topic <@{CAROL}>')
    # Topic title and details: the command, then the form.
    you.say(ALICE, f"propose Title one {COMMAND} | Details {COMMAND}")
    view = you.form(BOB, "propose")
    you.submit(BOB, "topic_propose", view, {"title": _typed(f"Title two {TYPED}"),
                                             "details": _typed(f"Form details {TYPED}")})
    you.say(CAROL, f"propose Title three {COMMAND}")
    assert fake_slack.wait_for(lambda: len([r for r in fake_slack.responses if r["key"].startswith("form")]) == 1,
                               timeout=10)
    # A meeting title in the command, with the topics on its agenda and the topic organisation invited.
    you.say(COORDINATOR, f"schedule 2026-03-02 12:00 Meeting {COMMAND}")
    you.say(COORDINATOR, "agenda 1 add 1")
    you.say(COORDINATOR, f'invite 1 "Topic org {COMMAND}"')
    # The scheduling form offers the hostile topics and organisations; its title is hostile too.
    view = you.form(COORDINATOR, "schedule")
    you.submit(COORDINATOR, "meeting_schedule", view, {
        "title": _typed(f"Form meeting {TYPED}"),
        "starts_at": {"value": {"type": "datetimepicker",
                                "selected_date_time": int((T0 + timedelta(days=3)).timestamp())}},
        "duration": {"value": {"type": "number_input", "value": "60"}},
        "organisations": {"value": {"type": "multi_static_select", "selected_options": [{"value": topic_org}]}},
    })
    # Agenda talks, in the form that lists the hostile topics.
    view = you.form(COORDINATOR, "agenda 1")
    you.submit(COORDINATOR, "meeting_agenda", view, {
        "topics": {"value": {"type": "multi_static_select", "selected_options": [{"value": "1"}, {"value": "2"}]}},
        "talk1_speaker": _typed(f"Speaker {TYPED}"),
        "talk1_organisation": _picked(org),
        "talk1_subject": _typed(f"Subject {TYPED}"),
        "talk1_minutes": {"value": {"type": "number_input", "value": "10"}},
    })
    # A decline reason, told to the proposer.
    you.say(COORDINATOR, f"decline 3 Reason {COMMAND}")
    # An urgent call: invitations at once and a progress report updated in place.
    you.say(COORDINATOR, f"urgent Urgent {COMMAND}")

    clock.advance(timedelta(hours=1))  # 11:00: meeting 1's invitations go out
    assert fake_slack.wait_for(lambda: any("Meeting" in m["text"] for m in fake_slack.messages(CHANNEL)), timeout=10)
    invitation = next(m for m in fake_slack.messages(CHANNEL) if m["text"].startswith("Invitation: Meeting"))
    you.say(ALICE, "rsvp 1 yes")
    for listing in ("topics", "meetings", "roster", "stats"):
        you.say(COORDINATOR, listing)

    clock.advance(timedelta(hours=2))  # the meeting has been held: its minutes
    view = you.form(COORDINATOR, "minutes 1")
    you.submit(COORDINATOR, "meeting_minutes", view, {
        "summary": _typed(f"Summary {TYPED}\nSecond line {TYPED}"),
        "decisions": _typed(f"Decision {TYPED}"),
        "attendees": {"value": {"type": "multi_users_select", "selected_users": [ALICE]}},
        "action_1": _typed(f"Action {TYPED}"),
        "action_1_owner": _picked(org),
        "action_1_due": {"value": {"type": "datepicker", "selected_date": "2026-03-02"}},
    })
    assert fake_slack.wait_for(lambda: any(m.get("thread_ts") == invitation["ts"] and m["text"].startswith("Minutes")
                                           for m in fake_slack.messages(CHANNEL)), timeout=10)
    for user in (COORDINATOR, ALICE):  # the Home tab repeats titles, topics and follow-up points
        bot.slack.event({"type": "app_home_opened", "user": user, "channel": "D0HOME", "tab": "home",
                         "event_ts": "1772442000.000100"})
        assert fake_slack.wait_for(lambda user=user: fake_slack.home_view(user) is not None, timeout=10)
    # The minutes by DM, and the follow-up point (due on the meeting's day, so reminded at once).
    assert _settle(fake_slack, clock, lambda: any(m["text"].startswith("Minutes") for m in fake_slack.dms(ALICE))
                   and any(m["text"].startswith("Due today") for m in fake_slack.dms(ALICE)))

    sent = _everything_sent(fake_slack)
    for where, value, plain in sent:
        for live in LIVE:
            assert live not in value, f"{where} carries {live} live: {value!r}"
        assert "x&amp;y" not in value, f"{where} shows a typed entity as a character: {value!r}"
        if not plain:
            assert "*bold*" not in value, f"{where} lets typed emphasis act: {value!r}"

    # Not vacuous: each input's text did reach Slack, escaped, on each kind of surface.
    def carried(prefix: str) -> set[str]:
        return {where.split(" ")[0] for where, value, _ in sent if f"{prefix} {ESCAPED}" in value}

    for prefix in ("Org", "Topic org", "Title one", "Details", "Title two", "Form details", "Title three",
                   "Meeting", "Form meeting", "Speaker", "Subject", "Reason", "Urgent", "Summary",
                   "Second line", "Decision", "Action"):
        assert carried(prefix), f"{prefix!r}: no escaped copy was sent at all"
    everywhere = carried("Meeting") | carried("Title one")
    assert {"chat.postMessage", "chat.update", "views.open", "views.publish", "response_url"} <= everywhere
    assert any("&lt;https://evil.example|click&gt; ∗bold∗ x&amp;amp;y" in value for _, value, plain in sent
               if not plain)
    assert any(plain and "Meeting &lt;!everyone&gt;" in value for _, value, plain in sent), "headers and options"
    dump = json.dumps([c.params for c in fake_slack.calls_to("chat.postMessage")], ensure_ascii=False)
    assert "Minutes: Meeting &lt;!everyone&gt;" in dump, "the minutes' notification text is escaped"
