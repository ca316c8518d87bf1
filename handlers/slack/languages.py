"""A person's own language: the Home tab's picker (the command is in commands.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.slack import ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.errors import Listener, ack_now
from handlers.slack.home import publish_home


def picked(deps: SlackDeps, action: dict[str, Any], context: BoltContext, client: WebClient) -> None:
    """A language picked on the Home tab: store it, then show the tab again in that language."""
    value = str((action.get("selected_option") or {}).get("value") or "")
    chosen = deps.services.languages.choose(deps.actor(context), value)
    deps.speaks(context, chosen.setting.language)
    publish_home(deps, client, context)


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the Home tab's language picker."""
    app.action(ids.LANGUAGE_PICK)(ack=ack_now, lazy=[guard(bind(picked, deps))])
