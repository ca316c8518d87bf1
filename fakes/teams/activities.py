"""Incoming activities as Teams posts them to a bot's `/api/messages`, for tests and the sandbox.

The shapes follow Microsoft's documentation of Teams activities (conversation events, channel and
group conversations, Universal Actions for Adaptive Cards, task modules); ``payloads/`` holds
examples in that shape, and the tests check the builders produce the same keys.

Ids look like Teams' own: people ``29:…`` with a GUID ``aadObjectId``, the bot ``28:<app id>``,
personal chats ``a:…``, channels ``19:…@thread.tacv2`` (a thread in a channel adds
``;messageid=<root id>``), group chats ``19:…@thread.v2``.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

Scope = Literal["personal", "channel", "groupChat"]

TENANT_ID = "6e1f2c3a-4b5d-4e6f-8a9b-0c1d2e3f4a5b"
BOT_APP_ID = "0f8a4a1e-2b3c-4d5e-9f60-718293a4b5c6"
BOT_NAME = "Dialogbot"
TEAM_ID = "19:2a7c0b9e1d4f4c7a9e3b5d6f8a1c2e4b@thread.tacv2"
TEAM_AAD_GROUP_ID = "3b8d1c0f-2e5a-4b6c-8d7e-9f0a1b2c3d4e"
CHANNEL_ID = "19:5d1e3f7a9b2c4d6e8f0a1b3c5d7e9f1a@thread.tacv2"
SERVICE_URL = "https://smba.trafficmanager.net/emea/"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Account:
    """A Teams channel account: the bot (``28:…``) or a person (``29:…`` with an aadObjectId)."""

    id: str
    name: str
    aad_object_id: str | None = None

    def as_json(self) -> dict[str, Any]:
        """The account as Teams writes it in `from`, `recipient` and `membersAdded`."""
        account: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.aad_object_id:
            account["aadObjectId"] = self.aad_object_id
        return account


def user(name: str, aad_object_id: str | None = None) -> Account:
    """A person of the tenant; their ids are derived from the name unless given."""
    object_id = aad_object_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"teams-user:{name}"))
    digest = hashlib.sha256(object_id.encode()).hexdigest()
    return Account(f"29:1{digest[:60]}", name, object_id)


def bot(app_id: str = BOT_APP_ID, name: str = BOT_NAME) -> Account:
    """The bot as Teams names it in activities: ``28:<Microsoft App ID>``."""
    return Account(f"28:{app_id}", name)


def personal_conversation(person: Account, app_id: str = BOT_APP_ID) -> str:
    """The id of the one-to-one chat between `person` and the bot (stable per pair)."""
    digest = hashlib.sha256(f"{person.id}|{app_id}".encode()).hexdigest()
    return f"a:1{digest}"


def at(account: Account) -> str:
    """How a mention of `account` reads in a message's text."""
    return f"<at>{account.name}</at>"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _envelope(kind: str, *, sender: Account, scope: Scope, conversation_id: str | None,
              service_url: str, tenant_id: str, recipient: Account | None, locale: str,
              team_id: str, channel_id: str, team_name: str | None = None,
              activity_id: str | None = None) -> dict[str, Any]:
    """What every activity carries: who, where, when, and Teams' channelData."""
    conversation: dict[str, Any] = {"conversationType": scope, "tenantId": tenant_id}
    channel_data: dict[str, Any] = {"tenant": {"id": tenant_id}}
    if scope == "personal":
        conversation["id"] = conversation_id or personal_conversation(sender)
    else:
        conversation["isGroup"] = True
        if scope == "channel":
            conversation["id"] = conversation_id or channel_id
            team: dict[str, Any] = {"id": team_id, "aadGroupId": TEAM_AAD_GROUP_ID}
            if team_name:
                team["name"] = team_name
            channel_data.update({"teamsChannelId": channel_id, "teamsTeamId": team_id,
                                 "channel": {"id": channel_id}, "team": team})
        else:
            conversation["id"] = conversation_id or "19:meeting_" + hashlib.sha256(
                sender.id.encode()).hexdigest()[:40] + "@thread.v2"
    if activity_id is None:
        # Teams numbers messages by their time; events get an opaque "f:" id.
        number = next(_ids)
        activity_id = str(1_700_000_000_000 + number) if kind == "message" else f"f:{number:012d}"
    now = _now()
    return {
        "type": kind,
        "id": activity_id,
        "timestamp": now,
        "localTimestamp": now.replace("Z", "+00:00"),
        "localTimezone": "Europe/Oslo",
        "serviceUrl": service_url,
        "channelId": "msteams",
        "from": sender.as_json(),
        "conversation": conversation,
        "recipient": (recipient or bot()).as_json(),
        "entities": [{"locale": locale, "country": locale.rpartition("-")[2] or "NO", "platform": "Web",
                      "timezone": "Europe/Oslo", "type": "clientInfo"}],
        "channelData": channel_data,
        "locale": locale,
    }


