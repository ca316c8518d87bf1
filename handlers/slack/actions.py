"""Button clicks: Support on topics, and one-click answers to invitations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond

from handlers.slack import blocks, ids, meeting_blocks
from handlers.slack.context import SlackDeps
from handlers.slack.errors import Listener
from handlers.slack.parsing import meeting_number_from_button, suggested_invite, topic_number_from_button
from handlers.slack.reply import private
from services.enums import Answer

ANSWER_BUTTONS = {ids.RSVP_YES: Answer.YES, ids.RSVP_NO: Answer.NO, ids.RSVP_MAYBE: Answer.MAYBE}


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for the Support and RSVP buttons."""

    @app.action(ids.TOPIC_SUPPORT)
    @guard
    def support(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        number = topic_number_from_button(str(action.get("value") or ""))
        outcome = deps.services.topics.support(deps.actor(context), number)
        private(respond, blocks.support_confirmation(deps.translator(context), outcome.topic,
                                                      added=outcome.added))

    def answer(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        number = meeting_number_from_button(str(action.get("value") or ""))
        outcome = deps.services.meetings.rsvp(deps.actor(context), number,
                                              ANSWER_BUTTONS[action["action_id"]])
        private(respond, meeting_blocks.rsvp_confirmation(deps.translator(context), outcome))

    for action_id in ANSWER_BUTTONS:
        app.action(action_id)(guard(answer))

    @app.action(ids.INVITE_SUGGESTED)
    @guard
    def invite(ack: Ack, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
        ack()
        number, organisation = suggested_invite(str(action.get("value") or ""))
        outcome = deps.services.meetings.invite(deps.actor(context), number, organisation)
        private(respond, meeting_blocks.invite_confirmation(deps.translator(context), outcome))
