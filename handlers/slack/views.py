"""Modal submissions. Validation errors go back in the ack, shown on the field at fault."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.webhook import WebhookClient

from handlers.slack import PLATFORM, blocks, ids, meeting_blocks
from handlers.slack.context import SlackDeps
from handlers.slack.durable import Durable
from handlers.slack.errors import ack_now
from handlers.slack.parsing import ModalContext, agenda_form, minutes_form, proposal_form, schedule_form
from handlers.slack.reply import marked_late
from services.errors import DomainError, InvalidInput
from services.i18n import N_, text
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


def _field_errors(view: dict[str, Any], error: DomainError, blocks_by_field: dict[str, str],
                  message: str) -> dict[str, str]:
    """Slack shows an error only on a block present in the view; fall back to the first input."""
    present = [b.get("block_id") for b in view.get("blocks", []) if b.get("type") == "input"]
    block = blocks_by_field.get(error.field or "")
    if block not in present:
        block = present[0] if present else blocks_by_field["title"]
    return {block: message}


def tell_privately(client: WebClient, origin: ModalContext, user_id: str,
                   rendered: blocks.Rendered) -> None:
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
            message = deps.quick_translator(context).render(error.message)
            ack(response_action="errors", errors=_field_errors(view, error, _FIELD_BLOCKS, message))
            return
        ack()

        def confirm() -> None:
            t = deps.translator(context)
            rendered = blocks.proposal_confirmation(t, card, announced=bool(deps.channel_id))
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
            if form.starts_at is None:
                raise InvalidInput(text(N_("Pick a date and time.")), field="starts_at")
            if not form.duration.isdigit():
                raise InvalidInput(text(N_("The length is a whole number of minutes.")), field="duration")
            starts_at = datetime.fromtimestamp(form.starts_at, UTC)
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
            message = deps.quick_translator(context).render(error.message)
            ack(response_action="errors", errors=_field_errors(view, error, _SCHEDULE_BLOCKS, message))
            return
        ack()

        def confirm() -> None:
            t = deps.translator(context)
            sent = card.invite_at <= services.clock.now()
            rendered = meeting_blocks.with_insights(
                meeting_blocks.schedule_confirmation(t, card, deps.timezone, sent), t,
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
        try:
            talks = []
            for speaker, organisation, subject, minutes in form.talks:
                if not minutes.isdigit():
                    raise InvalidInput(text(N_("The length is a whole number of minutes.")), field="talks")
                talks.append(Talk(speaker, organisation or None, subject, int(minutes)))
            if origin.meeting is None:
                raise InvalidInput(text(N_("This form has expired; open it again with `/dialog agenda`.")))
            outcome = deps.services.meetings.set_agenda(deps.actor(context), origin.meeting,
                                                        topic_numbers=form.topics, talks=talks)
        except DomainError as error:
            message = deps.quick_translator(context).render(error.message)
            ack(response_action="errors", errors=_field_errors(view, error, _AGENDA_BLOCKS, message))
            return
        ack()

        def confirm() -> None:
            t = deps.translator(context)
            rendered = meeting_blocks.with_insights(
                meeting_blocks.agenda_confirmation(t, outcome), t,
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
            message = deps.quick_translator(context).render(error.message)
            block = ids.MINUTES_DECISIONS if error.field == "decisions" else ids.MINUTES_SUMMARY
            if error.field and error.field.startswith("action_"):
                # The service counts the rows entered; show the error on that row of the form.
                position = int(error.field.removeprefix("action_"))
                block = f"action_{items[position - 1][0] if 0 < position <= len(items) else 1}"
            ack(response_action="errors", errors={block: message})
            return
        ack()

        def confirm() -> None:
            rendered = meeting_blocks.minutes_confirmation(deps.translator(context), recorded)
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
                                view=meeting_blocks.urgent_modal(deps.translator(context), form,
                                                                 view.get("private_metadata") or ""))
        except SlackApiError as error:
            # A newer pick already updated the form; its count is the one that matters.
            if error.response.get("error") != "hash_conflict":
                raise

    app.action(ids.URGENT_RECOUNT)(ack=ack_now, lazy=[guard(recount)])
