"""One error handler for every listener: domain errors become friendly private messages."""

from __future__ import annotations

import logging
import uuid
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse, Respond

from handlers.slack import blocks
from handlers.slack.context import SlackDeps
from services.errors import DomainError
from services.i18n import N_, text

log = logging.getLogger(__name__)


def register(app: App, deps: SlackDeps) -> None:
    """Install the global error handler."""

    @app.error
    def handle(error: Exception, context: BoltContext, respond: Respond | None,
               body: dict[str, Any]) -> BoltResponse | None:
        t = deps.translator(context)
        if isinstance(error, DomainError):
            rendered = blocks.plain(t, error.message)
        else:
            reference = uuid.uuid4().hex[:8]
            # Log the failure with a reference the person can quote; never the request body,
            # which may hold what people typed.
            log.error("unexpected error (ref %s) handling a %s request", reference,
                      body.get("type") or body.get("command") or "Slack", exc_info=error)
            rendered = blocks.plain(
                t,
                text(
                    N_("Something went wrong on our side, sorry. Please try again; if it keeps "
                       "happening, tell a coordinator and quote reference {reference}."),
                    reference=reference,
                ),
            )
        if respond is not None and body.get("response_url"):
            respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                    replace_original=False)
        elif context.user_id and context.client is not None:
            context.client.chat_postMessage(channel=context.user_id, text=rendered.text,
                                            blocks=rendered.blocks)
        return None
