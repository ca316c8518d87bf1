"""Personal data through the real HTTP endpoint and the fake Slack: `/dialog my data` brings a DM
with a download link the bot serves (read-only, unguessable); `/dialog erase @person` asks, and
only the coordinator who asked can confirm (a forged or borrowed button erases nothing); the
privacy notice's opt-out takes a contact off and tells the coordinators."""

from __future__ import annotations

import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator

import pytest
from itsdangerous import URLSafeSerializer

from fakes.slack import FakeSlack
from handlers.slack import PLATFORM, ids
from services.people import Actor, PersonRef
from tests.conftest import COORDINATOR, TEAM
from tests.support.harness import MEMBERS, RunningBot, bot_settings, running_bot

KARI, OLA = MEMBERS[0], MEMBERS[1]
PUBLIC = "https://dialog.example.org"


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack) -> Iterator[RunningBot]:
    with running_bot(bot_settings(database_url, fake_slack, DIALOG_PUBLIC_URL=PUBLIC,
                                  DIALOG_CONTROLLER="Oslo kommune")) as running:
        yield running


def _say(bot: RunningBot, fake: FakeSlack, user: str, text: str) -> dict:
    key = f"{user}:{len(fake.responses)}:{text}"
    assert bot.slack.slash_command(text, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _click(bot: RunningBot, fake: FakeSlack, user: str, action_id: str, value: str) -> dict:
    key = f"{user}:{len(fake.responses)}:{action_id}"
    assert bot.slack.block_action(action_id, value, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message.get("text", "") + json.dumps(message.get("blocks", []), ensure_ascii=False)


def _dm(fake: FakeSlack, user: str, marker: str) -> str:
    return next((_dump(m) for m in fake.dms(user) if marker in _dump(m)), "")


def _button(message: dict, action_id: str) -> dict:
    return next(e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]
                if e["action_id"] == action_id)


def _get(url: str) -> tuple[int, bytes, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read(), response.headers.get("Content-Disposition", "")
    except urllib.error.HTTPError as error:
        return error.code, error.read(), ""


def _contact_for(bot: RunningBot, user: str) -> list[str]:
    document = bot.runtime.services.privacy.export(Actor.of(PLATFORM, TEAM, COORDINATOR), PersonRef(PLATFORM, user))
    return [c["organisation"] for c in document["contact_for"]]


def test_my_data_comes_by_dm_with_a_link_the_bot_serves(bot: RunningBot, fake_slack: FakeSlack) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{KARI}> <@{OLA}>')
    assert fake_slack.wait_for(lambda: _dm(fake_slack, KARI, ids.PRIVACY_OPT_OUT), timeout=10)
    notice = _dm(fake_slack, KARI, ids.PRIVACY_OPT_OUT)
    assert "Oslo kommune" in notice and "Caritas" in notice and "/dialog my data" in notice

    answer = _say(bot, fake_slack, KARI, "mine data")
    assert answer["response_type"] == "ephemeral" and "on its way" in answer["text"]
    assert fake_slack.wait_for(lambda: _dm(fake_slack, KARI, ids.PRIVACY_DOWNLOAD), timeout=10)
    message = next(m for m in fake_slack.dms(KARI) if ids.PRIVACY_DOWNLOAD in _dump(m))
    url = _button(message, ids.PRIVACY_DOWNLOAD)["url"]
    found = re.fullmatch(re.escape(PUBLIC) + r"(/p/data/\d+\.[\w-]+\.json)", url)
    assert found, url
    status, body, disposition = _get(bot.url + found.group(1))
    assert status == 200 and "attachment" in disposition
    document = json.loads(body)
    assert document["person"]["user_id"] == KARI and document["contact_for"][0]["organisation"] == "Caritas"
    assert OLA not in body.decode() and COORDINATOR not in body.decode()
    guessed = re.sub(r"\.[\w-]+\.json$", ".AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.json", found.group(1))
    assert _get(bot.url + guessed)[0] == 404


def test_only_the_coordinator_who_asked_can_confirm_an_erasure(bot: RunningBot, fake_slack: FakeSlack) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{KARI}> <@{OLA}>')
    refused = _say(bot, fake_slack, OLA, f"erase <@{KARI}>")
    assert "Only coordinators" in refused["text"]
    question = _say(bot, fake_slack, COORDINATOR, f"slett <@{KARI}>")
    assert question["response_type"] == "ephemeral" and f"<@{KARI}>" in question["text"]
    button = _button(question, ids.PRIVACY_ERASE)
    assert button["style"] == "danger" and "confirm" in button
    # Someone else clicking the coordinator's button: refused.
    assert "Only whoever asked" in _click(bot, fake_slack, OLA, ids.PRIVACY_ERASE, button["value"])["text"]
    # A value made up (signed with a key of one's own) to name oneself as the asker, the real value
    # changed, or anything else: the service issued none of them.
    valid, data = URLSafeSerializer("guess", salt="dialogbot.erasure-confirmation").loads_unsafe(button["value"])
    assert not valid and data["p"] == [PLATFORM, KARI]
    forged = str(URLSafeSerializer("guess", salt="dialogbot.erasure-confirmation").dumps(
        data | {"b": [PLATFORM, OLA], "p": [PLATFORM, KARI]}))
    tampered = forged.rsplit(".", 1)[0] + "." + button["value"].rsplit(".", 1)[1]
    for value in (forged, tampered, "U1|erase-everyone"):
        assert "no longer works" in _click(bot, fake_slack, OLA, ids.PRIVACY_ERASE, value)["text"]
    assert _contact_for(bot, KARI) == ["Caritas"], "nothing erased yet"

    done = _click(bot, fake_slack, COORDINATOR, ids.PRIVACY_ERASE, button["value"])
    assert done.get("replace_original") is True and "Erased" in done["text"]
    assert _contact_for(bot, KARI) == [] and _contact_for(bot, OLA) == ["Caritas"]
    # Kari is added again; the old button, replayed, erases nothing.
    _say(bot, fake_slack, COORDINATOR, f'roster contact "Caritas" <@{KARI}>')
    assert "done already" in _click(bot, fake_slack, COORDINATOR, ids.PRIVACY_ERASE, button["value"])["text"]
    assert _contact_for(bot, KARI) == ["Caritas"] and _contact_for(bot, OLA) == ["Caritas"]


def test_the_opt_out_takes_a_contact_off_and_tells_the_coordinators(bot: RunningBot, fake_slack: FakeSlack) -> None:
    _say(bot, fake_slack, COORDINATOR, f'roster add "Caritas" core <@{KARI}>')
    assert fake_slack.wait_for(lambda: _dm(fake_slack, KARI, ids.PRIVACY_OPT_OUT), timeout=10)
    answer = _click(bot, fake_slack, KARI, ids.PRIVACY_OPT_OUT, "opt-out")
    assert "no longer a contact for Caritas" in answer["text"]
    assert _contact_for(bot, KARI) == []
    assert fake_slack.wait_for(lambda: _dm(fake_slack, COORDINATOR, "asked to stop being a contact"), timeout=10)
    assert f"<@{KARI}>" in _dm(fake_slack, COORDINATOR, "asked to stop being a contact")