def message(text: str, *, sender: Account, scope: Scope = "personal", mentions: Sequence[Account] = (),
            conversation_id: str | None = None, reply_to_id: str | None = None,
            service_url: str = SERVICE_URL, tenant_id: str = TENANT_ID, recipient: Account | None = None,
            locale: str = "nb-NO", team_id: str = TEAM_ID, channel_id: str = CHANNEL_ID,
            mention_object_ids: bool = False, activity_id: str | None = None) -> dict[str, Any]:
    """A message someone typed. Each ``<at>Name</at>`` in `text` (see `at`) becomes a mention
    entity for the account of that name in `mentions` (the bot is known by default); in a channel
    Teams only delivers messages that mention the bot. `mention_object_ids` also puts each
    person's aadObjectId in their mention (Teams does not always)."""
    activity = _envelope("message", sender=sender, scope=scope, conversation_id=conversation_id,
                         service_url=service_url, tenant_id=tenant_id, recipient=recipient,
                         locale=locale, team_id=team_id, channel_id=channel_id, activity_id=activity_id)
    known = {account.name: account for account in (recipient or bot(), *mentions)}
    mentioned = []
    for name in re.findall(r"<at>(.*?)</at>", text):
        account = known.get(name)
        if account is None:
            raise ValueError(f"no account named {name!r} among the mentions")
        target: dict[str, Any] = {"id": account.id, "name": account.name}
        if mention_object_ids and account.aad_object_id:
            target["aadObjectId"] = account.aad_object_id
        mentioned.append({"type": "mention", "text": f"<at>{name}</at>", "mentioned": target})
    activity.update({"text": text, "textFormat": "plain", "attachments": []})
    activity["entities"] = mentioned + activity["entities"]
    if scope == "channel" and reply_to_id is None and conversation_id is None:
        # A new post in a channel is its own thread: its conversation names the root message.
        activity["conversation"]["id"] = f"{channel_id};messageid={activity['id']}"
    if reply_to_id:
        activity["replyToId"] = reply_to_id
    return activity


def invoke_action(verb: str, data: dict[str, Any], *, sender: Account, scope: Scope = "personal",
                  card_activity_id: str | None = None, conversation_id: str | None = None,
                  service_url: str = SERVICE_URL, tenant_id: str = TENANT_ID, locale: str = "nb-NO",
                  team_id: str = TEAM_ID, channel_id: str = CHANNEL_ID) -> dict[str, Any]:
    """A click on an Adaptive Card's ``Action.Execute`` (Universal Actions): an invoke named
    ``adaptiveCard/action``, replying to the card's message."""
    activity = _envelope("invoke", sender=sender, scope=scope, conversation_id=conversation_id,
                         service_url=service_url, tenant_id=tenant_id, recipient=None, locale=locale,
                         team_id=team_id, channel_id=channel_id)
    activity.update({"name": "adaptiveCard/action",
                     "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data},
                               "trigger": "manual"}})
    if card_activity_id:
        activity["replyToId"] = card_activity_id
    return activity


