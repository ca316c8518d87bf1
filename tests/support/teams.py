"""The real bot serving a Teams tenant in-process, against the fake Bot Connector: activities are
posted to its real `/api/messages`, and what it sends is read back from the fake."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from config import Settings, load_settings
from fakes.teams import activities
from fakes.teams.activities import Account
from fakes.teams.connector import FakeConnector, Sent
from services.clock import Clock
from tests.support.harness import RunningBot, running_bot

TENANT = activities.TENANT_ID
COORDINATOR = activities.user("Kari Koordinator")
MEMBER = activities.user("Ola Nordmann")
OUTSIDER = activities.user("Per Utenfor")
BOT = activities.bot()


def teams_settings(database_url: str, **overrides: str) -> Settings:
    """Settings for a bot serving the fake tenant alone (no Slack), activities unauthenticated."""
    env = {"DATABASE_URL": database_url, "TEAMS_TENANT_ID": TENANT, "TEAMS_ANONYMOUS": "true",
           "TEAMS_COORDINATORS": str(COORDINATOR.aad_object_id), "DIALOG_LANGUAGE": "nb",
           "DIALOG_INVITE_LEAD": "14d"}
    env.update(overrides)
    return load_settings(env)


class TeamsClient:
    """Posts activities to the bot as the Bot Connector does, with the fake's service URL."""

    def __init__(self, bot: RunningBot, connector: FakeConnector) -> None:
        self.bot = bot
        self.connector = connector

    def post(self, activity: dict[str, Any], *, authorization: str | None = None) -> tuple[int, Any]:
        """POST one activity; its status and decoded JSON body (None when empty)."""
        activity = {**activity, "serviceUrl": self.connector.url}
        request = urllib.request.Request(self.bot.url + "/api/messages", data=json.dumps(activity).encode(),
                                         headers={"Content-Type": "application/json",
                                                  **({"Authorization": authorization} if authorization else {})})
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                raw = response.read()
                return response.status, json.loads(raw) if raw else None
        except urllib.error.HTTPError as error:
            raw = error.read()
            return error.code, json.loads(raw) if raw else None

    def install(self, person: Account) -> None:
        """The app installed for `person` (their chat with the bot exists from now)."""
        status, _ = self.post(activities.conversation_update(sender=person, members_added=[BOT]))
        assert status == 200

    def say(self, person: Account, text: str, **options: Any) -> tuple[int, Any]:
        """`person` writes `text` to the bot (their own chat unless `scope` says otherwise)."""
        return self.post(activities.message(text, sender=person, **options))

    def click(self, person: Account, verb: str, data: dict[str, Any], **options: Any) -> str:
        """`person` clicks a card's Action.Execute; the text the invoke answered with."""
        status, body = self.post(activities.invoke_action(verb, data, sender=person, **options))
        assert status == 200 and body["statusCode"] == 200, body
        return str(body["value"])

    def personal(self, person: Account) -> list[Sent]:
        """What the bot sent into `person`'s chat with it."""
        return self.connector.messages_to(activities.personal_conversation(person))

    def wait_personal(self, person: Account, count: int, timeout: float = 20.0) -> list[Sent]:
        """Wait until `person`'s chat holds at least `count` messages from the bot."""
        conversation = activities.personal_conversation(person)
        return self.connector.wait_for(
            lambda sent: [s for s in sent if s.conversation_id == conversation and s.operation != "update"]
            if len([s for s in sent if s.conversation_id == conversation and s.operation != "update"]) >= count
            else None, timeout)


@contextmanager
def running_teams_bot(database_url: str, *, clock: Clock | None = None,
                      **overrides: str) -> Iterator[TeamsClient]:
    """The bot serving the fake tenant (on `clock`, if given), with the fake Bot Connector, torn
    down afterwards."""
    with FakeConnector() as connector, running_bot(teams_settings(database_url, **overrides),
                                                   clock=clock) as bot:
        # Mentions name people by their Teams id; the bot asks the Connector for their object id.
        for person in (COORDINATOR, MEMBER, OUTSIDER):
            connector.add_member(person.id, name=person.name, aad_object_id=str(person.aad_object_id))
        yield TeamsClient(bot, connector)
