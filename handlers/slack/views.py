"""Modal submissions. Validation errors go back in the ack, shown on the field at fault."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, cast

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from handlers.slack import PLATFORM, ids
from handlers.slack.context import SlackDeps
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
from handlers.slack.reply import marked_late
from services.errors import DomainError, InvalidInput, field_errors, raise_field_errors
from services.i18n import N_, Text, text
from services.messages import Talk
from services.minutes import ActionItemInput
from services.people import PersonRef

log = logging.getLogger(__name__)

_FIELD_BLOCKS = {"title": ids.PROPOSE_TITLE_BLOCK, "details": ids.PROPOSE_DETAILS_BLOCK}
_SCHEDULE_BLOCKS = {
    "title": ids.SCHEDULE_TITLE,
    "starts_at": ids.SCHEDULE_START,
    "duration": ids.SCHEDULE_DURATION,
    "video_link": ids.SCHEDULE_LINK,
    "topics": ids.SCHEDULE_TOPICS,
    "organisations": ids.SCHEDULE_ORGANISATIONS,
}


_AGENDA_BLOCKS = {"title": "talk1_speaker", "talks": "talk1_speaker", "topics": ids.AGENDA_TOPICS}


def _field_errors(view: dict[str, Any], error: DomainError, block_of: Callable[[str], str | None],
                  render: Callable[[Text], str]) -> dict[str, str]:
    """Every field's error at once, each on its block, for one `response_action: errors`.

    Slack shows an error only on a block present in the view; others fall back to the first
    input, and two messages for one block are shown together.
    """
    present = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    shown: dict[str, str] = {}
    for field, message in field_errors(error).items():
        block = block_of(field)
        if block not in present:
            block = present[0] if present else "title"
        line = render(message)
        shown[block] = f"{shown[block]} {line}" if block in shown else line
    return shown


def _rejected(ack: Ack, view: dict[str, Any], error: DomainError, context: BoltContext,
              block_of: Callable[[str], str | None], deps: SlackDeps) -> None:
    """Answer a form's submission with its field errors, in the submitter's language."""
    render = deps.quick_translator(context).render
    ack(response_action="errors", errors=_field_errors(view, error, block_of, render))


def tell_privately(client: WebClient, origin: ModalContext, user_id: str,
                   rendered: Rendered) -> None:
    """Answer a modal's submitter where they opened it, or in their DM if that is not possible."""
    rendered = marked_late(rendered)
    if origin.response_url:
        try:
            response = WebhookClient(origin.response_url).send(
                text=rendered.text, blocks=rendered.blocks, response_type="ephemeral",
                replace_original=False,
            )
            if response.status_code == 200:
                return
        except (SlackClientError, OSError) as exc:
            log.info("response_url no longer usable (%s); answering by DM", type(exc).__name__)
    client.chat_postMessage(channel=user_id, text=rendered.text, blocks=rendered.blocks)


