"""The builders of Teams' incoming activities make what Teams sends: the documented shapes."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path
from typing import Any

import pytest
from microsoft_agents.activity import Activity

from fakes.teams import activities as teams

PAYLOADS = Path(teams.__file__).parent / "payloads"
KARI = teams.user("Kari Nordmann")
OLA = teams.user("Ola Nordmann")


def load(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / name).read_text(encoding="utf-8"))


def missing_keys(documented: Any, built: Any, path: str = "") -> list[str]:
    """Keys the documented payload has that the built one lacks, at every level."""
    if isinstance(documented, dict):
        if not isinstance(built, dict):
            return [path or "."]
        return [key for name, value in documented.items()
                for key in ([f"{path}.{name}"] if name not in built
                            else missing_keys(value, built[name], f"{path}.{name}"))]
    if isinstance(documented, list) and documented and isinstance(built, list) and built:
        return missing_keys(documented[0], built[0], f"{path}[0]")
    return []


@pytest.mark.parametrize(("payload", "built"), [
    ("conversation_update_team.json",
     teams.conversation_update(sender=KARI, members_added=[teams.bot()], scope="team")),
    ("message_channel_mention.json",
     teams.message(f"{teams.at(teams.bot())} setup", sender=KARI, scope="channel")),
    ("invoke_adaptive_card_action.json",
     teams.invoke_action("rsvp_yes", {"meeting": 3}, sender=KARI, card_activity_id="1:1700000000042")),
])
def test_builders_carry_every_documented_key(payload: str, built: dict[str, Any]) -> None:
    documented = load(payload)
    assert missing_keys(documented, built) == []
    # And nothing at the top that Teams does not send in that kind of activity.
    assert set(built) <= set(documented) | {"entities", "locale", "localTimestamp", "localTimezone"}


@pytest.mark.parametrize("payload", sorted(p.name for p in PAYLOADS.glob("*.json")))
def test_documented_payloads_parse_as_activities(payload: str) -> None:
    activity = Activity.model_validate(load(payload))
    assert activity.channel_id == "msteams" and activity.conversation.id


def test_every_activity_has_teams_identities() -> None:
    built = [
        teams.message("hjelp", sender=KARI),
        teams.message(f"{teams.at(teams.bot())} hjelp", sender=KARI, scope="groupChat"),
        teams.invoke_action("topic_support", {"topic": 2}, sender=KARI, scope="channel"),
        teams.task_fetch({"verb": "suggest"}, sender=KARI),
        teams.task_submit({"title": "Parker"}, sender=KARI),
        teams.conversation_update(sender=KARI, members_added=[teams.bot(), KARI]),
        teams.installation_update(sender=KARI, action="remove", scope="team"),
    ]
    for activity in built:
        assert activity["channelId"] == "msteams" and activity["serviceUrl"].endswith("/")
        assert activity["from"]["id"].startswith("29:")
        uuid.UUID(activity["from"]["aadObjectId"])
        assert activity["recipient"]["id"] == f"28:{teams.BOT_APP_ID}"
        assert activity["conversation"]["tenantId"] == activity["channelData"]["tenant"]["id"]
        assert activity["conversation"]["conversationType"] in ("personal", "channel", "groupChat")
        assert activity["id"] and activity["timestamp"].endswith("Z") and activity["locale"]
        Activity.model_validate(activity)


def test_a_channel_message_mentions_people_and_starts_its_thread() -> None:
    activity = teams.message(f"{teams.at(teams.bot())} tema {teams.at(OLA)}", sender=KARI, scope="channel",
                             mentions=[OLA], mention_object_ids=True)
    mentions = [e for e in activity["entities"] if e["type"] == "mention"]
    assert [m["text"] for m in mentions] == ["<at>Dialogbot</at>", "<at>Ola Nordmann</at>"]
    assert mentions[1]["mentioned"] == {"id": OLA.id, "name": "Ola Nordmann", "aadObjectId": OLA.aad_object_id}
    assert "aadObjectId" not in mentions[0]["mentioned"]
    assert activity["conversation"]["id"] == f"{teams.CHANNEL_ID};messageid={activity['id']}"
    assert activity["channelData"]["team"]["id"] == teams.TEAM_ID
    with pytest.raises(ValueError):
        teams.message(f"{teams.at(OLA)}", sender=KARI)  # not among the mentions


def test_personal_chats_and_invokes() -> None:
    activity = teams.message("hjelp", sender=KARI)
    assert activity["conversation"]["id"] == teams.personal_conversation(KARI)
    assert "isGroup" not in activity["conversation"] and set(activity["channelData"]) == {"tenant"}
    invoke = teams.invoke_action("rsvp_no", {"meeting": 4}, sender=KARI, card_activity_id="1:17")
    assert (invoke["type"], invoke["name"], invoke["replyToId"]) == ("invoke", "adaptiveCard/action", "1:17")
    assert invoke["value"] == {"action": {"type": "Action.Execute", "verb": "rsvp_no", "data": {"meeting": 4}},
                               "trigger": "manual"}
    fetch = teams.task_fetch({"verb": "suggest"}, sender=KARI)
    assert fetch["name"] == "task/fetch"
    assert fetch["value"]["data"] == {"msteams": {"type": "task/fetch"}, "verb": "suggest"}
    submit = teams.task_submit({"title": "Parker"}, sender=KARI)
    assert (submit["name"], submit["value"]["data"]) == ("task/submit", {"title": "Parker"})


def test_install_events() -> None:
    personal = teams.conversation_update(sender=KARI, members_added=[teams.bot(), KARI])
    assert [m["id"] for m in personal["membersAdded"]] == [f"28:{teams.BOT_APP_ID}", KARI.id]
    assert re.fullmatch(r"a:1[0-9a-f]+", personal["conversation"]["id"])
    team = teams.conversation_update(sender=KARI, members_added=[teams.bot()], scope="team")
    assert team["channelData"]["eventType"] == "teamMemberAdded"
    assert team["channelData"]["settings"]["selectedChannel"]["id"] == team["conversation"]["id"]
    removed = teams.installation_update(sender=KARI, action="remove")
    assert (removed["type"], removed["action"]) == ("installationUpdate", "remove")
