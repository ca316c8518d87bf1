"""Modal submissions. Validation errors go back in the ack, shown on the field at fault."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from handlers.slack import blocks, ids
from handlers.slack.context import SlackDeps
from handlers.slack.parsing import ModalContext, proposal_form
from services.errors import DomainError

log = logging.getLogger(__name__)

_FIELD_BLOCKS = {"title": ids.PROPOSE_TITLE_BLOCK, "details": ids.PROPOSE_DETAILS_BLOCK}


def tell_privately(client: WebClient, origin: ModalContext, user_id: str,
                   rendered: blocks.Rendered) -> None:
    """Answer a modal's submitter where they opened it, or in their DM if that is not possible."""
    if origin.response_url:
        try:
            response = WebhookClient(origin.response_url).send(
                text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                replace_original=False,
            )
            if response.status_code == 200:
                return
        except (SlackClientError, OSError) as exc:
            log.info("response_url no longer usable (%s); answering by DM", type(exc).__name__)
    client.chat_postMessage(channel=user_id, text=rendered.text, blocks=rendered.blocks)


def register(app: App, deps: SlackDeps) -> None:
    """Listen for the proposal modal."""

    @app.view(ids.PROPOSE_VIEW)
    def propose(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        # Slack shows field errors only from the ack, so the (fast) use case runs before it.
        form = proposal_form(view)
        t = deps.translator(context)
        try:
            card = deps.services.topics.propose(deps.actor(context), form.title, form.details)
        except DomainError as error:
            block = _FIELD_BLOCKS.get(error.field or "title", ids.PROPOSE_TITLE_BLOCK)
            ack(response_action="errors", errors={block: t.render(error.message)})
            return
        ack()
        rendered = blocks.proposal_confirmation(t, card, announced=bool(deps.channel_id))
        try:
            tell_privately(client, ModalContext.load(view.get("private_metadata") or ""),
                           context.user_id or "", rendered)
        except (SlackApiError, SlackClientError, OSError) as exc:
            # The topic is saved and announced; only the private confirmation was lost.
            log.warning("could not confirm topic %s to its proposer: %s", card.number, exc)