def _task(name: str, data: dict[str, Any], sender: Account, scope: Scope, conversation_id: str | None,
          card_activity_id: str | None, service_url: str, tenant_id: str, locale: str) -> dict[str, Any]:
    activity = _envelope("invoke", sender=sender, scope=scope, conversation_id=conversation_id,
                         service_url=service_url, tenant_id=tenant_id, recipient=None, locale=locale,
                         team_id=TEAM_ID, channel_id=CHANNEL_ID)
    activity.update({"name": name, "value": {"data": data, "context": {"theme": "default"}}})
    if card_activity_id:
        activity["replyToId"] = card_activity_id
    return activity


def task_fetch(data: dict[str, Any], *, sender: Account, scope: Scope = "personal",
               conversation_id: str | None = None, card_activity_id: str | None = None,
               service_url: str = SERVICE_URL, tenant_id: str = TENANT_ID,
               locale: str = "nb-NO") -> dict[str, Any]:
    """A dialog (task module) asked for: a button with ``msteams: {"type": "task/fetch"}``; its
    `data` holds the button's data (with that ``msteams`` key, as Teams sends it)."""
    payload = {"msteams": {"type": "task/fetch"}, **data}
    return _task("task/fetch", payload, sender, scope, conversation_id, card_activity_id, service_url,
                 tenant_id, locale)


def task_submit(data: dict[str, Any], *, sender: Account, scope: Scope = "personal",
                conversation_id: str | None = None, card_activity_id: str | None = None,
                service_url: str = SERVICE_URL, tenant_id: str = TENANT_ID,
                locale: str = "nb-NO") -> dict[str, Any]:
    """A dialog's form submitted: its inputs and the submit action's data, in `value.data`."""
    return _task("task/submit", dict(data), sender, scope, conversation_id, card_activity_id,
                 service_url, tenant_id, locale)


def conversation_update(*, sender: Account, members_added: Sequence[Account] = (),
                        members_removed: Sequence[Account] = (),
                        scope: Literal["personal", "team"] = "personal",
                        service_url: str = SERVICE_URL, tenant_id: str = TENANT_ID, team_id: str = TEAM_ID,
                        channel_id: str = CHANNEL_ID, team_name: str = "Dialog",
                        locale: str = "nb-NO") -> dict[str, Any]:
    """Members added to or removed from a conversation: the bot itself when installed (``28:…``),
    or people. For a team, the conversation is the channel chosen at install (`channel_id`)."""
    activity = _envelope("conversationUpdate", sender=sender,
                         scope="personal" if scope == "personal" else "channel", conversation_id=None,
                         service_url=service_url, tenant_id=tenant_id, recipient=None, locale=locale,
                         team_id=team_id, channel_id=channel_id, team_name=team_name)
    if members_added:
        activity["membersAdded"] = [account.as_json() for account in members_added]
    if members_removed:
        activity["membersRemoved"] = [account.as_json() for account in members_removed]
    if scope == "team":
        data = activity["channelData"]
        data["settings"] = {"selectedChannel": {"id": channel_id}}
        data["eventType"] = "teamMemberAdded" if members_added else "teamMemberRemoved"
    return activity


def installation_update(*, sender: Account, action: Literal["add", "remove"] = "add",
                        scope: Literal["personal", "team"] = "personal", service_url: str = SERVICE_URL,
                        tenant_id: str = TENANT_ID, team_id: str = TEAM_ID, channel_id: str = CHANNEL_ID,
                        team_name: str = "Dialog", locale: str = "nb-NO") -> dict[str, Any]:
    """The app installed (``add``) or uninstalled (``remove``) for a person or in a team."""
    activity = _envelope("installationUpdate", sender=sender,
                         scope="personal" if scope == "personal" else "channel", conversation_id=None,
                         service_url=service_url, tenant_id=tenant_id, recipient=None, locale=locale,
                         team_id=team_id, channel_id=channel_id, team_name=team_name)
    activity["action"] = action
    activity["channelData"]["source"] = {"name": "message"}
    if scope == "team":
        activity["channelData"]["settings"] = {"selectedChannel": {"id": channel_id}}
    return activity
