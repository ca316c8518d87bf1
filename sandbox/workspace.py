"""The browser sandbox's workspace: the people in it act on the bot as Slack's clients would.

The Web API side is :class:`~fakes.slack.FakeSlack`, the same fake the tests use. This
module is the other side: what a person does in the page (types a slash command, clicks a
button, fills in and submits a modal, opens the Home tab) becomes the request Slack would send,
built by :mod:`fakes.slack.requests` from recorded payloads, signed with the app's signing
secret and POSTed to the bot's ``/slack/events``. Nothing in the bot knows it is in a sandbox.

What the bot answers in the acknowledgement is applied as Slack applies it: a slash
command's body becomes an ephemeral message, a submission's ``response_action`` shows errors
on the form or updates, pushes or clears the modal stack.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import threading
import uuid
from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fakes.slack import FakeSlack, Response, SlackRequester
from sandbox.demo import Person

log = logging.getLogger(__name__)

COMMAND = "/dialog"
"""The one slash command the app installs (manifest.json)."""

LONG_POLL_SECONDS = 20.0
SAVE_COALESCE_SECONDS = 0.3

_TEXT_ELEMENTS = frozenset({"plain_text_input", "url_text_input", "email_text_input", "number_input"})
_VIEW_FIELDS = ("id", "type", "title", "submit", "close", "blocks", "hash", "private_metadata",
                "callback_id")


class SandboxError(Exception):
    """Something a person did in the page that cannot be done; the message says why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


