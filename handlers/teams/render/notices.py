"""Notices to one person in Teams: the privacy notice, one's data, a contact who opted out (to the
coordinators), and what became of a suggested organisation."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import CardElement, ExecuteAction

from handlers.teams.render.common import PRIVACY_OPT_OUT, Card, md, text_block
from handlers.teams.render.parts import bold, finish, note, open_url
from handlers.teams.render.words import hint, local_time, person_words
from services.i18n import Command, Translator
from services.messages import ContactOptedOut, PersonalDataReady, PrivacyNotice, SuggestionDecided
from services.wording import data_labels

PERSONAL_DATA_PATH = "/p/data/{key}.json"
# The JSON itself is shown only when it fits one card well below Teams' message size (about 28 KB,
# and escaping adds to it); otherwise the link, or a coordinator's export, carries it.
INLINE_MAX = 6000
CHUNK = 2000
DAYS_PER_MONTH = 365.2425 / 12


def _counts(t: Translator, counts: tuple[tuple[str, int], ...]) -> str:
    labels = data_labels(t)
    return "\n".join(f"- {labels.get(name, md(name))}: {count}" for name, count in counts)


def personal_data_ready(t: Translator, message: PersonalDataReady, zone: ZoneInfo, public_url: str) -> Card:
    """One's data: what there is, counted, and the document: a link to download it while it works,
    or (no public address) the JSON itself if it fits, else where to ask."""
    head = t.gettext("Everything Dialogbot holds about you")
    counts = _counts(t, message.counts) or t.gettext("Nothing besides your user ID.")
    body: list[CardElement] = [bold(head), text_block(counts, spacing="None")]
    actions: list[CardAction] = []
    if public_url:
        url = public_url.rstrip("/") + PERSONAL_DATA_PATH.format(key=message.download_key)
        actions.append(open_url(t.gettext("Download your data (JSON)"), url))
        body.append(note(t.gettext(
            "The link works until {when}, for whoever has it: keep it to yourself.").format(
                when=local_time(message.expires_at, zone, t.language))))
    elif len(message.document) <= INLINE_MAX:
        for start in range(0, len(message.document), CHUNK):
            body.append(text_block(md(message.document[start:start + CHUNK]), font_type="Monospace",
                                   spacing="None"))
    else:
        body.append(text_block(t.gettext("That is more than a message here can hold. Ask a coordinator for "
                                         "the whole file: they can export it for you.")))
    return finish(head, body, actions)


def _period(t: Translator, retention: timedelta) -> str:
    months = round(retention.days / DAYS_PER_MONTH)
    if months >= 2:
        return t.ngettext("{count} month", "{count} months", months).format(count=months)
    return t.ngettext("{count} day", "{count} days", retention.days).format(count=retention.days)


def privacy_notice(t: Translator, message: PrivacyNotice) -> Card:
    """Told once to a new contact: who is responsible, what is kept and for how long, and how to see or
    erase it."""
    names = ", ".join(md(name) for name in message.organisations)
    head = t.gettext("You are now a contact for {organisations} in the dialogue meetings.").format(
        organisations=names)
    who = (t.gettext("{controller} is responsible for the data the bot keeps.").format(
        controller=md(message.controller)) if message.controller
        else t.gettext("The municipality that runs these dialogue meetings is responsible for the data "
                       "the bot keeps."))
    ask = (t.gettext("Questions about your data: {contact}.").format(contact=md(message.privacy_contact))
           if message.privacy_contact else t.gettext("Questions about your data: ask a coordinator."))
    lines = [
        who,
        t.gettext("What is kept: your user ID, which organisations you speak for, your answers to "
                  "invitations and whether you came, topics you propose or support, and the language you "
                  "choose. Nothing about your background, faith or views: perspectives describe "
                  "organisations, never people."),
        t.gettext("Your answers, attendance and the messages to you are kept for {period}, then made "
                  "anonymous or deleted.").format(period=_period(t, message.retention)),
        t.gettext("See everything the bot holds about you with {my_data}; erase it with {erase}.").format(
            my_data=hint(t, Command.MY_DATA), erase=hint(t, Command.ERASE)),
        ask,
        t.gettext("If you do not want to be a contact, click below: you are taken off the roster and the "
                  "coordinators are told."),
    ]
    stop = ExecuteAction(title=t.gettext("Stop being a contact"), verb=PRIVACY_OPT_OUT, data={})
    return finish(head, [bold(head), *(text_block(line) for line in lines)], [stop])


def contact_opted_out(t: Translator, message: ContactOptedOut) -> Card:
    """Told to the coordinators: who stopped being a contact, and of which organisations."""
    line = t.gettext("{who} asked to stop being a contact and was taken off: {organisations}.").format(
        who=person_words(t, message.person),
        organisations=", ".join(md(name) for name in message.organisations))
    return finish(line, [text_block(line)])


def suggestion_decided(t: Translator, message: SuggestionDecided) -> Card:
    """The suggester's message: what a coordinator decided."""
    name = md(message.organisation)
    if not message.accepted:
        line = t.gettext("A coordinator has looked at your suggestion of {organisation} and decided not to "
                         "add it to the roster this time. Thank you for suggesting it.").format(
            organisation=name)
    elif message.meeting_number is not None:
        line = t.gettext("Your suggestion {organisation} was added to the roster and invited to meeting "
                         "{number} ({title}). Thank you!").format(
            organisation=name, number=message.meeting_number, title=md(message.meeting_title or ""))
    else:
        line = t.gettext("Your suggestion {organisation} was added to the roster. Thank you!").format(
            organisation=name)
    return finish(line, [text_block(line)])
