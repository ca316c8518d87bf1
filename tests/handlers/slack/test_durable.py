"""Persist first, through the real endpoint: stored before the ack, done once, resumed after a crash."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select, update

from fakes.slack import RESPONSE_URL_FAILURES, FakeSlack, slash_command_payload
from services.people import Actor
from storage.models import InboxEntry, InboxState, Topic
from tests.conftest import TEAM
from tests.support.harness import MEMBERS, RunningBot

ALICE, BOB, _ = MEMBERS
HOME_OPENED = {"type": "app_home_opened", "user": ALICE, "channel": "D0HOME", "tab": "home"}


def _count(bot: RunningBot, model: type) -> int:
    with bot.runtime.services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def _store_as_if_a_dead_process_acked(bot: RunningBot, body: dict, *, effected: bool = False) -> int:
    """A request the previous process stored and acknowledged, then died before finishing."""
    now = bot.runtime.services.clock.now()
    with bot.runtime.services.sessions.begin() as session:
        entry = InboxEntry(platform="slack", request_key=f"{TEAM}:command:{body['trigger_id']}",
                           kind="command", body=json.dumps(body), state=InboxState.RECEIVED,
                           received_at=now - timedelta(seconds=30), received_by="gone-host:4242:dead",
                           attempts=1, effected_at=now if effected else None)
        session.add(entry)
        session.flush()
        return entry.id


def test_a_request_is_stored_before_the_ack_even_with_slack_unreachable(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    response_url = fake_slack.response_url("gone")
    fake_slack.stop()  # nothing on the way to the ack may need Slack
    reply = bot.slack.slash_command("propose Bike lanes by the schools", user_id=ALICE,
                                    response_url=response_url)
    assert reply.status == 200
    with bot.runtime.services.sessions() as session:
        [entry] = session.scalars(select(InboxEntry)).all()
    assert entry.kind == "command" and entry.request_key.startswith(f"{TEAM}:command:")
    # The work itself needs no Slack either: the topic is there, only its announcement waits.
    assert fake_slack.wait_for(lambda: _count(bot, Topic) == 1)


def test_an_events_api_retry_does_nothing_twice(bot: RunningBot, fake_slack: FakeSlack) -> None:
    assert bot.slack.event(HOME_OPENED, event_id="Ev0RETRY1").status == 200
    assert bot.slack.event(HOME_OPENED, event_id="Ev0RETRY1", retry_num=1).status == 200
    assert bot.slack.event(HOME_OPENED, event_id="Ev0RETRY1", retry_num=2).status == 200
    assert bot.slack.event({**HOME_OPENED, "user": BOB}, event_id="Ev0OTHER2").status == 200
    # Retries are answered from the inbox before any listener runs: two stored, two published.
    assert _count(bot, InboxEntry) == 2
    assert fake_slack.wait_for(lambda: len(fake_slack.calls_to("views.publish")) == 2)
    assert sorted(c.params["user_id"] for c in fake_slack.calls_to("views.publish")) == [ALICE, BOB]


def test_the_same_command_delivered_twice_proposes_once(bot: RunningBot, fake_slack: FakeSlack) -> None:
    for _ in range(2):
        reply = bot.slack.slash_command("propose Youth clubs", user_id=ALICE, trigger_id="111.222.same",
                                        response_url=fake_slack.response_url("twice"))
        assert reply.status == 200
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) >= 1)
    with bot.runtime.services.sessions() as session:
        [entry] = session.scalars(select(InboxEntry.id)).all()
    assert fake_slack.wait_for(lambda: _state(bot, entry) == InboxState.DONE)
    assert _count(bot, Topic) == 1 and len(fake_slack.responses) == 1


def test_a_request_left_unprocessed_by_a_crash_takes_effect_once_after_the_restart(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = slash_command_payload("propose Language courses for adults", user_id=ALICE, team_id=TEAM,
                                 response_url=fake_slack.response_url("late"))
    entry = _store_as_if_a_dead_process_acked(bot, body)
    # The bot's resume job finds it (the process that stored it no longer beats).
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, timeout=15)
    [response] = fake_slack.responses
    assert response["key"] == "late"
    assert "Your topic is number 1" in response["body"]["text"]
    assert "This answer is late" in json.dumps(response["body"]["blocks"])
    assert fake_slack.wait_for(lambda: bot.runtime.services.inbox.status(entry) is not None
                               and _state(bot, entry) == InboxState.DONE)
    # Done means done: resuming again changes nothing.
    assert bot.runtime.services.inbox.resume() == 0
    assert _count(bot, Topic) == 1


def test_a_request_whose_effect_happened_before_the_crash_is_confirmed_not_redone(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    bot.runtime.services.topics.propose(Actor.of("slack", TEAM, ALICE), "Language courses for adults")
    body = slash_command_payload("propose Language courses for adults", user_id=ALICE, team_id=TEAM,
                                 response_url=fake_slack.response_url("late"))
    entry = _store_as_if_a_dead_process_acked(bot, body, effected=True)
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, timeout=15)
    text = fake_slack.responses[0]["body"]["text"]
    assert "went through just before the bot was interrupted" in text
    assert "/dialog propose Language courses for adults" in text
    assert fake_slack.wait_for(lambda: _state(bot, entry) == InboxState.DONE)
    assert _count(bot, Topic) == 1


def test_a_request_that_met_a_database_error_is_retried_not_dropped(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    body = slash_command_payload("propose Safer crossings", user_id=ALICE, team_id=TEAM,
                                 response_url=fake_slack.response_url("retry"))
    entry = _store_as_if_a_dead_process_acked(bot, body)
    with bot.runtime.services.sessions.begin() as session:
        # As `retry_later` leaves it after a locked database: unowned, due again now.
        session.execute(update(InboxEntry).where(InboxEntry.id == entry).values(
            received_by=bot.runtime.services.inbox.worker_id,
            next_attempt_at=bot.runtime.services.clock.now()))
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, timeout=15)
    assert "Your topic is number 1" in fake_slack.responses[0]["body"]["text"]
    assert _count(bot, Topic) == 1


def _state(bot: RunningBot, entry: int) -> InboxState | None:
    with bot.runtime.services.sessions() as session:
        return session.scalar(select(InboxEntry.state).where(InboxEntry.id == entry))


def test_a_request_no_listener_takes_on_is_done_at_once_not_replayed(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    # The calendar button only opens a link; an unknown button has no listener at all.
    assert bot.slack.block_action("calendar_link", "1", user_id=ALICE).status == 200
    bot.slack.block_action("no_such_button", "1", user_id=ALICE)
    with bot.runtime.services.sessions() as session:
        states = session.scalars(select(InboxEntry.state)).all()
    assert states == [InboxState.DONE, InboxState.DONE]


def test_a_command_that_mentions_payload_is_not_lost(bot: RunningBot, fake_slack: FakeSlack) -> None:
    # Bolt reads any form containing the word as an interaction; the edge keeps it a command.
    reply = bot.slack.slash_command("propose payload limits for lorries", user_id=ALICE,
                                    response_url=fake_slack.response_url("payload"))
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1)
    assert "Your topic is number 1" in fake_slack.responses[0]["body"]["text"]
    with bot.runtime.services.sessions() as session:
        assert session.scalar(select(Topic.title)) == "payload limits for lorries"


def test_a_request_stays_open_until_its_work_is_done(bot: RunningBot, fake_slack: FakeSlack) -> None:
    # The work waits on a slow Slack call (opening the form); until it is done, a crash must leave
    # the row to resume.
    fake_slack.set_delay("views.open", 3.0)
    reply = bot.slack.slash_command("propose", user_id=BOB, response_url=fake_slack.response_url("slow"))
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: fake_slack.calls_to("views.open"), timeout=5)
    with bot.runtime.services.sessions() as session:
        [entry] = session.scalars(select(InboxEntry)).all()
        assert entry.state == InboxState.RECEIVED and entry.effected_at is None
    assert fake_slack.wait_for(lambda: _state(bot, entry.id) == InboxState.DONE, timeout=15)
    assert len(fake_slack.opened_views()) == 1


def test_an_answer_slack_could_not_take_is_given_late_when_slack_is_back(
        bot: RunningBot, fake_slack: FakeSlack) -> None:
    # Slack's response_url fails (5xx): the topic is saved, the answer waits for a retry.
    fake_slack.fail_next(RESPONSE_URL_FAILURES, error="internal_error", status=503)
    reply = bot.slack.slash_command("propose Quiet hours in parks", user_id=ALICE,
                                    response_url=fake_slack.response_url("back"))
    assert reply.status == 200
    assert fake_slack.wait_for(lambda: _count(bot, Topic) == 1)
    # The retry (after its back-off) finds the effect done and says so, once.
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) == 1, timeout=30)
    assert "went through" in fake_slack.responses[0]["body"]["text"]
    assert _count(bot, Topic) == 1
    assert not [c for c in fake_slack.calls_to("chat.postMessage") if c.params.get("channel") == ALICE]
