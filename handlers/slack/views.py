"""Modal submissions. Validation errors go back in the ack, shown on the field at fault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack import PLATFORM, ids
from handlers.slack.context import SlackDeps, bind
from handlers.slack.durable import Durable
from handlers.slack.errors import ack_now
from handlers.slack.parsing.carried import ModalContext
from handlers.slack.parsing.forms import agenda_form, minutes_form, proposal_form, schedule_form
from handlers.slack.render.agenda import agenda_confirmation
from handlers.slack.render.common import Rendered
from handlers.slack.render.meetings import schedule_confirmation
from handlers.slack.render.minutes import minutes_confirmation
from handlers.slack.render.planning import with_insights
from handlers.slack.render.topics import proposal_confirmation
from handlers.slack.render.urgent import urgent_modal
from handlers.slack.reply import marked_late, privately
from services.errors import DomainError, Field, FieldRef, InvalidInput, field_errors, raise_field_errors
from services.i18n import N_, Text, text
from services.messages import Talk
from services.minutes import ActionItemInput
from services.people import PersonRef

log = logging.getLogger(__name__)

# Each form's blocks for the fields the services name (a field missing here goes to the first input).
_PROPOSE_BLOCKS = {Field.TITLE: ids.PROPOSE_TITLE_BLOCK, Field.DETAILS: ids.PROPOSE_DETAILS_BLOCK}
_SCHEDULE_BLOCKS = {
    Field.TITLE: ids.SCHEDULE_TITLE,
    Field.STARTS_AT: ids.SCHEDULE_START,
    Field.DURATION: ids.SCHEDULE_DURATION,
    Field.VIDEO_LINK: ids.SCHEDULE_LINK,
    Field.BACKGROUND: ids.SCHEDULE_BACKGROUND,
    Field.CHAIR: ids.SCHEDULE_CHAIR,
    Field.TOPICS: ids.SCHEDULE_TOPICS,
    Field.ORGANISATIONS: ids.SCHEDULE_ORGANISATIONS,
}
_AGENDA_BLOCKS = {Field.TITLE: "talk1_speaker", Field.TALKS: "talk1_speaker", Field.TOPICS: ids.AGENDA_TOPICS}

BlockOf = Callable[[FieldRef], str | None]
"""Where a form shows the error on a field (and row); None: wherever errors go by default."""


def _blocks(table: dict[Field, str]) -> BlockOf:
    return lambda ref: table.get(ref.field) if ref.field is not None else None


def _field_errors(view: dict[str, Any], error: DomainError, block_of: BlockOf,
                  render: Callable[[Text], str]) -> dict[str, str]:
    """Every field's error at once, each on its block, for one `response_action: errors`.

    Slack shows an error only on a block present in the view; others fall back to the first
    input, and two messages for one block are shown together.
    """
    present = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for ref, message in field_errors(error).items():
        block = block_of(ref)
        if block not in present:
            block = present[0] if present else "title"
        line = render(message)
        shown[block] = f"{shown[block]} {line}" if block in shown else line
    return shown


def _rejected(ack: Ack, view: dict[str, Any], error: DomainError, context: BoltContext,
              block_of: BlockOf, deps: SlackDeps) -> None:
    """Answer a form's submission with its field errors, in the submitter's language."""
    render = deps.quick_translator(context).render
    ack(response_action="errors", errors=_field_errors(view, error, block_of, render))


Later = Callable[[BoltContext, Callable[[], None]], None]
"""`Durable.later`: work after a form's acknowledgement, which also marks the request done."""


def _confirm(client: WebClient, origin: ModalContext, context: BoltContext, rendered: Rendered,
             what: str) -> None:
    """Confirm a form to its submitter where they opened it (else by DM); a lost confirmation is logged."""
    try:
        privately(marked_late(rendered), response_url=origin.response_url, user_id=context.user_id or "",
                  client=client)
    except (SlackApiError, SlackClientError, OSError) as exc:
        # The effect is saved (and announced); only the private confirmation was lost.
        log.warning("could not confirm %s: %s", what, exc)


