"""A meeting changed or called off: the change form, the coordinator's confirmations, the
"what changed" message to those already invited, and the question before cancelling."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UrlInputElement,
)

from handlers.slack import ids
from handlers.slack.render.chair import chair_inputs
from handlers.slack.render.common import Rendered, dicts, modal, title_hint
from handlers.slack.render.meetings import meeting_details, when_and_length
from handlers.slack.text import dated_in_zone, escape, literal, slack_date, truncate
from services.i18n import Translator
from services.meetings import (
    BACKGROUND_MAX,
    DURATION_MAX,
    DURATION_MIN,
    TITLE_MAX,
    ChangeField,
    ChangeForm,
    ChangeOutcome,
)
from services.messages import MeetingCard, MeetingChanged
from services.wording import what_changed


def meeting_changed(t: Translator, message: MeetingChanged, zone: ZoneInfo) -> Rendered:
    """Told to each person who already got the invitation: what changed, and the meeting as it is."""
    card = message.meeting
    line = t.gettext("Meeting {number} ({title}) has changed: {changes}.").format(
        number=card.number, title=escape(card.title), changes=what_changed(t, message.changes))
    lines = [f"*{line}*"]
    if message.previous_starts_at is not None:
        lines.append(t.gettext("New time: {when} (was {previous}).").format(
            when=slack_date(card.starts_at, zone, t.language),
            previous=slack_date(message.previous_starts_at, zone, t.language)))
        lines.append(t.gettext("If this changes whether you can come, answer again in the invitation."))
    else:
        lines.append(when_and_length(t, card, zone))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))),
        *meeting_details(t, card),
    ]
    return Rendered(line, dicts(blocks))


def change_modal(t: Translator, form: ChangeForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog change <meeting-no>`, holding the meeting as it is."""
    card = form.meeting
    about = (t.gettext("Everyone who already got the invitation is told what changed, and every copy of "
                       "it follows.") if form.invitations_sent
             else t.gettext("The invitations have not gone out yet: they will show the meeting as it is "
                            "then."))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t.gettext("Change what is needed; the rest stays as it is.")
                                             + " " + about)),
        InputBlock(block_id=ids.SCHEDULE_TITLE, label=PlainTextObject(text=t.gettext("Title")),
                   hint=PlainTextObject(text=title_hint(t, TITLE_MAX)),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, initial_value=card.title)),
        InputBlock(block_id=ids.SCHEDULE_START, label=PlainTextObject(text=t.gettext("Starts")),
                   element=DateTimePickerElement(action_id=ids.INPUT_ACTION,
                                                 initial_date_time=int(card.starts_at.timestamp()))),
        InputBlock(block_id=ids.SCHEDULE_DURATION, label=PlainTextObject(text=t.gettext("Length in minutes")),
                   element=NumberInputElement(action_id=ids.INPUT_ACTION, is_decimal_allowed=False,
                                              initial_value=str(card.duration_minutes),
                                              min_value=str(DURATION_MIN), max_value=str(DURATION_MAX))),
        InputBlock(block_id=ids.SCHEDULE_LINK, label=PlainTextObject(text=t.gettext("Video link")),
                   optional=True,
                   element=UrlInputElement(action_id=ids.INPUT_ACTION, initial_value=card.video_link)),
        *chair_inputs(t, card),
    ]
    if form.offers_background:
        blocks.append(InputBlock(
            block_id=ids.SCHEDULE_BACKGROUND, label=PlainTextObject(text=t.gettext("Background")),
            optional=True,
            hint=PlainTextObject(text=t.gettext(
                "What has happened, in a few lines: shown in every invitation.")),
            element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True,
                                          max_length=BACKGROUND_MAX, initial_value=card.background or None)))
    title = t.gettext("Change meeting {number}").format(number=card.number)
    return modal(t, ids.CHANGE_VIEW, private_metadata, title, t.gettext("Save"), blocks)


def change_confirmation(t: Translator, outcome: ChangeOutcome, zone: ZoneInfo) -> Rendered:
    """Told privately to the coordinator who changed a meeting."""
    card = outcome.meeting
    if not outcome.changes:
        line = t.gettext("Nothing changed in meeting {number} ({title}).").format(
            number=card.number, title=escape(card.title))
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    line = t.gettext("Meeting {number} ({title}) now has {changes}.").format(
        number=card.number, title=escape(card.title), changes=what_changed(t, outcome.changes))
    more = []
    if ChangeField.TIME in outcome.changes:
        more.append(t.gettext("It starts {when}.").format(when=dated_in_zone(t, card.starts_at, zone)))
    if outcome.invitations_sent:
        more.append(t.ngettext(
            "Every copy of the invitation shows it now; the {count} person who already got it is told "
            "what changed in a couple of minutes.",
            "Every copy of the invitation shows it now; the {count} people who already got it are told "
            "what changed in a couple of minutes.", outcome.told).format(count=outcome.told))
    else:
        more.append(t.gettext("The invitations go out {when}, as the meeting is then.").format(
            when=slack_date(card.invite_at, zone, t.language)))
        if outcome.brought_forward:
            more.append(t.gettext("The time is brought forward to a working day: invitations never go out "
                                  "on weekends or public holidays."))
    text = f"{line} {' '.join(more)}"
    return Rendered(text, dicts([SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)))]))


def cancel_question(t: Translator, card: MeetingCard, zone: ZoneInfo, reason: str = "") -> Rendered:
    """Asked privately after `/dialog cancel`: nothing happens until the (confirmed) button, which
    carries the reason typed after the number (passed on to everyone invited)."""
    line = t.gettext("Cancel meeting {number} ({title}), {when}? Everyone who was invited is told, and "
                     "the channel post says *Cancelled*.").format(
        number=card.number, title=escape(card.title), when=slack_date(card.starts_at, zone, t.language))
    if reason:
        about = t.gettext("The reason they are given: {reason}").format(reason=escape(reason))
    else:
        about = literal(t.gettext("To tell them why, add a reason: `/dialog cancel {number} <reason>`."))
        about = about.format(number=card.number)
    button = ButtonElement(
        text=t.gettext("Cancel meeting {number}").format(number=card.number), action_id=ids.MEETING_CANCEL,
        value=f"{card.number}|{reason}" if reason else str(card.number), style="danger",
        confirm=ConfirmObject(
            title=truncate(t.gettext("Cancel the meeting?"), 100),
            # The dialog's text is mrkdwn: the title is escaped as everywhere else.
            text=truncate(t.gettext("Meeting {number} ({title}) is cancelled for everyone invited. This "
                                    "cannot be undone.").format(number=card.number, title=escape(card.title)),
                          300),
            confirm=t.gettext("Cancel it"), deny=t.gettext("Keep it"), style="danger"),
    )
    return Rendered(line.replace("*", ""), dicts([
        SectionBlock(text=MarkdownTextObject(text=line)),
        ContextBlock(elements=[MarkdownTextObject(text=truncate(about, 3000))]),
        ActionsBlock(block_id=f"cancel:{card.number}", elements=[button]),
    ]))


def cancel_confirmation(t: Translator, card: MeetingCard) -> Rendered:
    """Told privately to the coordinator who cancelled."""
    line = t.gettext("Meeting {number} ({title}) is cancelled. Everyone who was invited is told.").format(
        number=card.number, title=escape(card.title))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
