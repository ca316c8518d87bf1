"""Minutes and follow-up end to end, through signed HTTP and the fake Slack: the draft's Comment
button and form (the coordinators told), Make final now, a follow-up point's status buttons on the
reminder and the Home tab (only for those who may), and the download links for the case archive
(coordinators only; signed, expiring, read back as PDF and DOCX)."""

from __future__ import annotations

import io
import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import docx
import pytest
from pypdf import PdfReader

from fakes.slack import FakeSlack
from services.clock import ManualClock
from services.minutes import ActionItemInput
from services.people import Actor, PersonRef
from tests.conftest import CHANNEL, COORDINATOR, TEAM
from tests.handlers.slack.test_meetings_wiring import Chat, _dump
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
PUBLIC = "https://dialogbot.example.org"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_MINUTES_REVIEW="3d",
                            DIALOG_PUBLIC_URL=PUBLIC)
    with running_bot(settings, clock=clock) as running:
        yield running


def _held(bot: RunningBot, fake: FakeSlack, clock: ManualClock, due: date | None = None) -> Chat:
    """Meeting 1, held, Caritas (Alice, Bob) invited, its minutes recorded with one point for Caritas."""
    chat = Chat(bot, fake)
    chat.say(COORDINATOR, f'roster add "Caritas" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))
    assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1, timeout=10)
    clock.advance(timedelta(hours=2))
    boss = Actor.of("slack", TEAM, COORDINATOR)
    bot.runtime.services.minutes.record(
        boss, 1, summary="Two more warm rooms this winter, in Grønland.",
        attendees=[PersonRef("slack", ALICE)],
        action_items=[ActionItemInput("Find volunteers", "Caritas", due or date(2026, 3, 9))])
    bot.runtime.services.deliveries.wake()
    return chat


def _drafts(fake: FakeSlack, user: str) -> list[dict]:
    return [m for m in fake.dms(user) if m["text"].startswith("Draft minutes")]


def _buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def test_comment_on_the_draft_reaches_the_coordinator_who_makes_it_final(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = _held(bot, fake_slack, clock)
    assert fake_slack.wait_for(lambda: _drafts(fake_slack, ALICE) and _drafts(fake_slack, BOB), timeout=10)
    [draft] = _drafts(fake_slack, BOB)
    assert "Comments by" in _dump(draft) and "minutes_comment_open" in _buttons(draft)
    assert not [m for m in fake_slack.messages(CHANNEL) if m["text"].startswith(("Minutes", "Draft"))], \
        "a draft is not posted in the channel"

    click = bot.slack.block_action("minutes_comment_open", "1", user_id=BOB, message=draft,
                                   response_url=fake_slack.response_url("open"))
    assert click.status == 200
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1, timeout=10)
    form = fake_slack.opened_views()[0]
    assert form["callback_id"] == "minutes_comment"

    def submit(comment: str, user: str = BOB) -> object:
        values = {"comment": {"value": {"type": "plain_text_input", "value": comment}}}
        return bot.slack.view_submission("minutes_comment", values, user_id=user, opened=form)

    assert "3 to 2000 characters" in submit("ok").json()["errors"]["comment"]
    assert "Only those invited" in submit("I was never invited.", user=CAROL).json()["errors"]["comment"]
    assert submit("Please add that <Caritas> runs the night shelter.").body == b""
    assert fake_slack.wait_for(lambda: any("A comment on the draft minutes" in m["text"]
                                           for m in fake_slack.dms(COORDINATOR)), timeout=10)
    [told] = [m for m in fake_slack.dms(COORDINATOR) if "A comment on the draft minutes" in m["text"]]
    assert "commented on the draft minutes of meeting 1" in _dump(told)
    assert f"<@{BOB}> (Caritas)" in _dump(told)
    assert "&lt;Caritas&gt; runs the night shelter" in _dump(told), "escaped"
    assert fake_slack.wait_for(lambda: any("Thank you" in m["text"] for m in fake_slack.dms(BOB)), timeout=10)

    # By command too, and only by coordinators is it made final.
    assert "went to the coordinators" in chat.say(ALICE, "kommenter 1 Fint referat.")["text"]
    assert "Only coordinators" in chat.click(ALICE, "minutes_final", told)["text"]
    assert "are final and on their way" in chat.click(COORDINATOR, "minutes_final", told)["text"]
    assert fake_slack.wait_for(lambda: any(m["text"].startswith("Minutes: Winter") for m in fake_slack.messages(CHANNEL))
                               and any(m["text"].startswith("Minutes: Winter") for m in fake_slack.dms(BOB)),
                               timeout=10)
    clock.advance(timedelta(seconds=2))  # the draft is updated in place, a second apart
    assert fake_slack.wait_for(lambda: "Comments are closed" in _dump(_drafts(fake_slack, BOB)[0]), timeout=10)
    assert "minutes_comment_open" not in _buttons(_drafts(fake_slack, BOB)[0])
    assert "comments are closed" in chat.say(BOB, "comment 1 One more thing.")["text"]


