"""Send requests to the bot's HTTP endpoint exactly as Slack does: real-format payloads,
signed with the signing secret (``X-Slack-Signature``, ``X-Slack-Request-Timestamp``).

Payloads are built from recorded-format examples in ``fakes/slack/payloads/`` with only the
fields a caller sets overridden, so the bot sees what Slack would send. The tests and the
browser sandbox (:mod:`sandbox.workspace`) both speak to the bot through this module.
"""

from __future__ import annotations

import copy
import itertools
import json
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

FIXTURES = Path(__file__).resolve().parent / "payloads"
EVENTS_PATH = "/slack/events"
FORM = "application/x-www-form-urlencoded"
JSON = "application/json"
_SERIAL = itertools.count(1)
"""Numbers module-level trigger ids (:func:`slash_command_payload`)."""


def load_fixture(name: str) -> Any:
    """A recorded-format Slack payload from ``fakes/slack/payloads/<name>.json`` (a copy)."""
    with open(FIXTURES / f"{name}.json", encoding="utf-8") as handle:
        return json.load(handle)


class Headers(dict[str, str]):
    """Response headers; keys are stored lower-case and looked up case-insensitively."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        super().__init__()
        for key, value in (items or {}).items():
            self[key] = value

    def __setitem__(self, key: str, value: str) -> None:
        super().__setitem__(key.lower(), value)

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        return super().get(key.lower(), default)


@dataclass
class Response:
    """What the endpoint answered."""

    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=Headers)
    elapsed: float = 0.0
    """Seconds from sending the request to reading the whole answer."""

    def json(self) -> Any:
        """The body decoded as JSON; None for an empty body (a bare ``ack()``)."""
        return json.loads(self.body) if self.body.strip() else None

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")


class SlackRequester:
    """Signs and sends Slack-format requests to a running Bolt HTTP endpoint.

    Args:
        base_url: Where the bot listens, e.g. ``"http://127.0.0.1:3000"``.
        signing_secret: The app's signing secret (``SLACK_SIGNING_SECRET``).
        team_id: Written into every payload.
        clock: Seconds since the epoch for ``X-Slack-Request-Timestamp`` and payload times.
        timeout: Socket timeout for each request.
        triggers: Makes the trigger id for an interaction by a given user (default: a fresh
            random one); the sandbox passes ``FakeSlack.issue_trigger`` so that the modal a
            click opens is shown to the person who clicked.
    """

    def __init__(
        self,
        base_url: str,
        signing_secret: str,
        *,
        team_id: str = "T0DIALOG",
        clock: Callable[[], float] = time.time,
        timeout: float = 10.0,
        triggers: Callable[[str], str] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.signing_secret = signing_secret
        self.team_id = team_id
        self.clock = clock
        self.timeout = timeout
        self._serial = itertools.count(1)
        self._triggers = triggers

    # -- payloads -----------------------------------------------------------------------

    def slash_command(
        self,
        text: str,
        *,
        user_id: str,
        user_name: str = "someone",
        channel_id: str = "C0DIALOG",
        command: str = "/dialog",
        response_url: str = "",
        trigger_id: str | None = None,
        channel_name: str | None = None,
    ) -> Response:
        """POST a slash command (form-encoded, as Slack sends it).

        ``response_url`` is sent as given (never the fixture's hooks.slack.com URL, so a
        test cannot reach Slack by accident); pass ``fake.response_url(...)``.
        """
        form = slash_command_payload(
            text,
            user_id=user_id,
            team_id=self.team_id,
            user_name=user_name,
            channel_id=channel_id,
            command=command,
            response_url=response_url,
            trigger_id=trigger_id or self.new_trigger_id(user_id),
            channel_name=channel_name,
        )
        return self._post_form(form)

    def block_action(
        self,
        action_id: str,
        value: str,
        *,
        user_id: str,
        channel_id: str = "C0DIALOG",
        message_ts: str = "1700000000.000100",
        block_id: str = "b1",
        response_url: str = "",
        container_type: str = "message",
        view: dict[str, Any] | None = None,
        user_name: str | None = None,
        message: dict[str, Any] | None = None,
        action: dict[str, Any] | None = None,
        ephemeral: bool = False,
    ) -> Response:
        """POST a ``block_actions`` interaction: a button click by default.

        ``container_type="message"`` clicks in a message (``channel``, ``message`` and
        ``response_url`` included; ``message`` replaces the recorded one, e.g. with
        ``fake.messages(channel)[0]``, and then its own ``ts`` and ``channel``, when it has
        them, win over ``message_ts`` and ``channel_id``); ``"view"`` clicks in a modal or
        home tab (``view``,
        default: the recorded modal). ``action`` overrides fields of the button action,
        e.g. ``{"type": "static_select", "selected_option": {...}}``. A click in an
        ``ephemeral`` message carries no ``message``, as on Slack.
        """
        payload: dict[str, Any] = load_fixture("block_actions")
        self._set_team_and_user(payload, user_id, user_name)
        payload["trigger_id"] = self.new_trigger_id(user_id)
        [recorded_action] = payload["actions"]
        recorded_action.update(
            {
                "action_id": action_id,
                "block_id": block_id,
                "value": value,
                "action_ts": self._ts(),
            }
        )
        if action:
            recorded_action.update(copy.deepcopy(action))
        if container_type == "message":
            recorded_channel = payload["channel"]
            if message is not None:
                message_ts = str(message.get("ts") or message_ts)
                channel_id = str(message.get("channel") or channel_id)
            shown = _as_slack_message(message) if message is not None else payload["message"]
            shown["ts"] = message_ts
            payload["message"] = shown
            payload["container"] = {
                "type": "message",
                "message_ts": message_ts,
                "channel_id": channel_id,
                "is_ephemeral": ephemeral,
            }
            if ephemeral:
                payload.pop("message")
            payload["channel"] = {
                "id": channel_id,
                "name": _channel_name(
                    channel_id,
                    {"channel_id": recorded_channel["id"], "channel_name": recorded_channel["name"]},
                ),
            }
            payload["response_url"] = response_url
        elif container_type == "view":
            shown_view = copy.deepcopy(view) if view is not None else self._recorded_view()
            for key in ("channel", "message", "response_url"):
                payload.pop(key, None)
            payload["container"] = {"type": "view", "view_id": shown_view.get("id", "")}
            payload["view"] = shown_view
        else:
            raise ValueError(f"container_type must be 'message' or 'view', not {container_type!r}")
        return self._post_form({"payload": json.dumps(payload)})

    def view_submission(
        self,
        callback_id: str,
        values: dict[str, Any],
        *,
        user_id: str,
        private_metadata: str = "",
        view_id: str = "V0TEST",
        hash: str = "h1",
        user_name: str | None = None,
        opened: dict[str, Any] | None = None,
    ) -> Response:
        """POST a ``view_submission``; ``values`` is ``view.state.values``:
        ``{block_id: {action_id: {"type": ..., "value": ...}}}``. ``opened`` is the view as the
        bot opened it (e.g. ``fake.opened_views()[0]``): its blocks, title and metadata are sent
        back, as Slack does."""
        payload: dict[str, Any] = load_fixture("view_submission")
        self._set_team_and_user(payload, user_id, user_name)
        payload["trigger_id"] = self.new_trigger_id(user_id)
        view = payload["view"]
        if opened is not None:
            for key in ("blocks", "title", "submit", "close", "private_metadata"):
                if key in opened:
                    view[key] = copy.deepcopy(opened[key])
            private_metadata = private_metadata or opened.get("private_metadata", "")
        view.update(
            {
                "id": view_id,
                "root_view_id": view_id,
                "callback_id": callback_id,
                "private_metadata": private_metadata,
                "hash": hash,
                "state": {"values": copy.deepcopy(values)},
                "team_id": self.team_id,
                "app_installed_team_id": self.team_id,
            }
        )
        return self._post_form({"payload": json.dumps(payload)})

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
    ) -> Response:
        """POST an Events API ``event_callback`` wrapping ``event``.

        Pass the same ``event_id`` with ``retry_num`` to replay a delivery the way Slack
        retries it (``X-Slack-Retry-Num``/``X-Slack-Retry-Reason`` headers).
        """
        envelope: dict[str, Any] = load_fixture("app_home_opened")
        now = self.clock()
        envelope.update(
            {
                "team_id": self.team_id,
                "context_team_id": self.team_id,
                "event": copy.deepcopy(event),
                "event_id": event_id or self.new_event_id(),
                "event_time": int(now),
            }
        )
        for authorization in envelope["authorizations"]:
            authorization["team_id"] = self.team_id
        envelope["event"].setdefault("event_ts", self._ts())
        body = json.dumps(envelope).encode("utf-8")
        headers = self.signed_headers(body, content_type=JSON)
        if retry_num is not None:
            headers["X-Slack-Retry-Num"] = str(retry_num)
            headers["X-Slack-Retry-Reason"] = retry_reason
        return self.post_raw(body, headers)

    # -- transport ----------------------------------------------------------------------

    def signed_headers(
        self,
        body: bytes,
        *,
        timestamp: int | None = None,
        secret: str | None = None,
        content_type: str,
    ) -> dict[str, str]:
        """Headers Slack sends with ``body``: content type, timestamp and v0 signature.

        ``timestamp`` (default: now per ``clock``) and ``secret`` can be set to forge stale
        or wrongly signed requests.
        """
        stamp = int(self.clock()) if timestamp is None else int(timestamp)
        verifier = SignatureVerifier(secret if secret is not None else self.signing_secret)
        signature = verifier.generate_signature(timestamp=str(stamp), body=body)
        return {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": str(stamp),
            "X-Slack-Signature": signature,
        }

    def post_raw(self, body: bytes, headers: dict[str, str], path: str = EVENTS_PATH) -> Response:
        """POST ``body`` with exactly ``headers`` (nothing is signed or added)."""
        request = urllib.request.Request(
            self.base_url + path, data=body, headers=dict(headers), method="POST"
        )
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data = answer.read()
                status = answer.status
                received = answer.headers.items()
        except urllib.error.HTTPError as error:
            data = error.read()
            status = error.code
            received = error.headers.items() if error.headers is not None else []
        return Response(status, data, Headers(dict(received)), time.perf_counter() - started)

    # -- helpers ------------------------------------------------------------------------

    def new_trigger_id(self, user_id: str = "") -> str:
        """A fresh trigger id in Slack's format (Slack sends a new one per interaction)."""
        if self._triggers is not None and user_id:
            return self._triggers(user_id)
        serial = next(self._serial)
        return f"{int(self.clock())}{serial:03d}.6098765432101.{uuid.uuid4().hex}"

    def new_event_id(self) -> str:
        """A fresh Events API event id (``Ev…``)."""
        return f"Ev{uuid.uuid4().hex[:10].upper()}"

    def _post_form(self, form: Mapping[str, str]) -> Response:
        body = urlencode(form).encode("utf-8")
        return self.post_raw(body, self.signed_headers(body, content_type=FORM))

    def _ts(self) -> str:
        return f"{self.clock():.6f}"

    def _set_team_and_user(self, payload: dict[str, Any], user_id: str, user_name: str | None) -> None:
        payload["team"]["id"] = self.team_id
        handle = user_name or user_id.lower()
        payload["user"] = {
            "id": user_id,
            "username": handle,
            "name": handle,
            "team_id": self.team_id,
        }

    def _recorded_view(self) -> dict[str, Any]:
        view: dict[str, Any] = load_fixture("view_submission")["view"]
        view["team_id"] = view["app_installed_team_id"] = self.team_id
        view["state"] = {"values": {}}
        return view


