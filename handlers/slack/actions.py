"""Button clicks: Support on topics, one-click answers to invitations, suggested invitations and
the confirmed Cancel meeting button."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.slack import ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.errors import Listener, ack_now, ack_only
from handlers.slack.home import publish_home
from handlers.slack.parsing.carried import (
    cancel_from_button,
    meeting_number_from_button,
    suggested_invite,
    topic_number_from_button,
)
from handlers.slack.render.changes import cancel_confirmation
from handlers.slack.render.common import Rendered
from handlers.slack.render.meetings import invite_confirmation, rsvp_confirmation
from handlers.slack.render.topics import support_confirmation
from handlers.slack.render.urgent import nudge_confirmation
from handlers.slack.reply import private
from services.enums import Answer

ANSWER_BUTTONS = {ids.RSVP_YES: Answer.YES, ids.RSVP_NO: Answer.NO, ids.RSVP_MAYBE: Answer.MAYBE}


def support(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext,
            client: WebClient) -> None:
    """A Support button: support the topic."""
    number = topic_number_from_button(str(action.get("value") or ""))
    outcome = deps.services.topics.support(deps.actor(context), number)
    rendered = support_confirmation(deps.translator(context), outcome.topic, added=outcome.added)
    _answer_click(deps, respond, rendered, context, client)


def answer(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext,
           client: WebClient) -> None:
    """An Attending / Not attending / Maybe button: record the answer."""
    number = meeting_number_from_button(str(action.get("value") or ""))
    outcome = deps.services.meetings.rsvp(deps.actor(context), number, ANSWER_BUTTONS[action["action_id"]])
    _answer_click(deps, respond, rsvp_confirmation(deps.translator(context), outcome), context, client)


def _answer_click(deps: SlackDeps, respond: Respond | None, rendered: Rendered, context: BoltContext,
                  client: WebClient) -> None:
    # A click in a message answers privately there; a click on the Home tab refreshes the tab,
    # which shows the new answer or support.
    if respond is not None and respond.response_url:
        private(respond, rendered)
    else:
        publish_home(deps, client, context)


def cancel(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The (confirmed) Cancel meeting button under `/dialog cancel`'s question: cancel it, with the
    reason typed after the number, if any."""
    number, reason = cancel_from_button(str(action.get("value") or ""))
    cancelled = deps.services.meetings.cancel(deps.actor(context), number, reason)
    # The question is replaced by the outcome, so its button cannot be clicked twice.
    rendered = cancel_confirmation(deps.translator(context), cancelled)
    respond(text=rendered.text, blocks=rendered.blocks, response_type="ephemeral", replace_original=True)


def invite(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """An Invite button under planning advice: invite the suggested organisation."""
    number, organisation = suggested_invite(str(action.get("value") or ""))
    outcome = deps.services.meetings.invite(deps.actor(context), number, organisation)
    private(respond, invite_confirmation(deps.translator(context), outcome))


def nudge(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """The urgent progress report's Nudge the silent ones button (coordinators only: the service
    checks): nudge them, and say how many."""
    number = meeting_number_from_button(str(action.get("value") or ""))
    outcome = deps.services.meetings.nudge_silent(deps.actor(context), number)
    private(respond, nudge_confirmation(deps.translator(context), outcome))


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the Support, RSVP, Invite and Cancel meeting buttons."""
    app.action(ids.TOPIC_SUPPORT)(ack=ack_now, lazy=[guard(bind(support, deps))])
    for action_id in ANSWER_BUTTONS:
        app.action(action_id)(ack=ack_now, lazy=[guard(bind(answer, deps))])
    app.action(ids.INVITE_SUGGESTED)(ack=ack_now, lazy=[guard(bind(invite, deps))])
    app.action(ids.MEETING_CANCEL)(ack=ack_now, lazy=[guard(bind(cancel, deps))])
    app.action(ids.URGENT_NUDGE)(ack=ack_now, lazy=[guard(bind(nudge, deps))])
    # The calendar button opens a link in the browser; the click itself needs only an ack.
    app.action(ids.CALENDAR_LINK)(ack_only)
