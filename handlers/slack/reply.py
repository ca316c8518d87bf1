"""Answering the person behind a request, privately."""

from __future__ import annotations

from slack_bolt import Respond

from handlers.slack.blocks import Rendered


def private(respond: Respond, rendered: Rendered) -> None:
    """An ephemeral reply through the request's response_url, leaving the original message alone."""
    respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral", replace_original=False)
