"""Draft minutes and the case archive in Slack: the draft's note and Comment button, the comment
form, a comment passed on to the coordinators, making minutes final, and the download links."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts, modal
from handlers.slack.text import escape, literal, mention, slack_date, truncate
from services.i18n import Translator
from services.messages import MinutesCommented, MinutesView
from services.minutes_review import COMMENT_MAX, CommentOutcome, FinalOutcome

FORMATS = (("pdf", "PDF/A"), ("docx", "DOCX"))


def draft_blocks(t: Translator, minutes: MinutesView, zone: ZoneInfo, *, closed: bool) -> list[Block]:
    """Under draft minutes: comments by when, and the Comment button; once final, that comments
    are closed (the final minutes were sent)."""
    if closed:
        return [ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
            "Comments are closed: these minutes are final, and the final version has been sent."))])]
    until = (t.gettext("Comments by {when}.").format(when=slack_date(minutes.review_until, zone, t.language))
             if minutes.review_until else "")
    return [
        SectionBlock(text=MarkdownTextObject(text=(
            "*" + t.gettext("Draft for comments") + "* " + until).strip())),
        ActionsBlock(block_id=f"minutes_draft:{minutes.meeting.number}", elements=[ButtonElement(
            text=t.gettext("Comment"), action_id=ids.MINUTES_COMMENT_OPEN,
            value=str(minutes.meeting.number))]),
    ]


def archive_button(t: Translator, number: int) -> ActionsBlock:
    """Coordinators: fetch the minutes as PDF/A or DOCX for the case archive."""
    return ActionsBlock(block_id=f"minutes_archive:{number}", elements=[ButtonElement(
        text=t.gettext("Download for the archive (coordinators)"), action_id=ids.MINUTES_ARCHIVE,
        value=str(number))])


def final_button(t: Translator, number: int) -> ActionsBlock:
    """Coordinators: make draft minutes final now (behind a confirmation)."""
    return ActionsBlock(block_id=f"minutes_final:{number}", elements=[ButtonElement(
        text=t.gettext("Make final now"), action_id=ids.MINUTES_FINAL, value=str(number),
        confirm={"title": {"type": "plain_text", "text": t.gettext("Make the minutes final?")},
                 "text": {"type": "plain_text", "text": t.gettext(
                     "Comments close, and the final minutes go to everyone invited and the channel.")},
                 "confirm": {"type": "plain_text", "text": t.gettext("Make final")},
                 "deny": {"type": "plain_text", "text": t.gettext("Cancel")}})])


def comment_modal(t: Translator, number: int, private_metadata: str) -> dict[str, Any]:
    """The form behind the Comment button and `/dialog comment <meeting-no>`."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t.gettext(
            "Your comment on the draft minutes of meeting {number} goes to the coordinators, who "
            "correct the minutes before they are final.").format(number=number))),
        InputBlock(block_id=ids.MINUTES_COMMENT_BODY, label=PlainTextObject(text=t.gettext("Your comment")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True,
                                                 max_length=COMMENT_MAX)),
    ]
    return modal(t, ids.MINUTES_COMMENT_VIEW, private_metadata, t.gettext("Comment on the minutes"),
                 t.gettext("Send"), blocks)


def comment_confirmation(t: Translator, outcome: CommentOutcome, zone: ZoneInfo) -> Rendered:
    """Told privately to whoever commented."""
    line = t.gettext("Thank you: your comment on the minutes of meeting {number} ({title}) went to the "
                     "coordinators.").format(number=outcome.meeting_number,
                                             title=escape(outcome.meeting_title))
    if outcome.review_until:
        line += " " + t.gettext("Comments are open until {when}.").format(
            when=slack_date(outcome.review_until, zone, t.language))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def minutes_commented(t: Translator, message: MinutesCommented, zone: ZoneInfo) -> Rendered:
    """A comment on draft minutes, to each coordinator: who, for which organisations, what."""
    who = mention(message.author.user_id)
    if message.organisations:
        who += " (" + ", ".join(escape(name) for name in message.organisations) + ")"
    line = t.gettext("{who} commented on the draft minutes of meeting {number} ({title}):").format(
        who=who, number=message.meeting_number, title=escape(message.meeting_title))
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=line)),
        SectionBlock(text=MarkdownTextObject(text=truncate("> " + escape(message.body).replace("\n", "\n> "),
                                                           3000))),
    ]
    if message.final:
        final = t.gettext("The minutes are final now.")
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=final)]))
    else:
        hint = literal(t.gettext("Correct the minutes with `/dialog minutes {number}`.")).format(
            number=message.meeting_number)
        if message.review_until:
            hint += " " + t.gettext("They become final on {when}.").format(
                when=slack_date(message.review_until, zone, t.language))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=hint)]))
        blocks.append(final_button(t, message.meeting_number))
    fallback = t.gettext("A comment on the draft minutes of meeting {number}").format(
        number=message.meeting_number)
    return Rendered(fallback, dicts(blocks))


def final_confirmation(t: Translator, outcome: FinalOutcome) -> Rendered:
    """Told privately to the coordinator who made the minutes final."""
    if outcome.already:
        line = t.gettext("The minutes of meeting {number} ({title}) were already final.")
    else:
        line = t.ngettext("The minutes of meeting {number} ({title}) are final and on their way to the "
                          "channel and everyone invited ({count} person).",
                          "The minutes of meeting {number} ({title}) are final and on their way to the "
                          "channel and everyone invited ({count} people).", outcome.readers)
    line = line.format(number=outcome.meeting_number, title=escape(outcome.meeting_title),
                       count=outcome.readers)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def archive_links(t: Translator, number: int, links: dict[str, str], minutes_valid: int) -> Rendered:
    """The coordinator's private download links (they expire)."""
    line = t.gettext("The minutes of meeting {number} for the case archive; the links work for {minutes} "
                     "minutes and only for you.").format(number=number, minutes=minutes_valid)
    buttons = [ButtonElement(text=label, action_id=f"{ids.MINUTES_ARCHIVE_LINK}_{kind}", url=links[kind])
               for kind, label in FORMATS if kind in links]
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line)),
                                 ActionsBlock(elements=buttons)]))


def archive_unavailable(t: Translator, number: int) -> Rendered:
    """No address the bot is reachable at from a browser (DIALOG_PUBLIC_URL): say what works."""
    line = literal(t.gettext(
        "Downloads need the bot's public address (DIALOG_PUBLIC_URL). Meanwhile, on the server: "
        "`bot.py minutes export {number} --format pdf` (or `--format docx`).")).format(number=number)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