def test_status_buttons_on_the_reminder_and_the_home_tab(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = _held(bot, fake_slack, clock, due=date(2026, 3, 3))
    clock.set(datetime(2026, 3, 3, 8, 0, 30, tzinfo=UTC))  # 09:00 in Oslo on the due date
    bot.runtime.services.deliveries.wake()
    due = lambda user: [m for m in fake_slack.dms(user) if m["text"].startswith("Due today")]  # noqa: E731
    assert fake_slack.wait_for(lambda: due(ALICE) and due(BOB), timeout=10)
    [reminder] = due(ALICE)
    assert _buttons(reminder) == ["follow_up_in_progress", "follow_up_done"]

    refused = bot.slack.block_action("follow_up_done", "1.1", user_id=CAROL, message=reminder,
                                     response_url=fake_slack.response_url("carol"))
    assert refused.status == 200
    assert fake_slack.wait_for(lambda: any(r["key"] == "carol" for r in fake_slack.responses), timeout=10)
    assert "Only the contacts of Caritas" in next(r["body"]["text"] for r in fake_slack.responses if r["key"] == "carol")

    # Bob sets it in progress from his Home tab, which is published afresh.
    event = {"type": "app_home_opened", "user": BOB, "channel": "D0BOB", "tab": "home", "event_ts": "1772442000.000100"}
    assert bot.slack.event(event).status == 200
    assert fake_slack.wait_for(lambda: fake_slack.home_view(BOB) is not None, timeout=10)
    home = fake_slack.home_view(BOB)
    assert "Find volunteers" in json.dumps(home["blocks"]) and "follow_up_in_progress" in json.dumps(home["blocks"])
    click = bot.slack.block_action("follow_up_in_progress", "1.1", user_id=BOB, container_type="view", view=home)
    assert click.status == 200
    assert fake_slack.wait_for(lambda: "in progress" in json.dumps(fake_slack.home_view(BOB)["blocks"]), timeout=10)

    # Alice closes it from her reminder; the reminder follows (its buttons too).
    done = bot.slack.block_action("follow_up_done", "1.1", user_id=ALICE, message=reminder,
                                  response_url=fake_slack.response_url("alice"))
    assert done.status == 200
    assert fake_slack.wait_for(lambda: any(r["key"] == "alice" for r in fake_slack.responses), timeout=10)
    assert "is now done" in next(r["body"]["text"] for r in fake_slack.responses if r["key"] == "alice")
    clock.advance(timedelta(seconds=2))
    assert fake_slack.wait_for(lambda: _buttons(due(ALICE)[0]) == ["follow_up_open", "follow_up_in_progress"],
                               timeout=10)
    assert "was already done" in chat.say(COORDINATOR, "oppfølging 1.1 ferdig")["text"]
    assert "There is no follow-up point 1.7" in chat.say(COORDINATOR, "followup 1.7 done")["text"]


def _get(bot: RunningBot, path: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(bot.url + path, timeout=10) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read()


def test_coordinators_download_the_minutes_for_the_archive(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = _held(bot, fake_slack, clock)
    bot.runtime.services.minutes.review.finalise(Actor.of("slack", TEAM, COORDINATOR), 1)
    bot.runtime.services.deliveries.wake()
    assert fake_slack.wait_for(lambda: any(m["text"].startswith("Minutes: Winter") for m in fake_slack.messages(CHANNEL))
                               and any(m["text"].startswith("Minutes: Winter") for m in fake_slack.dms(ALICE)),
                               timeout=10)
    [posted] = [m for m in fake_slack.messages(CHANNEL) if m["text"].startswith("Minutes: Winter")]
    assert "minutes_archive" in _buttons(posted)
    [to_alice] = [m for m in fake_slack.dms(ALICE) if m["text"].startswith("Minutes: Winter")]
    assert "minutes_archive" not in _buttons(to_alice), "offered to coordinators only"

    assert "Only coordinators" in chat.click(ALICE, "minutes_archive", posted)["text"]
    links = chat.click(COORDINATOR, "minutes_archive", posted)
    urls = {e["text"]["text"]: e["url"] for b in links["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert set(urls) == {"PDF/A", "DOCX"} and all(u.startswith(PUBLIC + "/minutes/") for u in urls.values())

    status, kind, body = _get(bot, urlsplit(urls["PDF/A"]).path)
    assert (status, kind) == (200, "application/pdf")
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)
    assert "Winter shelter capacity" in text and "Grønland" in text and "Find volunteers" in text
    status, kind, body = _get(bot, urlsplit(urls["DOCX"]).path)
    assert status == 200 and kind.endswith("wordprocessingml.document")
    assert docx.Document(io.BytesIO(body)).core_properties.title == "Minutes: Winter shelter capacity"

    path = urlsplit(urls["PDF/A"]).path
    forged = path[:-3] + ("AAA" if not path.endswith("AAA") else "BBB")
    assert _get(bot, forged)[0] == 404
    assert _get(bot, "/minutes/not-a-token")[0] == 404
    clock.advance(timedelta(minutes=16))
    assert _get(bot, path)[0] == 404, "expired"
