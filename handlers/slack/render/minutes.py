"""Minutes: the form, the posted minutes, the follow-up reminder and the confirmation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UserMultiSelectElement,
)

from handlers.slack import ids
from handlers.slack.refs import from_ref
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal, optional_text, organisation_pick
from handlers.slack.text import babel_locale, escape, plain_text, slack_date, truncate
from services.i18n import Translator
from services.messages import (
    ActionItemDue,
    MinutesPosted,
    MinutesView,
)
from services.minutes import MinutesForm


def minutes_posted(t: Translator, message: MinutesPosted, zone: ZoneInfo) -> Rendered:
    """The minutes: in the invitation's thread in the channel, or to an attendee."""
    minutes = message.minutes
    card = minutes.meeting
    # The heading is also the message's `text`, which Slack parses (and pushes as a notification).
    heading = t.gettext("Minutes: {title}").format(title=escape(card.title))
    header = t.gettext("Minutes: {title}").format(title=plain_text(card.title))
    lines = [f"*{escape(card.title)}*, {slack_date(card.starts_at, zone, t.language)}",
             escape(minutes.summary)]
    if minutes.decisions:
        lines.append("*" + t.gettext("Decisions") + ":*\n" + escape(minutes.decisions))
    if minutes.discussed:
        lines.append("*" + t.gettext("Topics discussed") + ":* " + "; ".join(
            f"{escape(title)} _(#{number})_" for number, title in minutes.discussed))
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(header, 150), emoji=False)),
        SectionBlock(text=MarkdownTextObject(text=truncate("\n\n".join(lines), 3000))),
    ]
    if minutes.action_items:
        items = "\n".join(
            "• " + t.gettext("{what}: {owner}, by {due}").format(
                what=escape(item.description), owner=escape(item.owner),
                due=format_date(item.due_on, "long", locale=babel_locale(t.language)))
            for item in minutes.action_items
        )
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=truncate("*" + t.gettext("Follow-up") + ":*\n" + items, 3000))))
    attended = t.ngettext("{count} person attended", "{count} people attended", minutes.attendees).format(
        count=minutes.attendees)
    if minutes.attending_organisations:
        attended += " · " + t.gettext("Organisations present: {names}").format(
            names=", ".join(escape(n) for n in minutes.attending_organisations))
    if minutes.version > 1:
        attended += " · " + t.gettext("corrected")
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(attended, 3000))]))
    thread = from_ref(message.reply_to).ts if message.reply_to else None
    return Rendered(heading, dicts(blocks), thread_ts=thread)


def action_item_due(t: Translator, message: ActionItemDue, zone: ZoneInfo) -> Rendered:
    """The reminder to a follow-up point's organisation on its due date."""
    line = t.gettext("Due today for {owner}: {what} (from meeting {number}, {title}).").format(
        owner=escape(message.item.owner), what=f"*{escape(message.item.description)}*",
        number=message.meeting_number, title=escape(message.meeting_title))
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def minutes_confirmation(t: Translator, minutes: MinutesView) -> Rendered:
    """Told privately to the coordinator who recorded the minutes."""
    line = t.ngettext("The minutes of meeting {number} ({title}) are recorded and on their way to the "
                      "channel and the {count} attendee.",
                      "The minutes of meeting {number} ({title}) are recorded and on their way to the "
                      "channel and the {count} attendees.", minutes.attendees).format(
        number=minutes.meeting.number, title=escape(minutes.meeting.title), count=minutes.attendees)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def minutes_modal(t: Translator, form: MinutesForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog minutes <meeting-no>`."""
    card = form.meeting
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{card.number}. {escape(card.title)}*")),
        InputBlock(block_id=ids.MINUTES_SUMMARY, label=PlainTextObject(text=t.gettext("Summary")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True, max_length=3000,
                                                 initial_value=form.summary or None)),
        InputBlock(block_id=ids.MINUTES_DECISIONS, label=PlainTextObject(text=t.gettext("Decisions")),
                   optional=True,
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True, max_length=3000,
                                                 initial_value=form.decisions or None)),
    ]
    if card.agenda:
        options = [Option(value=str(n), text=truncate(f"{n}. {plain_text(title)}", 75))
                   for n, title in card.agenda]
        blocks.append(InputBlock(
            block_id=ids.MINUTES_DISCUSSED, label=PlainTextObject(text=t.gettext("Topics discussed")),
            optional=True,
            element=CheckboxesElement(action_id=ids.INPUT_ACTION, options=options, initial_options=options)))
    attending = [p.user_id for p in form.people_attending][:100]
    blocks.append(InputBlock(
        block_id=ids.MINUTES_ATTENDEES, label=PlainTextObject(text=t.gettext("Who attended")), optional=True,
        hint=PlainTextObject(text=t.gettext("Filled in from the yes-answers; correct it if needed.")),
        element=UserMultiSelectElement(action_id=ids.INPUT_ACTION, initial_users=attending or None)))
    org_options = [Option(value=name, text=truncate(plain_text(name), 75))
                   for name in form.organisations[:OPTIONS_MAX]]
    for n in range(1, ids.MINUTES_ITEMS + 1):
        item = form.action_items[n - 1] if len(form.action_items) >= n else None
        blocks.append(HeaderBlock(text=PlainTextObject(
            text=t.gettext("Follow-up point {number}").format(number=n), emoji=False)))
        blocks.append(optional_text(f"action_{n}", t.gettext("What"), 500,
                                     item.description if item else None))
        if org_options:
            owner = t.gettext("Owner organisation")
            blocks.append(organisation_pick(f"action_{n}_owner", owner, org_options,
                                             item.owner if item else None))
        blocks.append(InputBlock(
            block_id=f"action_{n}_due", label=PlainTextObject(text=t.gettext("Due")), optional=True,
            element=DatePickerElement(action_id=ids.INPUT_ACTION,
                                      initial_date=item.due_on.isoformat() if item else None)))
    title, submit = t.gettext("Meeting minutes"), t.gettext("Send")
    return modal(t, ids.MINUTES_VIEW, private_metadata, title, submit, blocks)
