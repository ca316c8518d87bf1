"""Changing and cancelling a meeting end to end, through signed HTTP and the fake Slack: `/dialog
change 1` opens the form holding the meeting, its submission is checked on the field, every copy
follows (the channel post and each DM), the people invited are told once, and a cancellation's
reason reaches everyone while the answer buttons go."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from fakes.slack import FakeSlack
from services.clock import ManualClock
from tests.conftest import CHANNEL, COORDINATOR
from tests.handlers.slack.test_meetings_wiring import Chat, _dump, _invitations
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

ALICE, BOB, CAROL = MEMBERS
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
NEW_LINK = "https://meet.example.org/winter"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_REMINDERS="30m",
                            DIALOG_NUDGE_AFTER="20m")
    with running_bot(settings, clock=clock) as running:
        yield running


def _buttons(message: dict) -> list[str]:
    return [e["action_id"] for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]


def _changed(fake: FakeSlack, user: str) -> list[dict]:
    return [m for m in fake.dms(user) if "has changed" in m["text"]]


def test_changing_a_meeting_through_the_form_reaches_every_copy_and_every_invitee(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Oslo Red Cross" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))  # 11:00: the invitations are out
    assert fake_slack.wait_for(lambda: fake_slack.messages(CHANNEL) and _invitations(fake_slack, ALICE)
                               and _invitations(fake_slack, BOB), timeout=10)

    assert "Only coordinators" in chat.say(ALICE, "change 1")["text"]
    assert "There is no meeting 7" in chat.say(COORDINATOR, "endre 7")["text"]
    bot.slack.slash_command("change 1", user_id=COORDINATOR, response_url=fake_slack.response_url("cmd"))
    assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == 1)
    view = fake_slack.opened_views()[0]
    assert view["callback_id"] == "meeting_change"
    inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
    assert inputs["title"]["initial_value"] == "Winter shelter capacity"
    assert inputs["starts_at"]["initial_date_time"] == int((T0 + timedelta(hours=2)).timestamp())
    assert inputs["chair_person"]["type"] == "users_select"

    def submit(starts: datetime, link: str = NEW_LINK, chair: str = "") -> object:
        values = {
            "title": {"value": {"type": "plain_text_input", "value": "Winter shelter capacity"}},
            "starts_at": {"value": {"type": "datetimepicker", "selected_date_time": int(starts.timestamp())}},
            "duration": {"value": {"type": "number_input", "value": "60"}},
            "video_link": {"value": {"type": "url_text_input", "value": link}},
            "chair": {"value": {"type": "plain_text_input", "value": chair}},
            "chair_person": {"value": {"type": "users_select", "selected_user": CAROL}},
        }
        return bot.slack.view_submission("meeting_change", values, user_id=COORDINATOR, opened=view)

    past = submit(clock.now() - timedelta(minutes=5), link="ftp://example.org", chair="x")
    errors = past.json()["errors"]
    assert "already passed" in errors["starts_at"] and "https://" in errors["video_link"]
    assert "2 to 120 characters" in errors["chair"]
    ok = submit(T0 + timedelta(hours=3), chair="Deputy mayor")  # 13:00 in Oslo
    assert ok.status == 200 and ok.body == b""
    assert fake_slack.wait_for(lambda: any(r["key"] == "cmd" for r in fake_slack.responses), timeout=10)
    confirmation = next(r["body"] for r in fake_slack.responses if r["key"] == "cmd")
    assert "now has a new time, a new video link and a new chair" in confirmation["text"]
    assert "the 2 people who already got it are told" in confirmation["text"]

    clock.advance(timedelta(seconds=2))  # updates in place, a second apart per message
    copies = lambda: [fake_slack.messages(CHANNEL)[0], *_invitations(fake_slack, ALICE),  # noqa: E731
                      *_invitations(fake_slack, BOB)]
    assert fake_slack.wait_for(lambda: all(NEW_LINK in _dump(m) and f"<@{CAROL}> (Deputy mayor)" in _dump(m)
                                           for m in copies()), timeout=10)
    assert len(copies()) == 3, "updated in place, never posted again"
    assert _changed(fake_slack, ALICE) == [], "told after a short grace, so quick fixes are told once"

    clock.advance(timedelta(minutes=3))
    assert fake_slack.wait_for(lambda: _changed(fake_slack, ALICE) and _changed(fake_slack, BOB), timeout=10)
    [told] = _changed(fake_slack, ALICE)
    assert "a new time, a new video link and a new chair" in told["text"] and "(was " in _dump(told)
    assert _changed(fake_slack, CAROL) == [], "the chair is not on the invitation list"


def test_a_cancellation_with_a_reason_takes_the_buttons_off_every_copy(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Oslo Red Cross" core <@{ALICE}> <@{BOB}>')
    chat.say(COORDINATOR, "schedule 2026-03-02 12:00 Winter shelter capacity")
    clock.advance(timedelta(hours=1))
    assert fake_slack.wait_for(lambda: fake_slack.messages(CHANNEL) and _invitations(fake_slack, ALICE)
                               and _invitations(fake_slack, BOB), timeout=10)
    assert all(_buttons(m)[:1] == ["rsvp_yes"] for m in (fake_slack.messages(CHANNEL)[0],
                                                         *_invitations(fake_slack, ALICE)))

    # The DM invitations as posted, found again by their ts once they no longer read "invited".
    posted = {u: _invitations(fake_slack, u)[0]["ts"] for u in (ALICE, BOB)}

    def every_copy() -> list[dict]:
        return [fake_slack.messages(CHANNEL)[0],
                *(m for u, ts in posted.items() for m in fake_slack.dms(u) if m["ts"] == ts)]

    question = chat.say(COORDINATOR, "avlys 1 Too few could come")
    assert "The reason they are given: Too few could come" in _dump(question)
    [button] = [e for b in question["blocks"] if b["type"] == "actions" for e in b["elements"]]
    reply = bot.slack.block_action("meeting_cancel", button["value"], user_id=COORDINATOR, message=question,
                                   response_url=fake_slack.response_url("cancel"))
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: any(r["key"] == "cancel" for r in fake_slack.responses), timeout=10)
    cancelled = next(r["body"] for r in fake_slack.responses if r["key"] == "cancel")
    assert "is cancelled" in cancelled["text"] and cancelled["replace_original"] is True
    clock.advance(timedelta(seconds=2))
    assert fake_slack.wait_for(lambda: all(any("is cancelled" in m["text"] and "Too few could come" in _dump(m)
                                               for m in fake_slack.dms(u)) for u in (ALICE, BOB)), timeout=10)
    assert len(every_copy()) == 3
    assert fake_slack.wait_for(lambda: all(_buttons(m) == [] and "Too few could come" in _dump(m)
                                           for m in every_copy()), timeout=10), json.dumps(every_copy())
    assert "has been cancelled" in chat.say(ALICE, "rsvp 1 yes")["text"]
    assert "has been cancelled" in chat.say(COORDINATOR, "change 1")["text"]


def test_the_change_form_carries_whether_it_holds_the_background(
    bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock
) -> None:
    chat = Chat(bot, fake_slack)
    chat.say(COORDINATOR, f'roster add "Oslo Red Cross" core <@{ALICE}>')
    chat.say(COORDINATOR, "schedule 2026-03-03 12:00 Winter shelter capacity")
    chat.say(COORDINATOR, "urgent 14:05 Flooding in Groruddalen | https://meet.example/abc | Basements under water")

    def opened(number: int) -> dict:
        before = len(fake_slack.opened_views())
        bot.slack.slash_command(f"change {number}", user_id=COORDINATOR, response_url=fake_slack.response_url("c"))
        assert fake_slack.wait_for(lambda: len(fake_slack.opened_views()) == before + 1, timeout=10)
        return fake_slack.opened_views()[-1]

    def submit(view: dict, background: str) -> object:
        inputs = {b["block_id"]: b["element"] for b in view["blocks"] if b["type"] == "input"}
        values = {
            "title": {"value": {"type": "plain_text_input", "value": inputs["title"]["initial_value"]}},
            "starts_at": {"value": {"type": "datetimepicker",
                                    "selected_date_time": inputs["starts_at"]["initial_date_time"]}},
            "duration": {"value": {"type": "number_input", "value": "60"}},
            "video_link": {"value": {"type": "url_text_input", "value": inputs["video_link"].get("initial_value")}},
            # Whatever the state says, only a form that held the field changes the background.
            "background": {"value": {"type": "plain_text_input", "value": background}},
        }
        return bot.slack.view_submission("meeting_change", values, user_id=COORDINATOR, opened=view)

    regular, urgent = opened(1), opened(2)
    # Carried in the form's metadata, as the services said when it opened (not read off its blocks).
    carried = [json.loads(view["private_metadata"]) for view in (regular, urgent)]
    assert [(c["meeting"], c["background"]) for c in carried] == [(1, False), (2, True)]
    assert "background" not in {b.get("block_id") for b in regular["blocks"]}
    assert submit(regular, "Smuggled in").status == 200
    assert submit(urgent, "Basements and roads under water").status == 200
    assert fake_slack.wait_for(lambda: sum(r["key"] == "c" for r in fake_slack.responses) >= 2, timeout=10)
    told = [r["body"]["text"] for r in fake_slack.responses if r["key"] == "c"]
    assert any("Nothing changed in meeting 1" in line for line in told)
    assert any("Meeting 2 (Flooding in Groruddalen) now has a new background" in line for line in told)