def register(app: App, deps: SlackDeps, durable: Durable) -> None:
    """Listen for the forms. Each validates, acknowledges, then confirms in the background."""
    guard, later = durable.guard, durable.later

    @app.view(ids.PROPOSE_VIEW)
    @guard
    def propose(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        # Slack shows field errors only from the ack, so the (fast) use case runs before it.
        form = proposal_form(view)
        try:
            card = deps.services.topics.propose(deps.actor(context), form.title, form.details)
        except DomainError as error:
            _rejected(ack, view, error, context, _FIELD_BLOCKS.get, deps)
            return
        ack()

        def confirm() -> None:
            t = deps.translator(context)
            rendered = proposal_confirmation(t, card, announced=bool(deps.channel_id))
            try:
                tell_privately(client, ModalContext.load(view.get("private_metadata") or ""),
                               context.user_id or "", rendered)
            except (SlackApiError, SlackClientError, OSError) as exc:
                # The topic is saved and announced; only the private confirmation was lost.
                log.warning("could not confirm topic %s to its proposer: %s", card.number, exc)

        later(context, confirm)

    def submit_meeting(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        form = schedule_form(view)
        services = deps.services
        urgent = view.get("callback_id") == ids.URGENT_VIEW
        try:
            picked = datetime.fromtimestamp(form.starts_at, UTC) if form.starts_at is not None else None
            # Every field is checked before any is refused, so the form shows all its errors at once.
            duration = int(form.duration) if form.duration.isdigit() else None
            services.meetings.check(form.title, picked, duration, form.video_link)
            starts_at = cast(datetime, picked)  # `check` refuses a missing start
            if urgent:
                card = services.meetings.urgent(deps.actor(context), title=form.title, starts_at=starts_at,
                                                organisations=form.organisations)
            else:
                card = services.meetings.schedule(
                    deps.actor(context),
                    title=form.title,
                    starts_at=starts_at,
                    duration_minutes=int(form.duration),
                    video_link=form.video_link,
                    topic_numbers=[int(n) for n in form.topics if n.isdigit()],
                    organisations=form.organisations,
                )
        except DomainError as error:
            _rejected(ack, view, error, context, _SCHEDULE_BLOCKS.get, deps)
            return
        ack()

        def confirm() -> None:
            t = deps.translator(context)
            sent = card.invite_at <= services.clock.now()
            rendered = with_insights(
                schedule_confirmation(t, card, deps.timezone, sent), t,
                services.planning.insights(deps.actor(context), card.number))
            try:
                tell_privately(client, ModalContext.load(view.get("private_metadata") or ""),
                               context.user_id or "", rendered)
            except (SlackApiError, SlackClientError, OSError) as exc:
                log.warning("could not confirm meeting %s to its coordinator: %s", card.number, exc)

        later(context, confirm)

    app.view(ids.SCHEDULE_VIEW)(guard(submit_meeting))
    app.view(ids.URGENT_VIEW)(guard(submit_meeting))

    @app.view(ids.AGENDA_VIEW)
    @guard
    def agenda(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
        form = agenda_form(view)
        origin = ModalContext.load(view.get("private_metadata") or "")
        rows = form.rows or tuple(range(1, len(form.talks) + 1))

        def agenda_block(field: str) -> str | None:
            # The service numbers the talks entered; show each error on that talk's row of the form.
            if field.startswith("talk_"):
                position, _, part = field.removeprefix("talk_").partition("_")
                row = rows[int(position) - 1] if position.isdigit() and 0 < int(position) <= len(rows) else 1
                return f"talk{row}_{part or 'speaker'}"
            return _AGENDA_BLOCKS.get(field)

        try:
            talks = []
            not_numbers: dict[str, Text] = {}
            for position, (speaker, organisation, subject, minutes) in enumerate(form.talks, start=1):
                if not minutes.isdigit():
                    not_numbers[f"talk_{position}_minutes"] = text(
                        N_("The length is a whole number of minutes."))
                    continue
                talks.append(Talk(speaker, organisation or None, subject, int(minutes)))
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
            rendered = with_insights(
                agenda_confirmation(t, outcome), t,
                deps.services.planning.insights(deps.actor(context), outcome.meeting.number))
            try:
                tell_privately(client, origin, context.user_id or "", rendered)
            except (SlackApiError, SlackClientError, OSError) as exc:
                log.warning("could not confirm an agenda change to its coordinator: %s", exc)

        later(context, confirm)

    @app.view(ids.MINUTES_VIEW)
    @guard
    def minutes(ack: Ack, view: dict[str, Any], client: WebClient, context: BoltContext) -> None:
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
            def minutes_block(field: str) -> str:
                if field.startswith("action_") and field.removeprefix("action_").isdigit():
                    # The service counts the rows entered; show the error on that row of the form.
                    position = int(field.removeprefix("action_"))
                    return f"action_{items[position - 1][0] if 0 < position <= len(items) else 1}"
                return ids.MINUTES_DECISIONS if field == "decisions" else ids.MINUTES_SUMMARY

            _rejected(ack, view, error, context, minutes_block, deps)
            return
        ack()

        def confirm() -> None:
            rendered = minutes_confirmation(deps.translator(context), recorded)
            try:
                tell_privately(client, origin, context.user_id or "", rendered)
            except (SlackApiError, SlackClientError, OSError) as exc:
                log.warning("could not confirm the minutes to their coordinator: %s", exc)

        later(context, confirm)

    def recount(body: dict[str, Any], client: WebClient, context: BoltContext) -> None:
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

    app.action(ids.URGENT_RECOUNT)(ack=ack_now, lazy=[guard(recount)])
