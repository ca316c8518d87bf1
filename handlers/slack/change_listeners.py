"""The change form's submission (`/dialog change <meeting-no>` opens it): one service call that
changes what differs; errors go back in the acknowledgement, on the field at fault."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from handlers.slack import PLATFORM, ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.durable import Durable
from handlers.slack.parsing.change_forms import ChangeOrigin
from handlers.slack.parsing.forms import schedule_form
from handlers.slack.render.changes import change_confirmation
from handlers.slack.render.planning import with_insights
from handlers.slack.views import Later, _blocks, _confirm, _rejected
from services.errors import DomainError, Field, InvalidInput
from services.i18n import N_, text
from services.people import PersonRef

CHANGE_BLOCKS = {
    Field.TITLE: ids.SCHEDULE_TITLE,
    Field.STARTS_AT: ids.SCHEDULE_START,
    Field.DURATION: ids.SCHEDULE_DURATION,
    Field.VIDEO_LINK: ids.SCHEDULE_LINK,
    Field.CHAIR: ids.SCHEDULE_CHAIR,
    Field.BACKGROUND: ids.SCHEDULE_BACKGROUND,
}


def submit_change(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
                  context: BoltContext) -> None:
    """The change form: change the meeting (every copy follows, those invited are told), then
    confirm it to the coordinator."""
    form = schedule_form(view)
    carried = ChangeOrigin.load(view.get("private_metadata") or "")
    origin = carried.context
    try:
        if origin.meeting is None:
            raise InvalidInput(text(N_("This form has expired; open it again with `/dialog change`.")))
        changed = deps.services.meetings.change(
            deps.actor(context), origin.meeting,
            title=form.title,
            starts_at=datetime.fromtimestamp(form.starts_at, UTC) if form.starts_at is not None else None,
            duration_minutes=int(form.duration) if form.duration.isdigit() else None,
            video_link=form.video_link,
            chair=form.chair,
            chair_person=PersonRef(PLATFORM, form.chair_user) if form.chair_user else None,
            # Not in the form (as the services said when it opened): left as it is.
            background=form.background if carried.background else None,
        )
    except DomainError as error:
        _rejected(ack, view, error, context, _blocks(CHANGE_BLOCKS), deps)
        return
    ack()

    def confirm() -> None:
        t = deps.translator(context)
        rendered = with_insights(change_confirmation(t, changed, deps.timezone), t, changed.insights)
        _confirm(client, origin, context, rendered, f"a change of meeting {changed.meeting.number}")

    later(context, confirm)


def register(app: App, deps: SlackDeps, durable: Durable) -> None:
    """Listen for the change form."""
    app.view(ids.CHANGE_VIEW)(durable.guard(bind(submit_change, deps, durable.later)))