class SandboxWorkspace:
    """People, the dialogue channel and the bot's fake Slack, driven from the browser.

    Args:
        fake: The Web API the bot's client talks to.
        people: Who can be acted as; added to ``fake`` as members.
        channel_id, channel_name: The dialogue channel, created in ``fake``.
        signing_secret: The app's signing secret; every request to the bot is signed with it.
    """

    def __init__(self, fake: FakeSlack, people: Iterable[Person], *, channel_id: str, channel_name: str,
                 signing_secret: str) -> None:
        self.fake = fake
        self.people = {person.id: person for person in people}
        self.channel_id = channel_id
        self.channel_name = channel_name
        self.signing_secret = signing_secret
        self._requester: SlackRequester | None = None
        self._saver: threading.Thread | None = None
        self._stop = threading.Event()
        self._state_file: Path | None = None
        self._save_lock = threading.Lock()

    @property
    def first_person(self) -> str:
        """Who a newly opened page acts as (the demo's coordinator)."""
        return next(iter(self.people))

    @property
    def state_file(self) -> Path | None:
        """Where the workspace is kept between runs (:meth:`keep_in`), if anywhere."""
        return self._state_file

    # -- set-up -------------------------------------------------------------------------

    def populate(self) -> None:
        """Make sure the channel and every person exist (after a restore, too)."""
        self.fake.add_channel(self.channel_id, self.channel_name)
        for person in self.people.values():
            self.fake.add_user(person.id, name=person.name, real_name=person.real_name,
                               locale=person.locale, tz=person.tz)

    def connect(self, bot_url: str) -> None:
        """Send people's requests to the bot listening at ``bot_url``."""
        self._requester = SlackRequester(bot_url, self.signing_secret, team_id=self.fake.team_id,
                                         triggers=self.fake.issue_trigger, timeout=30.0)

    def keep_in(self, path: Path) -> None:
        """Restore the workspace from ``path`` if it exists, and save it there after changes,
        so messages survive a restart as the bot's database does."""
        if path.is_file():
            try:
                self.fake.restore(json.loads(path.read_text(encoding="utf-8")))
                log.info("sandbox: restored the workspace from %s", path)
            except (OSError, ValueError, TypeError, KeyError) as exc:
                # Named by time, so that an earlier unreadable file is never overwritten either.
                kept = path.with_name(f"{path.name}.unreadable-{datetime.now():%Y%m%d-%H%M%S-%f}")
                try:
                    os.replace(path, kept)
                except OSError as moving:
                    # Saving over it would lose it: keep the old file and do not save at all.
                    raise SandboxError(f"cannot read {path} ({exc}) nor move it aside ({moving})",
                                       500) from None
                log.warning("sandbox: could not read %s (%s); starting afresh, the old file is %s",
                            path, exc, kept)
        # Only now: a file that could be neither read nor moved aside must never be saved over.
        self._state_file = path
        self.populate()
        self._stop.clear()
        self._saver = threading.Thread(target=self._save_loop, name="sandbox-saver", daemon=True)
        self._saver.start()

    def close(self) -> None:
        """Stop saving in the background, after one last save."""
        self._stop.set()
        if self._saver is not None:
            self._saver.join(timeout=5)
            self._saver = None
        self._save()

    # -- what the page shows --------------------------------------------------------------

    def state(self, user_id: str, since: int | None = None,
              timeout: float = LONG_POLL_SECONDS) -> dict[str, Any]:
        """Everything ``user_id`` sees; with ``since``, first wait (up to ``timeout``) for a change."""
        me = self._person(user_id)
        if since is not None:
            self.fake.wait_for_change(since, timeout)
        version = self.fake.version
        members = {user["id"]: user for user in self.fake.users()}
        dm = self.fake.dm_channel_id(user_id)
        ephemerals = [e for e in self.fake.ephemerals if e["user"] == user_id]
        messages = {
            channel: self._conversation(channel, ephemerals) for channel in (self.channel_id, dm)
        }
        bot = members[self.fake.bot_user_id]
        home = self.fake.home_view(user_id)
        modal = self.fake.modal(user_id)
        return {
            "version": version,
            "workspace": {
                "team_id": self.fake.team_id,
                "team_name": self.fake.team_name,
                "channel": {"id": self.channel_id, "name": self.channel_name},
                "bot": {"id": bot["id"], "name": bot["name"], "real_name": bot["real_name"]},
            },
            "me": self._member(members[user_id], me),
            "users": [self._member(user, self.people.get(user["id"])) for user in members.values()],
            "conversations": [
                {"id": self.channel_id, "name": self.channel_name, "kind": "channel"},
                {"id": dm, "name": bot["name"], "kind": "dm"},
            ],
            "messages": messages,
            "home": _shown_view(home) if home else None,
            "modal": {"view": _shown_view(modal)} if modal else None,
        }

    # -- what people do ---------------------------------------------------------------------

    def send(self, user_id: str, channel: str, text: str) -> None:
        """What ``user_id`` typed in ``channel``: a slash command, or a message to the others."""
        self._person(user_id)
        channel = self._conversation_of(user_id, channel)
        text = text.strip()
        if not text:
            raise SandboxError("Type a message, or a command such as /dialog help.")
        if not text.startswith("/"):
            self.fake.post_as_user(user_id, channel, text)
            return
        command, _, rest = text.partition(" ")
        if command != COMMAND:
            raise SandboxError(f"{command} is not a command here. This workspace has {COMMAND}: "
                               f"try {COMMAND} help.")
        key = f"command-{uuid.uuid4().hex}"
        response_url = self.fake.bind_response_url(key, user_id=user_id, channel=channel)
        person = self.people[user_id]
        answer = self._bot().slash_command(
            rest.strip(), user_id=user_id, user_name=person.name, channel_id=channel,
            response_url=response_url, channel_name=self._channel_name(channel),
        )
        self._check(answer, command)
        body = _json_body(answer)
        if isinstance(body, dict) and (body.get("text") or body.get("blocks")):
            self.fake.show_ack(key, body)

    def act(self, user_id: str, container: Mapping[str, Any], block_id: str, action_id: str,
            action: Mapping[str, Any], values: Mapping[str, Any] | None = None) -> None:
        """A click (or a pick) by ``user_id`` on an interactive element of a message or a view."""
        self._person(user_id)
        kind = container.get("type")
        if kind == "message":
            self._act_on_message(user_id, container, block_id, action_id, action)
        elif kind == "view":
            self._act_on_view(user_id, str(container.get("view_id") or ""), block_id, action_id, action,
                              values or {})
        else:
            raise SandboxError("An action comes from a message or a view.")

    def submit(self, user_id: str, view_id: str, values: Mapping[str, Any]) -> dict[str, str]:
        """Submit ``user_id``'s modal; returns errors to show on its fields (none: it was taken)."""
        view = self._entered(user_id, self._own_view(user_id, view_id), values)
        answer = self._bot().view_submission(
            view.get("callback_id") or "", view["state"]["values"],
            user_id=user_id, user_name=self.people[user_id].name,
            private_metadata=view.get("private_metadata") or "", view_id=view_id, hash=view.get("hash") or "",
            opened=view,
        )
        self._check(answer, "the form")
        body = _json_body(answer)
        action = body.get("response_action") if isinstance(body, dict) else None
        if action == "errors":
            errors = body.get("errors") or {}
            return {str(block): str(message) for block, message in errors.items()}
        if action in ("update", "push"):
            try:
                self.fake.replace_modal(user_id, view_id, body.get("view") or {}, push=action == "push")
            except KeyError:
                raise SandboxError("That form is no longer open.", 404) from None
            except ValueError as exc:
                raise SandboxError(f"Dialogbot answered with a form Slack would refuse: {exc}", 502) from None
        elif action == "clear":
            self.fake.close_modal(user_id, all_views=True)
        else:
            self.fake.close_modal(user_id, view_id)
        return {}

    def close_view(self, user_id: str, view_id: str) -> None:
        """``user_id`` closed their modal without submitting it."""
        self._own_view(user_id, view_id)
        self.fake.close_modal(user_id, view_id)

    def open_home(self, user_id: str) -> None:
        """``user_id`` opened the app's Home tab (Slack's ``app_home_opened`` event)."""
        self._person(user_id)
        event: dict[str, Any] = {"type": "app_home_opened", "user": user_id,
                                 "channel": self.fake.dm_channel_id(user_id), "tab": "home"}
        home = self.fake.home_view(user_id)
        if home is not None:
            event["view"] = home
        self._check(self._bot().event(event), "the Home tab")

    # -- helpers ------------------------------------------------------------------------

    def _act_on_message(self, user_id: str, container: Mapping[str, Any], block_id: str, action_id: str,
                        action: Mapping[str, Any]) -> None:
        channel = self._conversation_of(user_id, str(container.get("channel") or ""))
        ts = str(container.get("ts") or "")
        ephemeral = bool(container.get("ephemeral"))
        if ephemeral:
            found = next((e for e in self.fake.ephemerals if e["ts"] == ts and e["user"] == user_id), None)
        else:
            found = next((m for m in self.fake.messages(channel) if m["ts"] == ts), None)
        if found is None:
            raise SandboxError("That message is no longer there.", 404)
        element = _find_element(found.get("blocks") or [], block_id, action_id)
        key = f"action-{uuid.uuid4().hex}"
        response_url = self.fake.bind_response_url(key, user_id=user_id, channel=channel, message_ts=ts,
                                                   ephemeral=ephemeral)
        answer = self._bot().block_action(
            action_id, str(element.get("value") or ""), user_id=user_id, user_name=self.people[user_id].name,
            channel_id=channel, message_ts=ts, block_id=block_id, response_url=response_url,
            message=None if ephemeral else found, action=_action_fields(element, action), ephemeral=ephemeral,
        )
        self._check(answer, "the button")

    def _act_on_view(self, user_id: str, view_id: str, block_id: str, action_id: str,
                     action: Mapping[str, Any], values: Mapping[str, Any]) -> None:
        view = self._own_view(user_id, view_id)
        element = _find_element(view.get("blocks") or [], block_id, action_id)
        if view.get("type") == "modal":
            view = self._entered(user_id, view, values)
        answer = self._bot().block_action(
            action_id, str(element.get("value") or ""), user_id=user_id, user_name=self.people[user_id].name,
            block_id=block_id, container_type="view", view=view, action=_action_fields(element, action),
        )
        self._check(answer, "the form")

    def _entered(self, user_id: str, view: dict[str, Any], values: Mapping[str, Any]) -> dict[str, Any]:
        """Record in the fake what ``user_id`` has entered in ``view`` so far; returns the view."""
        state = state_values(view, values, ZoneInfo(self.people[user_id].tz), self._member_ids())
        return self.fake.set_view_state(view["id"], state)

    def _conversation(self, channel: str, ephemerals: list[dict[str, Any]]) -> list[dict[str, Any]]:
        shown = [_shown_message(m, ephemeral=False) for m in self.fake.messages(channel)]
        # An ephemeral message is the bot's, shown to one person ("Only visible to you").
        shown += [_shown_message({**e, "user": self.fake.bot_user_id}, ephemeral=True)
                  for e in ephemerals if e["channel"] == channel]
        return sorted(shown, key=lambda m: Decimal(m["ts"]))

    def _member(self, user: Mapping[str, Any], person: Person | None) -> dict[str, Any]:
        return {
            "id": user["id"], "name": user["name"], "real_name": user["real_name"], "tz": user["tz"],
            "is_bot": user["is_bot"], "title": person.title if person else "",
        }

    def _member_ids(self) -> set[str]:
        return {user["id"] for user in self.fake.users() if not user["is_bot"]}

    def _person(self, user_id: str) -> Person:
        person = self.people.get(user_id)
        if person is None:
            raise SandboxError(f"There is nobody called {user_id!r} in this workspace.", 404)
        return person

    def _conversation_of(self, user_id: str, channel: str) -> str:
        """Only the dialogue channel and the person's own DM with the bot are theirs to use."""
        if channel in (self.channel_id, self.fake.dm_channel_id(user_id)):
            return channel
        raise SandboxError("You can write in the dialogue channel or in your DM with the bot.", 404)

    def _channel_name(self, channel: str) -> str:
        return self.channel_name if channel == self.channel_id else "directmessage"

    def _own_view(self, user_id: str, view_id: str) -> dict[str, Any]:
        view = self.fake.views.get(view_id)
        if view is None or self.fake.view_owner(view_id) != user_id:
            raise SandboxError("That form is no longer open.", 404)
        return view

    def _bot(self) -> SlackRequester:
        if self._requester is None:
            raise SandboxError("The bot is not running yet.", 503)
        return self._requester

    @staticmethod
    def _check(answer: Response, what: str) -> None:
        # Slack tells the person when an app does not answer; so does the sandbox.
        if answer.status != 200:
            log.warning("sandbox: the bot answered %s with HTTP %s", what, answer.status)
            raise SandboxError(f"Dialogbot did not respond properly to {what} (HTTP {answer.status}). "
                               "The bot's log says why.", 502)

    def _save_loop(self) -> None:
        seen = self.fake.version
        while not self._stop.is_set() and not self.fake.released:
            now = self.fake.wait_for_change(seen, 1.0)
            if now == seen:
                continue
            # Changes come in bursts (a fan-out): save once the burst has settled a little.
            self._stop.wait(SAVE_COALESCE_SECONDS)
            seen = self.fake.version
            self._save()

    def _save(self) -> None:
        if self._state_file is None:
            return
        with self._save_lock:
            temporary: str | None = None
            try:
                data = json.dumps(self.fake.snapshot(), ensure_ascii=False)
                folder = self._state_file.parent
                handle, temporary = tempfile.mkstemp(prefix=".sandbox-", suffix=".json", dir=folder)
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                # Atomic: a crash leaves the old file or the new one, never half of one.
                os.replace(temporary, self._state_file)
                temporary = None
            except OSError as exc:
                log.warning("sandbox: could not save the workspace to %s: %s", self._state_file, exc)
            finally:
                if temporary is not None:
                    with contextlib.suppress(OSError):
                        os.unlink(temporary)


