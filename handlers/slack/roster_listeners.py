"""Suggesting organisations and the roster form: their Home tab buttons, their forms' submissions.

Each listener acknowledges, makes one service call and renders; a form's errors go back in its
acknowledgement, on the field at fault.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.slack import PLATFORM, ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.durable import Durable
from handlers.slack.errors import ack_now
from handlers.slack.parsing.carried import ModalContext
from handlers.slack.parsing.roster_forms import (
    ROSTER_ADDRESSES,
    RosterOrigin,
    accept_as,
    roster_form,
    suggestion_form,
    suggestion_id_from_button,
)
from handlers.slack.render.home import home_view
from handlers.slack.render.roster_form import roster_modal, roster_saved
from handlers.slack.render.suggestions import decision_confirmation, suggestion_modal, suggestion_received
from handlers.slack.views import Later, _blocks, _confirm, _rejected
from services.errors import DomainError, Field
from services.home import DecidedOnHome
from services.people import PersonRef
from services.suggestions import SuggestionInput

SUGGEST_BLOCKS = {
    Field.NAME: ids.SUGGEST_NAME,
    Field.REASON: ids.SUGGEST_REASON,
    Field.PERSPECTIVES: ids.SUGGEST_PERSPECTIVE,
    Field.CONTACT: ids.SUGGEST_CONTACT,
    Field.MEETING: ids.SUGGEST_MEETING,
}
ROSTER_BLOCKS = {
    Field.NAME: ids.ROSTER_NAME,
    Field.ORGANISATIONS: ids.ROSTER_NAME,
    Field.TIER: ids.ROSTER_TIER,
    # The people picker holds only people Slack knows; what can be wrong is a typed address.
    Field.CONTACTS: ROSTER_ADDRESSES,
    Field.PERSPECTIVES: ids.ROSTER_PERSPECTIVES,
    Field.PREFERRED_TIME: ids.ROSTER_TIME,
    Field.LANGUAGE: ids.ROSTER_LANGUAGE,
    Field.KEYWORDS: ids.ROSTER_KEYWORDS,
}


def open_suggestion_form(deps: SlackDeps, body: dict[str, Any], client: WebClient,
                         context: BoltContext) -> None:
    """The Home tab's Suggest an organisation button: open the form."""
    form = deps.services.suggestions.form(deps.actor(context))
    client.views_open(trigger_id=body["trigger_id"],
                      view=suggestion_modal(deps.translator(context), form, ModalContext().dump()))


def open_roster_form(deps: SlackDeps, action: dict[str, Any], body: dict[str, Any], client: WebClient,
                     context: BoltContext) -> None:
    """The Home tab's Add an organisation button, or an organisation picked to edit: open the form."""
    option = action.get("selected_option")
    name = str(option.get("value") or "") if isinstance(option, dict) else None
    form = deps.services.roster.form(deps.actor(context), name or None)
    origin = RosterOrigin(ModalContext(), form.organisation.name if form.organisation else None)
    client.views_open(trigger_id=body["trigger_id"],
                      view=roster_modal(deps.translator(context), form, origin.dump()))


def _decided(deps: SlackDeps, outcome: DecidedOnHome, client: WebClient, context: BoltContext) -> None:
    # The click's answer is the Home tab itself, published afresh: the suggestion is gone from it and
    # a line on top says what was decided. (The suggester is told by a delivery.)
    t = deps.translator(context)
    notice = decision_confirmation(t, outcome.decision).blocks
    client.views_publish(user_id=context.user_id or "",
                         view=home_view(t, outcome.home, deps.timezone, notice=notice))


def accept(deps: SlackDeps, action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Add to roster (as an organisation invited by topic), or one of the "Add as …" choices."""
    if action.get("action_id") == ids.SUGGESTION_ACCEPT_AS:
        option = action.get("selected_option") or {}
        number, tier = accept_as(str(option.get("value") or ""))
        outcome = deps.services.home.accept_suggestion(deps.actor(context), number, tier)
    else:
        number = suggestion_id_from_button(str(action.get("value") or ""))
        outcome = deps.services.home.accept_suggestion(deps.actor(context), number)
    _decided(deps, outcome, client, context)


def dismiss(deps: SlackDeps, action: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Dismiss a suggestion."""
    number = suggestion_id_from_button(str(action.get("value") or ""))
    _decided(deps, deps.services.home.dismiss_suggestion(deps.actor(context), number), client, context)


def submit_suggestion(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
                      context: BoltContext) -> None:
    """The suggestion form: record the suggestion, then thank the suggester."""
    form = suggestion_form(view)
    person = PersonRef(PLATFORM, form.contact_person) if form.contact_person else None
    try:
        card = deps.services.suggestions.suggest(deps.actor(context), SuggestionInput(
            form.name, form.reason, form.contact, person, form.perspective or None, form.meeting))
    except DomainError as error:
        _rejected(ack, view, error, context, _blocks(SUGGEST_BLOCKS), deps)
        return
    ack()

    def confirm() -> None:
        _confirm(client, ModalContext.load(view.get("private_metadata") or ""), context,
                 suggestion_received(deps.translator(context), card), "a suggestion to its suggester")

    later(context, confirm)


def submit_roster(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
                  context: BoltContext) -> None:
    """The roster form: create or update the organisation, then confirm."""
    origin = RosterOrigin.load(view.get("private_metadata") or "")
    try:
        saved = deps.services.roster.save(deps.actor(context), roster_form(view), origin.organisation)
    except DomainError as error:
        _rejected(ack, view, error, context, _blocks(ROSTER_BLOCKS), deps)
        return
    ack()

    def confirm() -> None:
        _confirm(client, origin.context, context, roster_saved(deps.translator(context), saved),
                 "a roster change to its coordinator")

    later(context, confirm)


def register(app: App, deps: SlackDeps, durable: Durable) -> None:
    """Listen for the suggestion and roster buttons and forms."""
    guard, later = durable.guard, durable.later
    app.action(ids.SUGGEST_OPEN)(ack=ack_now, lazy=[guard(bind(open_suggestion_form, deps))])
    app.action(ids.ROSTER_OPEN)(ack=ack_now, lazy=[guard(bind(open_roster_form, deps))])
    app.action(ids.ROSTER_EDIT_PICK)(ack=ack_now, lazy=[guard(bind(open_roster_form, deps))])
    for action_id in (ids.SUGGESTION_ACCEPT, ids.SUGGESTION_ACCEPT_AS):
        app.action(action_id)(ack=ack_now, lazy=[guard(bind(accept, deps))])
    app.action(ids.SUGGESTION_DISMISS)(ack=ack_now, lazy=[guard(bind(dismiss, deps))])
    app.view(ids.SUGGEST_VIEW)(guard(bind(submit_suggestion, deps, later)))
    app.view(ids.ROSTER_VIEW)(guard(bind(submit_roster, deps, later)))
