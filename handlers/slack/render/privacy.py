"""Data protection in Slack: one's data (a download link, or the JSON itself when the bot has no
public address), the privacy notice with its opt-out button, the erase question and outcomes."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack import ids
from handlers.slack.hints import slack_hint
from handlers.slack.render.common import Rendered, dicts
from handlers.slack.text import code, escape, mention, slack_date, truncate
from services.i18n import Command, Hint, Translator
from services.messages import ContactOptedOut, PersonalDataReady, PrivacyNotice
from services.privacy import Erased, ErasureQuestion, ExportRequested, OptedOut
from services.wording import data_labels

# Slack takes up to 3,000 characters in a section and 50 blocks in a message: the JSON itself is
# shown only when it fits a few sections; otherwise the link (or a coordinator's export) carries it.
CHUNK = 2900
INLINE_CHUNKS = 8
DAYS_PER_MONTH = 365.2425 / 12


def _counts(t: Translator, counts: tuple[tuple[str, int], ...]) -> str:
    labels = data_labels(t)
    return "\n".join(f"• {labels.get(name, name)}: {count}" for name, count in counts)


def _hint(t: Translator, command: Command, *args: str) -> str:
    return slack_hint(t)(Hint(command), args)


def data_requested(t: Translator, outcome: ExportRequested) -> Rendered:
    """The private answer to `/dialog my data`."""
    line = t.gettext("Everything the bot holds about you is on its way to your messages with the bot.")
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def personal_data_ready(t: Translator, message: PersonalDataReady, zone: ZoneInfo,
                        public_url: str) -> Rendered:
    """One's data: what there is, counted, and the document: a link to download it while it works,
    or (no public address) the JSON itself if it fits, else where to ask."""
    head = t.gettext("*Everything Dialogbot holds about you*")
    counts = _counts(t, message.counts) or t.gettext("Nothing besides your user ID.")
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f"{head}\n{counts}"))]
    if public_url:
        url = f"{public_url}{ids.PERSONAL_DATA_PATH}{message.download_key}.json"
        blocks.append(ActionsBlock(elements=[ButtonElement(
            text=PlainTextObject(text=t.gettext("Download your data (JSON)")), action_id=ids.PRIVACY_DOWNLOAD,
            url=url)]))
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
            "The link works until {when}, for whoever has it: keep it to yourself.").format(
                when=slack_date(message.expires_at, zone, t.language)))]))
    elif len(message.document) <= CHUNK * INLINE_CHUNKS:
        for start in range(0, len(message.document), CHUNK):
            blocks.append(SectionBlock(text=MarkdownTextObject(
                text=f"```{code(message.document[start:start + CHUNK])}```")))
    else:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=t.gettext(
            "That is more than a message here can hold. Ask a coordinator for the whole file: they can "
            "export it for you."))))
    return Rendered(t.gettext("Everything Dialogbot holds about you"), dicts(blocks))


def _period(t: Translator, retention: timedelta) -> str:
    months = round(retention.days / DAYS_PER_MONTH)
    if months >= 2:
        return t.ngettext("{count} month", "{count} months", months).format(count=months)
    return t.ngettext("{count} day", "{count} days", retention.days).format(count=retention.days)


def privacy_notice(t: Translator, message: PrivacyNotice) -> Rendered:
    """Told once to a new contact: who is responsible, what is kept and for how long, how to see or
    erase it, and a button to stop being a contact."""
    names = ", ".join(escape(name) for name in message.organisations)
    head = t.gettext("You are now a contact for {organisations} in the dialogue meetings.").format(
        organisations=names)
    who = (t.gettext("{controller} is responsible for the data the bot keeps.").format(
        controller=escape(message.controller)) if message.controller
        else t.gettext("The municipality that runs these dialogue meetings is responsible for the data "
                       "the bot keeps."))
    ask = (t.gettext("Questions about your data: {contact}.").format(contact=escape(message.privacy_contact))
           if message.privacy_contact else t.gettext("Questions about your data: ask a coordinator."))
    lines = [
        f"*{head}*",
        who,
        t.gettext("What is kept: your user ID, which organisations you speak for, your answers to "
                  "invitations and whether you came, topics you propose or support, and the language you "
                  "choose. Nothing about your background, faith or views: perspectives describe "
                  "organisations, never people."),
        t.gettext("Your answers, attendance and the messages to you are kept for {period}, then made "
                  "anonymous or deleted.").format(period=_period(t, message.retention)),
        t.gettext("See everything the bot holds about you with {my_data}; erase it with {erase}.").format(
            my_data=_hint(t, Command.MY_DATA), erase=_hint(t, Command.ERASE)),
        ask,
        t.gettext("If you do not want to be a contact, click below: you are taken off the roster and the "
                  "coordinators are told."),
    ]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=truncate("\n\n".join(lines), 3000))),
        ActionsBlock(elements=[ButtonElement(text=PlainTextObject(text=t.gettext("Stop being a contact")),
                                             action_id=ids.PRIVACY_OPT_OUT, value="opt-out")]),
    ]
    return Rendered(head, dicts(blocks))


def contact_opted_out(t: Translator, message: ContactOptedOut) -> Rendered:
    """Told to the coordinators: who stopped being a contact, and of which organisations."""
    who = (mention(message.person.user_id) if message.person is not None
           else t.gettext("A person (since erased)"))
    line = t.gettext("{who} asked to stop being a contact and was taken off: {organisations}.").format(
        who=who, organisations=", ".join(escape(name) for name in message.organisations))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def opted_out(t: Translator, outcome: OptedOut) -> Rendered:
    """The answer to the opt-out button."""
    if not outcome.organisations:
        line = t.gettext("You are not a contact for any organisation.")
    else:
        names = ", ".join(escape(n) for n in outcome.organisations)
        line = t.gettext("You are no longer a contact for {organisations}, and the coordinators have been "
                         "told. What you answered before stays in the meetings' records; to erase it too, "
                         "use {erase}.").format(erase=_hint(t, Command.ERASE),
                                                organisations=names)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def erase_question(t: Translator, question: ErasureQuestion) -> Rendered:
    """Before erasing: what the bot holds, and a confirmed Erase button bound to who asked."""
    whose = (t.gettext("your data") if question.yourself
             else t.gettext("the data of {person}").format(person=mention(question.person.user_id)))
    head = t.gettext("Erase {whose}?").format(whose=whose)
    body = t.gettext("The user ID is removed from every record: past answers, supports and proposals stay "
                     "as anonymous counts, so the organisations' history still adds up; comments, places as "
                     "a contact and the language choice are deleted. This cannot be undone.")
    confirm = ConfirmObject(
        title=PlainTextObject(text=t.gettext("Erase for good?")),
        text=MarkdownTextObject(text=t.gettext("This cannot be undone.")),
        confirm=PlainTextObject(text=t.gettext("Erase")), deny=PlainTextObject(text=t.gettext("Keep")),
        style="danger")
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{head}*\n{_counts(t, question.counts)}\n\n{body}")),
        ActionsBlock(elements=[ButtonElement(
            text=PlainTextObject(text=t.gettext("Erase")), style="danger", action_id=ids.PRIVACY_ERASE,
            value=question.token, confirm=confirm)]),
    ]
    return Rendered(head, dicts(blocks))


def erased(t: Translator, outcome: Erased) -> Rendered:
    """Done: how many records no longer name them."""
    line = (t.ngettext("Your data is erased ({count} record).", "Your data is erased ({count} records).",
                       outcome.rows) if outcome.yourself
            else t.ngettext("Erased: {count} record no longer names that person.",
                            "Erased: {count} records no longer name that person.", outcome.rows)
            ).format(count=outcome.rows)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