def propose(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
            context: BoltContext) -> None:
    """The proposal form: propose the topic, then confirm it to the proposer."""
    # Slack shows field errors only from the ack, so the (fast) use case runs before it.
    form = proposal_form(view)
    try:
        card = deps.services.topics.propose(deps.actor(context), form.title, form.details)
    except DomainError as error:
        _rejected(ack, view, error, context, _blocks(_PROPOSE_BLOCKS), deps)
        return
    ack()

    def confirm() -> None:
        rendered = proposal_confirmation(deps.translator(context), card, announced=bool(deps.channel_id))
        _confirm(client, ModalContext.load(view.get("private_metadata") or ""), context, rendered,
                 f"topic {card.number} to its proposer")

    later(context, confirm)


def submit_meeting(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
                   context: BoltContext) -> None:
    """The scheduling and urgent forms: schedule (or call) the meeting, then confirm it with advice."""
    form = schedule_form(view)
    services = deps.services
    urgent = view.get("callback_id") == ids.URGENT_VIEW
    try:
        picked = datetime.fromtimestamp(form.starts_at, UTC) if form.starts_at is not None else None
        # Every field is checked before any is refused, so the form shows all its errors at once.
        duration = int(form.duration) if form.duration.isdigit() else None
        services.meetings.check(form.title, picked, duration, form.video_link, form.background)
        starts_at = cast(datetime, picked)  # `check` refuses a missing start
        if urgent:
            scheduled = services.meetings.urgent(deps.actor(context), title=form.title, starts_at=starts_at,
                                                 organisations=form.organisations, video_link=form.video_link,
                                                 background=form.background)
        else:
            scheduled = services.meetings.schedule(
                deps.actor(context),
                title=form.title,
                starts_at=starts_at,
                duration_minutes=int(form.duration),
                video_link=form.video_link,
                topic_numbers=[int(n) for n in form.topics if n.isdigit()],
                organisations=form.organisations,
                chair=form.chair,
                chair_person=PersonRef(PLATFORM, form.chair_user) if form.chair_user else None,
            )
    except DomainError as error:
        _rejected(ack, view, error, context, _blocks(_SCHEDULE_BLOCKS), deps)
        return
    ack()

    def confirm() -> None:
        t = deps.translator(context)
        rendered = with_insights(schedule_confirmation(t, scheduled, deps.timezone), t, scheduled.insights)
        _confirm(client, ModalContext.load(view.get("private_metadata") or ""), context, rendered,
                 f"meeting {scheduled.meeting.number} to its coordinator")

    later(context, confirm)


def agenda(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
           context: BoltContext) -> None:
    """The agenda form: set the meeting's topics and talks, then confirm with advice."""
    form = agenda_form(view)
    origin = ModalContext.load(view.get("private_metadata") or "")
    rows = form.rows or tuple(range(1, len(form.talks) + 1))

    def agenda_block(ref: FieldRef) -> str | None:
        # The service numbers the talks entered; show each error on that talk's row of the form.
        if ref.field in (Field.TALK, Field.TALK_MINUTES):
            position = ref.row or 1
            row = rows[position - 1] if 0 < position <= len(rows) else 1
            return f"talk{row}_{'minutes' if ref.field == Field.TALK_MINUTES else 'speaker'}"
        return _blocks(_AGENDA_BLOCKS)(ref)

    try:
        talks = []
        not_numbers: dict[FieldRef | Field, Text] = {}
        for position, (speaker, organisation, subject, minutes, person) in enumerate(form.talks, start=1):
            if not minutes.isdigit():
                not_numbers[FieldRef(Field.TALK_MINUTES, position)] = text(
                    N_("The length is a whole number of minutes."))
                continue
            talks.append(Talk(speaker, organisation or None, subject, int(minutes),
                              PersonRef(PLATFORM, person) if person else None))
        raise_field_errors(not_numbers)
        if origin.meeting is None:
            raise InvalidInput(text(N_("This form has expired; open it again with `/dialog agenda`.")))
        outcome = deps.services.meetings.set_agenda(deps.actor(context), origin.meeting,
                                                    topic_numbers=form.topics, talks=talks)
    except DomainError as error:
        _rejected(ack, view, error, context, agenda_block, deps)
        return
    ack()

    def confirm() -> None:
        t = deps.translator(context)
        rendered = with_insights(agenda_confirmation(t, outcome), t, outcome.insights)
        _confirm(client, origin, context, rendered, "an agenda change to its coordinator")

    later(context, confirm)


