"""500 answers in a few seconds on one invitation: every answer recorded, the tally exact, the
channel post updated in place about once a second, not once per click."""

from __future__ import annotations

import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from fakes.slack import FakeSlack
from services.enums import Answer
from services.people import Actor
from services.roster import RosterRow
from tests.conftest import CHANNEL, COORDINATOR
from tests.support.harness import RunningBot

PEOPLE = [f"UBURST{n:03d}" for n in range(500)]
ANSWERS = ("rsvp_yes", "rsvp_no", "rsvp_maybe")


def test_a_burst_of_500_answers(bot: RunningBot, fake_slack: FakeSlack) -> None:
    for user in PEOPLE:
        fake_slack.add_user(user)
    services = bot.runtime.services
    boss = Actor.of("slack", fake_slack.team_id, COORDINATOR)
    services.roster.import_rows(boss, [RosterRow(f"Burst Org {n:02d}", "core", tuple(PEOPLE[n * 10:(n + 1) * 10]))
                                       for n in range(50)])
    services.meetings.urgent(boss, title="Heatwave: cooling centres")
    assert fake_slack.wait_for(lambda: len(fake_slack.messages(CHANNEL)) == 1, timeout=30)
    post = fake_slack.messages(CHANNEL)[0]
    updates_before = len(fake_slack.calls_to("chat.update"))

    def click(index: int) -> int:
        user = PEOPLE[index]
        return bot.slack.block_action(ANSWERS[index % 3], "1", user_id=user, message=post,
                                      response_url=fake_slack.response_url(user)).status

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=20) as pool:
        statuses = list(pool.map(click, range(len(PEOPLE))))
    assert statuses == [200] * len(PEOPLE)
    assert fake_slack.wait_for(lambda: len(fake_slack.responses) >= len(PEOPLE), timeout=60)
    expected = Counter(ANSWERS[i % 3] for i in range(len(PEOPLE)))
    tally = services.meetings.get(boss, 1).tally
    assert (tally.yes, tally.no, tally.maybe, tally.waiting) == (
        expected["rsvp_yes"], expected["rsvp_no"], expected["rsvp_maybe"], 0)
    line = f"Attending: {tally.yes} · Not attending: {tally.no} · Maybe: {tally.maybe}"
    assert fake_slack.wait_for(lambda: line in str(fake_slack.messages(CHANNEL)[0]["blocks"]), timeout=30)
    elapsed = time.monotonic() - started
    updates = [c for c in fake_slack.calls_to("chat.update")[updates_before:] if c.params.get("ts") == post["ts"]]
    # Coalesced: about one update per second of burst, however many clicks.
    assert 1 <= len(updates) <= elapsed + 2, (len(updates), elapsed)
    assert len(fake_slack.messages(CHANNEL)) == 1
    for index in (0, 1, 2, 499):
        assert services.meetings.upcoming(Actor.of("slack", fake_slack.team_id, PEOPLE[index]))[0].answer == \
            Answer(ANSWERS[index % 3].removeprefix("rsvp_")).value
