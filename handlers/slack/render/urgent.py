"""Urgent meetings: the form that counts who will be notified, and the coordinator's progress report."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts, modal, organisation_pickers, title_hint
from handlers.slack.render.meetings import tally_line
from handlers.slack.text import code, escape, mention, truncate
from services.i18n import Translator
from services.meetings import TITLE_MAX as MEETING_TITLE_MAX
from services.meetings import (
    UrgentForm,
)
from services.messages import (
    UrgentProgress,
)


def urgent_progress(t: Translator, message: UrgentProgress, zone: ZoneInfo) -> Rendered:
    """The coordinator's live report on an urgent call, updated in place."""
    card = message.meeting
    head = t.gettext("Urgent call {title}: sent {sent} of {total}.").format(
        title=f"*{escape(card.title)}*", sent=message.sent, total=message.total)
    lines = [head]
    if message.done:
        lines.append(t.gettext("Done. Delivered: {sent} · Failed: {failed}.").format(
            sent=message.sent, failed=len(message.failed)))
        if message.skipped:
            lines.append(t.gettext("Not sent, no longer relevant: {count}.").format(count=message.skipped))
    for failure in message.failed[:20]:
        lines.append(f"• {mention(failure.person.user_id)}: `{code(failure.reason)}`")
    if len(message.failed) > 20:
        lines.append(t.gettext("…and {count} more failed.").format(count=len(message.failed) - 20))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))),
        ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]),
    ]
    return Rendered(head.replace("*", ""), dicts(blocks))


def urgent_modal(t: Translator, form: UrgentForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog urgent` with no text: who will be notified is counted live."""
    choices = form.choices
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=":rotating_light: " + t.gettext(
            "Invitations go out at once, to the channel and to every contact, marked urgent."))),
        InputBlock(block_id=ids.SCHEDULE_TITLE, label=PlainTextObject(text=t.gettext("Title")),
                   hint=PlainTextObject(text=title_hint(t, MEETING_TITLE_MAX)),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION)),
        InputBlock(block_id=ids.SCHEDULE_START, label=PlainTextObject(text=t.gettext("Starts")),
                   element=DateTimePickerElement(action_id=ids.INPUT_ACTION,
                                                 initial_date_time=int(form.default_start.timestamp()))),
    ]
    blocks.extend(organisation_pickers(t, choices.organisations, ids.URGENT_RECOUNT, recount=True))
    blocks.append(ContextBlock(block_id=ids.URGENT_AUDIENCE_BLOCK, elements=[MarkdownTextObject(
        text=t.gettext("Will notify {organisations} organisations and {people} people.").format(
            organisations=form.organisations, people=form.people))]))
    title, submit = t.gettext("Urgent meeting"), t.gettext("Send now")
    return modal(t, ids.URGENT_VIEW, private_metadata, title, submit, blocks)
