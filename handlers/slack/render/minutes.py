"""Minutes: the form, the posted minutes, the follow-up reminder and the confirmation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserMultiSelectElement,
)

from handlers.slack import ids
from handlers.slack.parsing.forms import OWNER_CITY, OWNER_ORGANISATION
from handlers.slack.refs import from_ref
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal, optional_text
from handlers.slack.render.follow_up import follow_up_from_last_time, point_line, status_buttons
from handlers.slack.render.review import archive_button, draft_blocks, final_button
from handlers.slack.text import escape, plain_text, slack_date, truncate
from services.enums import MinutesState, Side
from services.i18n import Translator
from services.messages import (
    ActionItemDue,
    ActionItemView,
    MinutesPosted,
)
from services.minutes import MinutesForm, MinutesRecorded


def minutes_posted(t: Translator, message: MinutesPosted, zone: ZoneInfo) -> Rendered:
    """The minutes: in the invitation's thread in the channel, or to an attendee."""
    minutes = message.minutes
    card = minutes.meeting
    # The heading is also the message's `text`, which Slack parses (and pushes as a notification).
    draft = message.draft
    label = t.gettext("Draft minutes: {title}") if draft else t.gettext("Minutes: {title}")
    heading = label.format(title=escape(card.title))
    header = label.format(title=plain_text(card.title))
    lines = [f"*{escape(card.title)}*, {slack_date(card.starts_at, zone, t.language)}",
             escape(minutes.summary)]
    if minutes.decisions:
        lines.append("*" + t.gettext("Main points") + ":*\n" + escape(minutes.decisions))
    if minutes.discussed:
        lines.append("*" + t.gettext("Topics discussed") + ":* " + "; ".join(
            f"{escape(title)} _(#{number})_" for number, title in minutes.discussed))
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=truncate(header, 150), emoji=False)),
        SectionBlock(text=MarkdownTextObject(text=truncate("\n\n".join(lines), 3000))),
    ]
    if minutes.action_items:
        items = "\n".join(point_line(t, item) for item in minutes.action_items)
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
    if draft:
        blocks.extend(draft_blocks(t, minutes, zone, closed=minutes.state == MinutesState.FINAL))
    if message.archive:
        blocks.append(archive_button(t, card.number))
    thread = from_ref(message.reply_to).ts if message.reply_to else None
    return Rendered(heading, dicts(blocks), thread_ts=thread)


def action_item_due(t: Translator, message: ActionItemDue, zone: ZoneInfo) -> Rendered:
    """The reminder to a follow-up point's organisation on its due date, with one-click status
    buttons (the reminder is re-rendered when the status changes)."""
    item = message.item
    line = t.gettext("Due today for {owner}: {what} (from meeting {number}, {title}).").format(
        owner=owner_name(t, item), what=f"*{escape(item.description)}*",
        number=message.meeting_number, title=escape(message.meeting_title))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line)),
                           ContextBlock(elements=[MarkdownTextObject(text=point_line(t, item))])]
    if item.position:
        blocks.append(status_buttons(t, item))
    return Rendered(line.replace("*", ""), dicts(blocks))


def minutes_confirmation(t: Translator, recorded: MinutesRecorded, zone: ZoneInfo | None = None) -> Rendered:
    """Told privately to the coordinator who recorded the minutes: who they are on their way to."""
    minutes = recorded.minutes
    number, title = minutes.meeting.number, escape(minutes.meeting.title)
    if minutes.state == MinutesState.DRAFT:
        # Recorded as a draft: it goes to those invited for comments first.
        when = (slack_date(minutes.review_until, zone or ZoneInfo("UTC"), t.language)
                if minutes.review_until else "")
        line = t.ngettext(
            "The minutes of meeting {number} ({title}) are recorded and on their way to everyone invited "
            "({count} person) as a draft for comments; they become final on {when}, or now if you say so.",
            "The minutes of meeting {number} ({title}) are recorded and on their way to everyone invited "
            "({count} people) as a draft for comments; they become final on {when}, or now if you say so.",
            recorded.readers).format(number=number, title=title, count=recorded.readers, when=when)
        blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line)), final_button(t, number)]
    else:
        line = t.ngettext(
            "The minutes of meeting {number} ({title}) are recorded and on their way to the channel and "
            "everyone invited ({count} person).",
            "The minutes of meeting {number} ({title}) are recorded and on their way to the channel and "
            "everyone invited ({count} people).",
            recorded.readers).format(number=number, title=title, count=recorded.readers)
        blocks = [SectionBlock(text=MarkdownTextObject(text=line))]
    blocks.append(archive_button(t, number))
    return Rendered(line, dicts(blocks))


