"""Button clicks."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from handlers.slack import blocks, ids
from handlers.slack.context import SlackDeps
from handlers.slack.parsing import topic_number_from_button


def register(app: App, deps: SlackDeps) -> None:
    """Listen for the Support button."""

    @app.action(ids.TOPIC_SUPPORT)
    def support(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        number = topic_number_from_button(str(action.get("value") or ""))
        outcome = deps.services.topics.support(deps.actor(context), number)
        rendered = blocks.support_confirmation(deps.translator(context), outcome.topic, added=outcome.added)
        respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                replace_original=False)
