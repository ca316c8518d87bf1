"""Who sees whom, through signed HTTP and the fake Slack: `/dialog roster` names contacts to a
coordinator only (a member sees the organisations and the perspectives counted), and a proposal
by a contact is announced in the channel, and listed to a member, as their organisation's."""

from __future__ import annotations

import json
from typing import Any

from fakes.slack import FakeSlack
from handlers.slack import PLATFORM
from services.people import Actor
from services.roster import RosterRow
from tests.conftest import CHANNEL, COORDINATOR, TEAM
from tests.support.harness import MEMBERS, RunningBot

IMAM, MOTHER, MEMBER = MEMBERS


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _command(bot: RunningBot, fake: FakeSlack, user: str, text: str) -> dict:
    key = f"{user}:{len(fake.responses)}:{text}"
    assert bot.slack.slash_command(text, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _roster(bot: RunningBot) -> None:
    bot.runtime.services.roster.import_rows(Actor.of(PLATFORM, TEAM, COORDINATOR), [
        RosterRow("Islamic Council", "core", (IMAM,), ("religion",)),
        RosterRow("Church City Mission", "core", (), ("religion",)),
        RosterRow("Bydelsmødrene", "topic", (MOTHER,), ("gender-age", "country-background")),
    ])


def test_the_roster_names_contacts_to_coordinators_only(bot: RunningBot, fake_slack: FakeSlack) -> None:
    _roster(bot)
    for reader in (MEMBER, IMAM):
        shown = _dump(_command(bot, fake_slack, reader, "roster"))
        assert "Islamic Council" in shown and "Bydelsmødrene" in shown
        assert IMAM not in shown and MOTHER not in shown, "no contact named"
        assert "Islamic Council*: " not in shown and "Islamic Council* _(religious" not in shown
        assert "religious communities (2 organisations)" in shown and "shown to coordinators only" in shown

    shown = _dump(_command(bot, fake_slack, COORDINATOR, "deltakere"))
    assert f"<@{IMAM}>" in shown and f"<@{MOTHER}>" in shown
    assert "Islamic Council*: <@" in shown and "(religious communities)" in shown


def test_a_contacts_proposal_is_their_organisations_in_the_channel_and_to_members(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    _roster(bot)
    assert "Thanks" in _command(bot, fake_slack, IMAM, "propose Prayer rooms in schools")["text"]
    assert fake_slack.wait_for(lambda: any("Prayer rooms" in _dump(m) for m in fake_slack.messages(CHANNEL)),
                               timeout=10)
    post = _dump(next(m for m in fake_slack.messages(CHANNEL) if "Prayer rooms" in _dump(m)))
    assert "Proposed by Islamic Council (civil society)" in post and IMAM not in post

    listed = _dump(_command(bot, fake_slack, MEMBER, "topics"))
    assert "by Islamic Council (civil society)" in listed and IMAM not in listed
    # The coordinator's list is private to them: the person and the organisation.
    mine = _dump(_command(bot, fake_slack, COORDINATOR, "topics"))
    assert f"by <@{IMAM}> (civil society · Islamic Council)" in mine
