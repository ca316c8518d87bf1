"""Button clicks: Support on topics, and one-click answers to invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond

from handlers.slack import blocks, ids, meeting_blocks
from handlers.slack.context import SlackDeps
from handlers.slack.errors import Listener, ack_now
from handlers.slack.parsing import meeting_number_from_button, suggested_invite, topic_number_from_button
from handlers.slack.reply import private
from services.enums import Answer

ANSWER_BUTTONS = {ids.RSVP_YES: Answer.YES, ids.RSVP_NO: Answer.NO, ids.RSVP_MAYBE: Answer.MAYBE}


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the Support and RSVP buttons."""

    def support(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        number = topic_number_from_button(str(action.get("value") or ""))
        outcome = deps.services.topics.support(deps.actor(context), number)
        private(respond, blocks.support_confirmation(deps.translator(context), outcome.topic,
                                                      added=outcome.added))

    def answer(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        number = meeting_number_from_button(str(action.get("value") or ""))
        outcome = deps.services.meetings.rsvp(deps.actor(context), number,
                                              ANSWER_BUTTONS[action["action_id"]])
        private(respond, meeting_blocks.rsvp_confirmation(deps.translator(context), outcome))

    def invite(action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        number, organisation = suggested_invite(str(action.get("value") or ""))
        outcome = deps.services.meetings.invite(deps.actor(context), number, organisation)
        private(respond, meeting_blocks.invite_confirmation(deps.translator(context), outcome))

    app.action(ids.TOPIC_SUPPORT)(ack=ack_now, lazy=[guard(support)])
    for action_id in ANSWER_BUTTONS:
        app.action(action_id)(ack=ack_now, lazy=[guard(answer)])
    app.action(ids.INVITE_SUGGESTED)(ack=ack_now, lazy=[guard(invite)])