def minutes(deps: SlackDeps, later: Later, ack: Ack, view: dict[str, Any], client: WebClient,
            context: BoltContext) -> None:
    """The minutes form: record them (the service sends them on), then confirm."""
    form = minutes_form(view)
    origin = ModalContext.load(view.get("private_metadata") or "")
    actor = deps.actor(context)
    items: list[tuple[int, ActionItemInput]] = []
    try:
        if origin.meeting is None:
            raise InvalidInput(text(N_("This form has expired; open it again with `/dialog minutes`.")))
        for row, what, owner, due in form.items:
            try:
                due_on = date.fromisoformat(due) if due else None
            except ValueError:
                due_on = None
            items.append((row, ActionItemInput(what, owner, due_on)))
        recorded = deps.services.minutes.record(
            actor, origin.meeting, summary=form.summary, decisions=form.decisions,
            action_items=[item for _, item in items],
            attendees=[PersonRef(PLATFORM, user) for user in form.attendees],
            discussed=form.discussed,
        )
    except DomainError as error:
        def minutes_block(ref: FieldRef) -> str:
            if ref.field == Field.ACTION_ITEM and ref.row is not None:
                # The service counts the rows entered; show the error on that row of the form.
                position = ref.row
                return f"action_{items[position - 1][0] if 0 < position <= len(items) else 1}"
            if ref.field == Field.ACTION_ITEMS:
                return f"action_{items[0][0] if items else 1}"
            return ids.MINUTES_DECISIONS if ref.field == Field.DECISIONS else ids.MINUTES_SUMMARY

        _rejected(ack, view, error, context, minutes_block, deps)
        return
    ack()

    def confirm() -> None:
        rendered = minutes_confirmation(deps.translator(context), recorded, deps.timezone)
        _confirm(client, origin, context, rendered, "the minutes to their coordinator")

    later(context, confirm)


def recount(deps: SlackDeps, body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """A change of organisations in the urgent form: recount who will be notified, in place."""
    view = body["view"]
    chosen = schedule_form(view).organisations
    form = deps.services.meetings.urgent_form(deps.actor(context), chosen)
    try:
        client.views_update(view_id=view["id"], hash=view.get("hash"),
                            view=urgent_modal(deps.translator(context), form,
                                              view.get("private_metadata") or ""))
    except SlackApiError as error:
        # A newer pick already updated the form; its count is the one that matters.
        if error.response.get("error") != "hash_conflict":
            raise


def register(app: App, deps: SlackDeps, durable: Durable) -> None:
    """Listen for the forms. Each validates, acknowledges, then confirms in the background."""
    guard, later = durable.guard, durable.later
    app.view(ids.PROPOSE_VIEW)(guard(bind(propose, deps, later)))
    app.view(ids.SCHEDULE_VIEW)(guard(bind(submit_meeting, deps, later)))
    app.view(ids.URGENT_VIEW)(guard(bind(submit_meeting, deps, later)))
    app.view(ids.AGENDA_VIEW)(guard(bind(agenda, deps, later)))
    app.view(ids.MINUTES_VIEW)(guard(bind(minutes, deps, later)))
    app.action(ids.URGENT_RECOUNT)(ack=ack_now, lazy=[guard(bind(recount, deps))])
