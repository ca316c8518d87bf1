"""The `/dialog` slash command: parse, call one service, render."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.slack import blocks
from handlers.slack.context import SlackDeps
from handlers.slack.parsing import Help, ListTopics, ModalContext, Propose, Support, parse_command


def _private(respond: Respond, rendered: blocks.Rendered) -> None:
    respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
            replace_original=False)


def register(app: App, deps: SlackDeps) -> None:
    """Listen for `/dialog`."""

    @app.command("/dialog")
    def dialog(ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient,
               context: BoltContext) -> None:
        ack()
        parsed = parse_command(command.get("text") or "")
        t = deps.translator(context)
        actor = deps.actor(context)
        match parsed:
            case Help():
                _private(respond, blocks.help_message(t))
            case Propose() if parsed.wants_modal:
                origin = ModalContext(command.get("channel_id", ""), command.get("response_url", ""))
                client.views_open(trigger_id=command["trigger_id"],
                                  view=blocks.propose_modal(t, origin.dump()))
            case Propose():
                card = deps.services.topics.propose(actor, parsed.title, parsed.details)
                _private(respond, blocks.proposal_confirmation(t, card, announced=bool(deps.channel_id)))
            case ListTopics():
                _private(respond, blocks.topic_list(t, deps.services.topics.open_topics(actor)))
            case Support():
                outcome = deps.services.topics.support(actor, parsed.number)
                _private(respond, blocks.support_confirmation(t, outcome.topic, added=outcome.added))