def owner_name(t: Translator, item: ActionItemView) -> str:
    """Who owns a follow-up point, as the minutes say it: the city, or an organisation (an agency
    marked as one)."""
    if item.owner is None:
        return t.gettext("the city")
    if item.owner_side == Side.AGENCY:
        return t.gettext("{name} (public agency)").format(name=escape(item.owner))
    return escape(item.owner)


def _owner_choice(t: Translator, form: MinutesForm) -> list[OptionGroup]:
    """Who may own a follow-up point: the city, civil society's organisations, the public agencies
    (Slack takes 100 options in all)."""
    def options(names: tuple[str, ...], room: int) -> list[Option]:
        return [Option(value=OWNER_ORGANISATION + name, text=truncate(plain_text(name), 75))
                for name in names[:room]]

    agencies = options(form.agencies, OPTIONS_MAX // 4)
    groups = [OptionGroup(label=t.gettext("The city"),
                          options=[Option(value=OWNER_CITY, text=t.gettext("The city"))])]
    organisations = options(form.organisations, OPTIONS_MAX - 1 - len(agencies))
    if organisations:
        groups.append(OptionGroup(label=t.gettext("Civil society"), options=organisations))
    if agencies:
        groups.append(OptionGroup(label=t.gettext("Public agencies"), options=agencies))
    return groups


def minutes_modal(t: Translator, form: MinutesForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog minutes <meeting-no>`."""
    card = form.meeting
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{card.number}. {escape(card.title)}*")),
        InputBlock(block_id=ids.MINUTES_SUMMARY, label=PlainTextObject(text=t.gettext("Summary")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True, max_length=3000,
                                                 initial_value=form.summary or None)),
        InputBlock(block_id=ids.MINUTES_DECISIONS, label=PlainTextObject(text=t.gettext("Main points")),
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
    blocks.extend(follow_up_from_last_time(t, form.follow_up_before))
    attending = [p.user_id for p in form.people_attending][:100]
    blocks.append(InputBlock(
        block_id=ids.MINUTES_ATTENDEES, label=PlainTextObject(text=t.gettext("Who attended")), optional=True,
        hint=PlainTextObject(text=t.gettext("Filled in from the yes-answers; correct it if needed.")),
        element=UserMultiSelectElement(action_id=ids.INPUT_ACTION, initial_users=attending or None)))
    owner_choice = _owner_choice(t, form)
    for n in range(1, ids.MINUTES_ITEMS + 1):
        item = form.action_items[n - 1] if len(form.action_items) >= n else None
        blocks.append(HeaderBlock(text=PlainTextObject(
            text=t.gettext("Follow-up point {number}").format(number=n), emoji=False)))
        blocks.append(optional_text(f"action_{n}", t.gettext("What"), 500,
                                     item.description if item else None))
        initial = None
        if item is not None:
            value = OWNER_CITY if item.owner is None else OWNER_ORGANISATION + item.owner
            initial = next((o for group in owner_choice for o in group.options if o.value == value), None)
        blocks.append(InputBlock(
            block_id=f"action_{n}_owner", label=PlainTextObject(text=t.gettext("Owner")), optional=True,
            element=StaticSelectElement(action_id=ids.INPUT_ACTION, option_groups=owner_choice,
                                        initial_option=initial)))
        blocks.append(InputBlock(
            block_id=f"action_{n}_due", label=PlainTextObject(text=t.gettext("Due")), optional=True,
            element=DatePickerElement(action_id=ids.INPUT_ACTION,
                                      initial_date=item.due_on.isoformat() if item else None)))
    title, submit = t.gettext("Meeting minutes"), t.gettext("Send")
    return modal(t, ids.MINUTES_VIEW, private_metadata, title, submit, blocks)