def slash_command_payload(
    text: str,
    *,
    user_id: str,
    team_id: str = "T0DIALOG",
    user_name: str = "someone",
    channel_id: str = "C0DIALOG",
    command: str = "/dialog",
    response_url: str = "",
    trigger_id: str | None = None,
    channel_name: str | None = None,
    api_app_id: str | None = None,
) -> dict[str, str]:
    """A slash command's fields, from the recorded fixture, all strings as Slack sends them.

    Over HTTP they are form-encoded (:meth:`SlackRequester.slash_command`); in Socket Mode
    they are the envelope's JSON ``payload``. ``response_url`` is used as given (never the
    fixture's hooks.slack.com URL); ``trigger_id`` defaults to a fresh one.
    """
    fields: dict[str, str] = load_fixture("slash_command")
    fields.update(
        {
            "team_id": team_id,
            "channel_id": channel_id,
            "channel_name": channel_name or _channel_name(channel_id, fields),
            "user_id": user_id,
            "user_name": user_name,
            "command": command,
            "text": text,
            "response_url": response_url,
            "trigger_id": trigger_id
            or f"{int(time.time())}{next(_SERIAL):03d}.6098765432101.{uuid.uuid4().hex}",
        }
    )
    if api_app_id is not None:
        fields["api_app_id"] = api_app_id
    return fields


def _channel_name(channel_id: str, recorded: Mapping[str, str]) -> str:
    """The ``channel_name`` Slack sends: special names for DMs and private channels."""
    if channel_id.startswith("D"):
        return "directmessage"
    if channel_id.startswith("G"):
        return "privategroup"
    if channel_id == recorded.get("channel_id"):
        return recorded["channel_name"]
    return channel_id.lower()


def _as_slack_message(message: Mapping[str, Any]) -> dict[str, Any]:
    """A message as interaction payloads show it; accepts Slack's shape or the shape of
    ``FakeSlack.messages()`` (whose ``channel`` and integer ``edited`` are converted)."""
    shown = copy.deepcopy(dict(message))
    shown.pop("channel", None)
    edited = shown.pop("edited", None)
    if isinstance(edited, dict) or (isinstance(edited, int) and edited > 0):
        shown["edited"] = (
            edited
            if isinstance(edited, dict)
            else {
                "user": shown.get("user", ""),
                "ts": shown.get("ts", ""),
            }
        )
    if not shown.get("blocks"):
        shown.pop("blocks", None)
    shown.setdefault("type", "message")
    return shown
