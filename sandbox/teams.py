"""The sandbox's Teams side: the fake Bot Connector the bot sends to, the demo people of a Teams
tenant acting through the bot's real `/api/messages`, and the page's view of the conversations.

Everything the bot sends is read back from the fake Connector as it now stands (cards after their
updates); what the demo people write is kept here, since Teams' side of the conversation never
passes through the Connector. Both live in memory only: after a restart the page starts with the
channel's set-up, and the Teams workspace's data (roster, topics, meetings) is in the database as
before.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, jsonify, request

from fakes.teams import activities
from fakes.teams.activities import Account
from fakes.teams.connector import FakeConnector, Sent
from sandbox import demo
from sandbox.workspace import SandboxError
from services.container import Services
from services.people import Actor
from services.roster import RosterRow
from services.suggestions import SuggestionInput

log = logging.getLogger(__name__)

TENANT_ID = activities.TENANT_ID
CHANNEL_ID = activities.CHANNEL_ID
CHANNEL_NAME = "Dialog"
TEAM_NAME = "Fjordby (sandbox)"
MESSAGES_PATH = "/api/messages"
TEAMS_PREFIX = "/sandbox/api/teams/"
BOT = activities.bot()
# Teams speaks Norwegian (Slack does not): the coordinator and Ola's organisation use it.
_LOCALES = {demo.COORDINATOR: "nb-NO", "U0OLA": "nb-NO"}
_MAX_TEXT = 4000
CARD_TYPE = "application/vnd.microsoft.card.adaptive"
_POST_TIMEOUT = 30.0


@dataclass(frozen=True)
class TeamsPerson:
    """A demo person as Teams knows them: their account (``29:…`` id and Entra object id)."""

    key: str  # the Slack demo person's id: the same person on the other platform
    account: Account
    title: str
    locale: str

    @property
    def id(self) -> str:
        """Their Microsoft Entra object id: the bot's id for them."""
        return str(self.account.aad_object_id)

    @property
    def chat(self) -> str:
        """Their one-to-one chat with the bot."""
        return activities.personal_conversation(self.account)

    def as_json(self) -> dict[str, Any]:
        """As the page lists them."""
        return {"id": self.id, "name": self.account.name, "title": self.title, "locale": self.locale,
                "chat": self.chat, "coordinator": self.key == demo.COORDINATOR}


PEOPLE: tuple[TeamsPerson, ...] = tuple(
    TeamsPerson(p.id, activities.user(p.real_name), p.title, _LOCALES.get(p.id, "en-GB"))
    for p in demo.PEOPLE)
"""The Slack demo's people, in the same order (the coordinator first)."""
COORDINATOR = PEOPLE[0]


@dataclass(frozen=True)
class _Posted:
    """Something a demo person wrote, placed after the bot's first `after` activities."""

    after: int
    conversation_id: str
    activity_id: str
    sender: str
    text: str


def settings_overrides(coordinators: tuple[str, ...] = ()) -> dict[str, Any]:
    """The Teams settings the sandbox runs with: the fake tenant, unauthenticated activities (the
    sandbox is on loopback), the demo coordinator (besides any configured)."""
    return {"teams_tenant_id": TENANT_ID, "teams_anonymous": True, "teams_app_id": "",
            "teams_coordinators": tuple(dict.fromkeys((*coordinators, COORDINATOR.id)))}


def roster() -> tuple[RosterRow, ...]:
    """The Slack demo's roster with its people's Teams ids; the e-mail-only organisation is left to
    the Slack workspace (its e-mails would otherwise reach the Mailbox twice)."""
    ids = {p.key: p.id for p in PEOPLE}
    return tuple(dataclasses.replace(row, contacts=tuple(ids[str(c)] for c in row.contacts))
                 for row in demo.ROSTER if all(str(c) in ids for c in row.contacts))