def state_values(view: Mapping[str, Any], raw: Mapping[str, Any], zone: ZoneInfo,
                 members: set[str]) -> dict[str, dict[str, Any]]:
    """The ``view.state.values`` Slack would send for what was entered in the page.

    ``raw`` is ``{block_id: {action_id: value}}`` as the page sends it: text as a string, a
    date as ``YYYY-MM-DD``, a time as ``HH:MM``, a date and time as ``YYYY-MM-DDTHH:MM`` on the
    person's wall clock (``zone``), a choice as an option value or a list of them, people as
    user ids. Values that match no option, person or format are left out, as a client would.
    """
    values: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks") or []:
        element = block.get("element") if block.get("type") == "input" else None
        if not isinstance(element, dict) or not element.get("action_id"):
            continue
        block_id, action_id, kind = block.get("block_id", ""), element["action_id"], element.get("type")
        entered = (raw.get(block_id) or {}).get(action_id) if isinstance(raw.get(block_id), dict) else None
        values.setdefault(block_id, {})[action_id] = _element_state(kind, element, entered, zone, members)
    return values


def _element_state(kind: Any, element: Mapping[str, Any], entered: Any, zone: ZoneInfo,
                   members: set[str]) -> dict[str, Any]:
    text = entered.strip() if isinstance(entered, str) else ""
    chosen = [str(v) for v in entered] if isinstance(entered, list) else ([text] if text else [])
    if kind in _TEXT_ELEMENTS:
        return {"type": kind, "value": text or None}
    if kind == "datepicker":
        return {"type": kind, "selected_date": text if _parses(text, "%Y-%m-%d") else None}
    if kind == "timepicker":
        return {"type": kind, "selected_time": text if _parses(text, "%H:%M") else None}
    if kind == "datetimepicker":
        moment = None
        if _parses(text, "%Y-%m-%dT%H:%M"):
            moment = int(datetime.strptime(text, "%Y-%m-%dT%H:%M").replace(tzinfo=zone).timestamp())
        return {"type": kind, "selected_date_time": moment}
    options = _options(element)
    if kind in ("static_select", "radio_buttons"):
        picked = [options[v] for v in chosen[:1] if v in options]
        return {"type": kind, "selected_option": picked[0] if picked else None}
    if kind in ("multi_static_select", "checkboxes"):
        return {"type": kind, "selected_options": [options[v] for v in chosen if v in options]}
    if kind == "multi_users_select":
        return {"type": kind, "selected_users": [v for v in chosen if v in members]}
    if kind == "users_select":
        return {"type": kind, "selected_user": next((v for v in chosen if v in members), None)}
    return {"type": kind, "value": text or None}


