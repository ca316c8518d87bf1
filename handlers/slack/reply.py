"""Answering the person behind a request, privately."""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import replace

from slack_bolt import Respond
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from handlers.slack.render.common import Rendered

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
