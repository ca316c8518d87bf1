"""Answering the person behind a request, privately: the one place that knows how.

`private` answers through the request's response_url and nothing else: a reply Slack did not
take raises `ReplyNotTaken`, so the durable wrapper tries the request again. `privately` answers
where the person asked if it can (the response_url, when the request or its form carried one),
else in their DM with the bot: for answers that come after the request's own reply path may be
gone (a form's confirmation, an error, "your request went through").
"""

from __future__ import annotations

import logging
from contextvars import ContextVar
from dataclasses import replace

from slack_bolt import Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject
from slack_sdk.webhook import WebhookClient

from handlers.slack.render.common import Rendered

log = logging.getLogger(__name__)

# Set while a request is processed again after a restart: its answer says that it is late.
late_note: ContextVar[str | None] = ContextVar("late_note", default=None)


def marked_late(rendered: Rendered) -> Rendered:
    """`rendered`, with a note that it is late when the request is being processed after a restart."""
    note = late_note.get()
    if not note:
        return rendered
    return replace(rendered, blocks=[*rendered.blocks,
                                     ContextBlock(elements=[MarkdownTextObject(text=note)]).to_dict()])


class ReplyNotTaken(ConnectionError):
    """Slack did not take a reply (a 5xx, or it could not be reached): worth trying again later."""


def private(respond: Respond, rendered: Rendered) -> None:
    """An ephemeral reply through the request's response_url, leaving the original message alone."""
    rendered = marked_late(rendered)
    response = respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                       replace_original=False)
    status = getattr(response, "status_code", 200)
    if status >= 500 or status == 429:
        raise ReplyNotTaken(f"Slack answered the reply with HTTP {status}")


def privately(rendered: Rendered, *, response_url: str, user_id: str, client: WebClient | None) -> None:
    """Answer ephemerally at `response_url` if Slack takes it there, else in `user_id`'s DM.

    Errors from the DM (the last resort) are the caller's to handle.
    """
    if response_url:
        try:
            response = WebhookClient(response_url).send(
                text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                replace_original=False,
            )
            if response.status_code == 200:
                return
            log.info("response_url answered HTTP %s; answering by DM", response.status_code)
        except (SlackClientError, OSError) as exc:
            log.info("response_url no longer usable (%s); answering by DM", type(exc).__name__)
    if user_id and client is not None:
        client.chat_postMessage(channel=user_id, text=rendered.text, blocks=rendered.blocks)