class TeamsSandbox:
    """The fake Connector, the demo people acting in Teams, and what the page shows of it."""

    def __init__(self) -> None:
        self.connector = FakeConnector()
        self._bot_url = ""
        self._posted: list[_Posted] = []
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._released = threading.Event()

    # -- lifetime ------------------------------------------------------------------------

    def start(self) -> None:
        """Serve the fake Connector on loopback; put the demo people in its directory."""
        self.connector.start()
        for person in PEOPLE:
            # Mentions name people by their Teams id; the bot asks the Connector for the object id.
            self.connector.add_member(person.account.id, name=person.account.name,
                                      aad_object_id=person.id, tenant_id=TENANT_ID)

    def release_waiters(self) -> None:
        """Stopping: the page's waiting requests return at once, and no new one waits."""
        self._released.set()

    def stop(self) -> None:
        """Stop serving the fake Connector."""
        self._released.set()
        self.connector.stop()

    def connect(self, url: str) -> None:
        """Where the bot's `/api/messages` is (the sandbox's own address), and introduce everyone:
        the app installed for each person, in the team, and the channel set up by the coordinator.
        Done at every start: the Connector's address, kept in the conversation references, changes."""
        self._bot_url = url.rstrip("/") + MESSAGES_PATH
        for person in PEOPLE:
            self._post(activities.conversation_update(sender=person.account, members_added=[BOT],
                                                      locale=person.locale))
        self._post(activities.conversation_update(sender=COORDINATOR.account, members_added=[BOT],
                                                  scope="team", team_name=TEAM_NAME,
                                                  locale=COORDINATOR.locale))
        self.say(COORDINATOR.id, "channel", "setup")

    @staticmethod
    def seed(services: Services, actor: Callable[[str], Actor]) -> bool:
        """The Slack demo's roster, proposals and suggestion in an empty Teams workspace (its own
        numbers); returns whether it did. `actor` makes a Teams actor from an object id."""
        ids = {p.key: p.id for p in PEOPLE}
        coordinator = actor(COORDINATOR.id)
        if services.roster.organisations(coordinator):
            return False
        services.roster.import_rows(coordinator, roster())
        for proposer, title, details in demo.PROPOSALS:
            services.topics.propose(actor(ids[proposer]), title, details)
        services.suggestions.suggest(actor(ids["U0OLA"]), SuggestionInput(
            "Fjordby Night Shelter (demo)", "They meet the people sleeping rough every night, and nobody on "
            "the roster does.", contact="post@nightshelter.example", perspective="public-health"))
        log.info("sandbox: seeded the Teams demo roster and %d proposals", len(demo.PROPOSALS))
        return True

    # -- acting --------------------------------------------------------------------------

    def say(self, user: str, where: str, text: str) -> None:
        """`user` writes `text` to the bot: in their chat (`chat`), or in the channel (`channel`,
        as a new post mentioning the bot, which is all Teams delivers to a bot from a channel)."""
        person = _person(user)
        text = text.strip()
        if not text:
            raise SandboxError("Write something first.")
        if len(text) > _MAX_TEXT:
            raise SandboxError(f"A message is at most {_MAX_TEXT} characters here.")
        if "<at>" in text.lower():
            raise SandboxError("Mentions are not available in the sandbox's Teams view.")
        if where == "channel":
            activity = activities.message(f"{activities.at(BOT)} {text}", sender=person.account,
                                          scope="channel", locale=person.locale)
            shown = f"@{BOT.name} {text}"
        elif where == "chat":
            activity = activities.message(text, sender=person.account, locale=person.locale)
            shown = text
        else:
            raise SandboxError("Write in the channel or in your chat with the bot.")
        # The Connector's lock is never taken while holding ours (its waiters call `version`).
        after = len(self.connector.sent)
        with self._lock:
            self._posted.append(_Posted(after, activity["conversation"]["id"], activity["id"], person.id,
                                        shown))
        self._post(activity)

    def click(self, user: str, conversation_id: str, activity_id: str, verb: str,
              data: dict[str, Any]) -> str:
        """`user` clicks a card's Action.Execute; the text the bot answered the click with."""
        person = _person(user)
        scope, conversation = self._where(person, conversation_id)
        body = self._post(activities.invoke_action(
            verb, data, sender=person.account, scope=scope, conversation_id=conversation,
            card_activity_id=activity_id or None, locale=person.locale))
        if not isinstance(body, dict) or body.get("statusCode") != 200:
            raise SandboxError("The bot did not answer the click.", 502)
        return str(body.get("value") or "")

    def dialog(self, user: str, conversation_id: str, activity_id: str, kind: str,
               data: dict[str, Any]) -> dict[str, Any]:
        """`user` opens a dialog (`fetch`) or submits one (`submit`); the bot's `task` answer."""
        person = _person(user)
        scope, conversation = self._where(person, conversation_id)
        build = {"fetch": activities.task_fetch, "submit": activities.task_submit}.get(kind)
        if build is None:
            raise SandboxError("A dialog is fetched or submitted.")
        body = self._post(build(data, sender=person.account, scope=scope, conversation_id=conversation,
                                card_activity_id=activity_id or None, locale=person.locale))
        task = body.get("task") if isinstance(body, dict) else None
        if not isinstance(task, dict):
            raise SandboxError("The bot did not answer with a dialog.", 502)
        return task

    def _where(self, person: TeamsPerson, conversation_id: str) -> tuple[activities.Scope, str]:
        """The scope and conversation of a click: the channel (or a thread in it), or the clicker's
        own chat (a person sees no one else's)."""
        if conversation_id.split(";")[0] == CHANNEL_ID:
            return "channel", conversation_id
        if conversation_id == person.chat:
            return "personal", conversation_id
        raise SandboxError("That card is in someone else's chat.", 403)

    def _post(self, activity: dict[str, Any]) -> Any:
        """POST an activity to the bot as the Connector does; its decoded answer (None when empty)."""
        if not self._bot_url:
            raise SandboxError("The bot is starting.", 503)
        activity = {**activity, "serviceUrl": self.connector.url}
        posted = urllib.request.Request(self._bot_url, data=json.dumps(activity).encode("utf-8"),
                                        headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(posted, timeout=_POST_TIMEOUT) as answer:
                raw = answer.read()
        except urllib.error.HTTPError as error:
            raise SandboxError(f"The bot refused the activity (HTTP {error.code}).", 502) from None
        except OSError as error:
            raise SandboxError(f"The bot cannot be reached ({error}).", 502) from None
        return json.loads(raw) if raw else None

    # -- what the page shows -------------------------------------------------------------

    @property
    def version(self) -> int:
        """Grows with every activity the bot sends or updates and every message people write."""
        sent = len(self.connector.sent)
        with self._lock:
            return sent + len(self._posted)

    def wait_for_change(self, since: int, timeout: float) -> None:
        """Return when the version is no longer `since`, after `timeout`, or when stopping."""
        deadline = time.monotonic() + timeout
        while not self._released.is_set() and self.version == since:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            try:
                # The Connector wakes this at each activity; a person's post brings the bot's answer.
                # Short waits so that stopping is noticed.
                self.connector.wait_for(lambda _: self.version != since or None, min(remaining, 1.0))
            except TimeoutError:
                continue

    @property
    def released(self) -> bool:
        """Whether the sandbox is stopping."""
        return self._released.is_set()

    def state(self) -> dict[str, Any]:
        """The people, and the channel's posts (with their replies) and each person's chat, every
        card as it now stands."""
        sent = self.connector.sent
        with self._lock:
            posted = list(self._posted)
        entries: list[tuple[int, int, dict[str, Any], str]] = []
        for index, item in enumerate(sent):
            if item.operation == "update":
                continue
            current = self.connector.activity(item.conversation_id, item.activity_id) or item.activity
            entries.append((index, 1, _bot_message(item, current), item.conversation_id))
        for number, post in enumerate(posted):
            message = {"id": post.activity_id, "from": post.sender, "text": post.text, "card": None,
                       "seq": number}
            entries.append((post.after, 0, message, post.conversation_id))
        entries.sort(key=lambda entry: (entry[0], entry[1], entry[2].get("seq", 0)))
        channel: dict[str, dict[str, Any]] = {}
        chats: dict[str, list[dict[str, Any]]] = {p.chat: [] for p in PEOPLE}
        for _, _, message, conversation in entries:
            message.pop("seq", None)
            base, _, root = conversation.partition(";messageid=")
            if base == CHANNEL_ID:
                root = root or message.get("reply_to") or message["id"]
                thread = channel.setdefault(root, {"id": root, "conversation": conversation, "replies": []})
                if message["id"] == root:
                    thread.update(message)
                    thread["conversation"] = conversation
                else:
                    thread["replies"].append({**message, "conversation": conversation})
            elif conversation in chats:
                chats[conversation].append({**message, "conversation": conversation})
        posts = [thread for thread in channel.values() if "from" in thread]
        return {"version": len(sent) + len(posted), "bot": {"id": BOT.id, "name": BOT.name},
                "team": TEAM_NAME, "channel": {"id": CHANNEL_ID, "name": CHANNEL_NAME, "posts": posts},
                "people": [p.as_json() for p in PEOPLE], "chats": chats}


def _bot_message(item: Sent, current: dict[str, Any]) -> dict[str, Any]:
    """One of the bot's messages as the page shows it: its text, or its Adaptive Card."""
    card = next((a.get("content") for a in current.get("attachments") or []
                 if isinstance(a, dict) and a.get("contentType") == CARD_TYPE),
                None)
    return {"id": item.activity_id, "from": "bot", "text": str(current.get("text") or ""),
            "summary": str(current.get("summary") or ""), "card": card if isinstance(card, dict) else None,
            "reply_to": item.reply_to_id}


def _person(user: str) -> TeamsPerson:
    for person in PEOPLE:
        if person.id == user:
            return person
    raise SandboxError("Choose one of the sandbox's Teams people.")


def register(web: Flask, teams: TeamsSandbox, long_poll: float) -> None:
    """The page's Teams endpoints under /sandbox/api/teams/."""

    @web.get(TEAMS_PREFIX + "state")
    def teams_state() -> Any:
        if teams.released:
            return jsonify(ok=False, error="The sandbox is stopping."), 503
        since = request.args.get("since", type=int)
        if since is not None:
            teams.wait_for_change(since, long_poll)
        return jsonify(teams.state())

    @web.post(TEAMS_PREFIX + "send")
    def teams_send() -> Any:
        body = _json()
        teams.say(_text(body, "user"), _text(body, "where"), _text(body, "text"))
        return jsonify(ok=True)

    @web.post(TEAMS_PREFIX + "click")
    def teams_click() -> Any:
        body = _json()
        answer = teams.click(_text(body, "user"), _text(body, "conversation"), _text(body, "activity"),
                             _text(body, "verb"), _data(body))
        return jsonify(ok=True, text=answer)

    @web.post(TEAMS_PREFIX + "dialog")
    def teams_dialog() -> Any:
        body = _json()
        task = teams.dialog(_text(body, "user"), _text(body, "conversation"), _text(body, "activity"),
                            _text(body, "kind"), _data(body))
        return jsonify(ok=True, task=task)


def _json() -> dict[str, Any]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise SandboxError("Send a JSON object.")
    return body


def _text(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    return value if isinstance(value, str) else ""


def _data(body: dict[str, Any]) -> dict[str, Any]:
    value = body.get("data")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise SandboxError("data must be a JSON object.")
    return value