def _parses(text: str, pattern: str) -> bool:
    try:
        datetime.strptime(text, pattern)
    except ValueError:
        return False
    return True


def _options(element: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    options = list(element.get("options") or [])
    for group in element.get("option_groups") or []:
        options += group.get("options") or []
    return {str(option.get("value")): dict(option) for option in options if isinstance(option, dict)}


def _find_element(blocks: list[dict[str, Any]], block_id: str, action_id: str) -> dict[str, Any]:
    for block in blocks:
        if block.get("block_id", "") != block_id:
            continue
        candidates = list(block.get("elements") or [])
        for key in ("accessory", "element"):
            if isinstance(block.get(key), dict):
                candidates.append(block[key])
        for element in candidates:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                return element
    raise SandboxError("That button is no longer there.", 404)


def _action_fields(element: Mapping[str, Any], action: Mapping[str, Any]) -> dict[str, Any]:
    """The clicked element as an action in a ``block_actions`` payload (Slack's shape)."""
    kind = element.get("type")
    fields: dict[str, Any] = {"type": kind}
    if kind == "button":
        fields["text"] = element.get("text")
        if element.get("style"):
            fields["style"] = element["style"]
        return fields
    options = _options(element)
    picked = action.get("selected")
    if kind in ("static_select", "radio_buttons", "overflow"):
        fields["selected_option"] = options.get(str(picked)) if picked is not None else None
    elif kind in ("multi_static_select", "checkboxes"):
        fields["selected_options"] = [options[str(v)] for v in picked or [] if str(v) in options]
    elif kind == "multi_users_select":
        fields["selected_users"] = [str(v) for v in picked or []]
    elif kind == "datepicker":
        fields["selected_date"] = picked
    return fields


def _shown_message(message: Mapping[str, Any], *, ephemeral: bool) -> dict[str, Any]:
    shown = {
        "ts": message["ts"],
        "user": message.get("user") or "",
        "text": message.get("text") or "",
        "blocks": message.get("blocks") or [],
        "edited": bool(message.get("edited")) if not ephemeral else False,
        "ephemeral": ephemeral,
    }
    if message.get("thread_ts"):
        shown["thread_ts"] = message["thread_ts"]
    return shown


def _shown_view(view: Mapping[str, Any]) -> dict[str, Any]:
    return {key: view.get(key) for key in _VIEW_FIELDS}


def _json_body(answer: Response) -> Any:
    try:
        return answer.json()
    except ValueError:
        return None
