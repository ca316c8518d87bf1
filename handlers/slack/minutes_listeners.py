"""Clicks and forms around minutes and follow-up: a point's status buttons (the due-date reminder,
the Home tab), the draft's Comment button and form, Make final now, and Download for the archive.
Each acknowledges, makes one service call (which checks who may), and answers privately."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext, Respond
from slack_sdk import WebClient

from handlers.slack import ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.downloads import LINK_MINUTES, Downloads
from handlers.slack.durable import Durable
from handlers.slack.errors import ack_now, ack_only
from handlers.slack.home import publish_home
from handlers.slack.parsing.carried import ModalContext, meeting_number_from_button
from handlers.slack.render.follow_up import BUTTON_STATUS, status_confirmation
from handlers.slack.render.review import (
    FORMATS,
    archive_links,
    archive_unavailable,
    comment_confirmation,
    comment_modal,
    final_confirmation,
)
from handlers.slack.reply import private
from handlers.slack.views import Later, _confirm, _rejected
from services.errors import DomainError, Field, InvalidInput
from services.i18n import N_, text

_POINT = re.compile(r"^(\d{1,9})\.(\d{1,3})$")


def set_status(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext,
               client: WebClient) -> None:
    """A status button on a follow-up point (value "<meeting-no>.<point-no>")."""
    point = _POINT.match(str(action.get("value") or ""))
    if point is None:
        raise InvalidInput(text(N_("That button is out of date; use `/dialog followup` instead.")))
    outcome = deps.services.follow_up.set_status(deps.actor(context), int(point.group(1)),
                                                 int(point.group(2)), BUTTON_STATUS[action["action_id"]])
    # In a message (the reminder, which is re-rendered with the new status) answer there; on the
    # Home tab, show the tab afresh.
    if respond is not None and respond.response_url:
        private(respond, status_confirmation(deps.translator(context), outcome))
    else:
        publish_home(deps, client, context)


def open_comment(deps: SlackDeps, action: dict[str, Any], body: dict[str, Any], client: WebClient,
                 context: BoltContext) -> None:
    """The draft's Comment button: open the comment form."""
    number = meeting_number_from_button(str(action.get("value") or ""))
    origin = ModalContext((body.get("channel") or {}).get("id", ""), "", number)
    client.views_open(trigger_id=body["trigger_id"],
                      view=comment_modal(deps.translator(context), number, origin.dump()))


def submit_comment(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    """The comment form: store the comment (the coordinators are told), then thank the writer."""
    origin = ModalContext.load(view.get("private_metadata") or "")
    values = ((view.get("state") or {}).get("values") or {}).get(ids.MINUTES_COMMENT_BODY) or {}
    body = str((values.get(ids.INPUT_ACTION) or {}).get("value") or "")
    try:
        if origin.meeting is None:
            raise InvalidInput(text(N_("This form has expired; open it again with `/dialog comment`.")))
        outcome = deps.services.minutes.review.comment(deps.actor(context), origin.meeting, body)
    except DomainError as error:
        _rejected(ack, view, error, context, lambda ref: ids.MINUTES_COMMENT_BODY
                  if ref.field in (Field.COMMENT, None) else None, deps)
        return
    ack()

    def confirm() -> None:
        rendered = comment_confirmation(deps.translator(context), outcome, deps.timezone)
        _confirm(client, origin, context, rendered, "a comment on minutes to its writer")

    later(context, confirm)


def finalise(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Make final now (coordinators; behind Slack's confirmation)."""
    number = meeting_number_from_button(str(action.get("value") or ""))
    outcome = deps.services.minutes.review.finalise(deps.actor(context), number)
    private(respond, final_confirmation(deps.translator(context), outcome))


def archive(deps: SlackDeps, action: dict[str, Any], respond: Respond, context: BoltContext) -> None:
    """Download for the archive: one call, in which the services check the coordinator and that
    there are minutes; the answer is private, expiring links (or what works without them)."""
    number = meeting_number_from_button(str(action.get("value") or ""))
    # Without a public address or a key to sign with, there are no links: the check still runs.
    downloads = deps.downloads or Downloads(deps.services, key="", public_url="")
    links = downloads.offer(deps.actor(context), number)
    t = deps.translator(context)
    private(respond, archive_links(t, number, links, LINK_MINUTES) if links
            else archive_unavailable(t, number))


def register(app: App, deps: SlackDeps, durable: Durable) -> None:
    """Listen for the follow-up, comment, final and archive buttons and the comment form."""
    guard = durable.guard
    for action_id in BUTTON_STATUS:
        app.action(action_id)(ack=ack_now, lazy=[guard(bind(set_status, deps))])
    app.action(ids.MINUTES_COMMENT_OPEN)(ack=ack_now, lazy=[guard(bind(open_comment, deps))])
    app.view(ids.MINUTES_COMMENT_VIEW)(guard(bind(submit_comment, deps, durable.later)))
    app.action(ids.MINUTES_FINAL)(ack=ack_now, lazy=[guard(bind(finalise, deps))])
    app.action(ids.MINUTES_ARCHIVE)(ack=ack_now, lazy=[guard(bind(archive, deps))])
    # The download links open in the browser; their clicks need only an ack.
    for kind, _ in FORMATS:
        app.action(f"{ids.MINUTES_ARCHIVE_LINK}_{kind}")(ack_only)
