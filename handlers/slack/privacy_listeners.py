"""Data protection buttons: the privacy notice's opt-out, the confirmed Erase, and the download
link (opened in the browser; the click is only acked). Each listener makes one service call."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond

from handlers.slack import ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.errors import Listener, ack_now, ack_only
from handlers.slack.render.privacy import erased, opted_out
from handlers.slack.reply import private


def opt_out(deps: SlackDeps, respond: Respond, context: BoltContext) -> None:
    """Stop being a contact: taken off every organisation, the coordinators told."""
    outcome = deps.services.privacy.opt_out(deps.actor(context))
    private(respond, opted_out(deps.translator(context), outcome))


def erase(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The confirmed Erase button: its value is the service's token, which the service checks (its
    signature, whoever asked, the time, and that it was not used)."""
    t = deps.translator(context)  # before erasing: a person erasing themselves loses their choice
    outcome = deps.services.privacy.erase(deps.actor(context), str(action.get("value") or ""))
    # The question is replaced by the outcome, so its button cannot be clicked twice.
    rendered = erased(t, outcome)
    respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral", replace_original=True)


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the opt-out, Erase and download buttons."""
    app.action(ids.PRIVACY_OPT_OUT)(ack=ack_now, lazy=[guard(bind(opt_out, deps))])
    app.action(ids.PRIVACY_ERASE)(ack=ack_now, lazy=[guard(bind(erase, deps))])
    app.action(ids.PRIVACY_DOWNLOAD)(ack_only)
