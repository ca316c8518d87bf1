"""The App Home tab, published whenever someone opens it (and after they act on it)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from handlers.slack.context import SlackDeps, bind
from handlers.slack.errors import Listener, ack_now
from handlers.slack.render.home import home_view


def publish_home(deps: SlackDeps, client: WebClient, context: BoltContext) -> None:
    """Render and publish `context.user_id`'s home tab."""
    home = deps.services.home.view(deps.actor(context))
    view = home_view(deps.translator(context), home, deps.timezone)
    client.views_publish(user_id=context.user_id or "", view=view)


def opened(deps: SlackDeps, event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """The Home tab was opened (not the Messages tab): publish it afresh."""
    if event.get("tab", "home") == "home":
        publish_home(deps, client, context)


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the Home tab being opened."""
    app.event("app_home_opened")(ack=ack_now, lazy=[guard(bind(opened, deps))])
