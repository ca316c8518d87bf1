"""What the bot tells one person by e-mail besides meetings and minutes: their topic moving, a
suggestion decided, the privacy notice, their data, the link to their page; and, for a coordinator
whose chat message could not be delivered, an opt-out and an urgent call's progress."""

from __future__ import annotations

from datetime import timedelta

from handlers.email.links import PAGE_DAYS
from handlers.email.render.common import (
    answer_word,
    finish,
    heading,
    local_time,
    meeting_subject,
    person_words,
    reader,
)
from handlers.email.render.context import EmailContext
from handlers.email.render.layout import Action, Block, Body
from handlers.email.render.mime import Email, one_line
from services.i18n import Translator
from services.messages import (
    ContactOptedOut,
    OrganisationReach,
    PersonalDataReady,
    PersonalLink,
    PrivacyNotice,
    SuggestionDecided,
    TopicChanged,
    UrgentProgress,
)
from services.people import Destination
from services.wording import data_labels

DAYS_PER_MONTH = 365.2425 / 12
PERSONAL_DATA_PATH = "/p/data/{key}.json"
# The whole JSON in the e-mail when the bot has no public address to download it from, up to this.
INLINE_DOCUMENT = 100_000
NAMES_SHOWN = 60


def topic_changed(message: TopicChanged, destination: Destination, context: EmailContext) -> Email:
    """Told to a topic's proposer each time it moves."""
    t = reader(destination, context)
    topic, meeting = message.topic, message.meeting
    title = f"{topic.number}. {topic.title}"
    if message.change == "scheduled" and meeting is not None:
        line = t.gettext("Your topic {topic} is on the agenda of meeting {number} ({title}), {when}.").format(
            topic=title, number=meeting.number, title=meeting.title,
            when=local_time(meeting.starts_at, context.zone, t.language))
        what = t.gettext("your topic is on the agenda")
    elif message.change == "unscheduled" and meeting is not None:
        line = t.gettext("Meeting {number} ({title}) will not discuss your topic {topic} after all; "
                         "it is back among the proposals.").format(topic=title, number=meeting.number,
                                                                  title=meeting.title)
        what = t.gettext("your topic is back among the proposals")
    elif message.change == "discussed" and meeting is not None:
        line = t.gettext("Your topic {topic} was discussed at meeting {number} ({title}).").format(
            topic=title, number=meeting.number, title=meeting.title)
        what = t.gettext("your topic was discussed")
    else:
        line = t.gettext("Your topic {topic} was declined. The reason given: {reason}").format(
            topic=title, reason=topic.state_reason or "—")
        what = ""
    subject = (meeting_subject(t, meeting, what) if meeting is not None and what
               else t.gettext("Your topic {topic}").format(topic=title))
    body = Body(title=title, blocks=(Block(paragraphs=(line,)),))
    return finish(t, subject, body, destination, context)


def suggestion_decided(message: SuggestionDecided, destination: Destination, context: EmailContext) -> Email:
    """What a coordinator decided about the organisation the reader suggested."""
    t = reader(destination, context)
    name = message.organisation
    if not message.accepted:
        line = t.gettext("A coordinator has looked at your suggestion of {organisation} and decided not to "
                         "add it to the roster this time. Thank you for suggesting it.").format(
            organisation=name)
    elif message.meeting_number is not None:
        line = t.gettext("Your suggestion {organisation} was added to the roster and invited to meeting "
                         "{number} ({title}). Thank you!").format(
            organisation=name, number=message.meeting_number, title=message.meeting_title or "")
    else:
        line = t.gettext("Your suggestion {organisation} was added to the roster. Thank you!").format(
            organisation=name)
    what = t.gettext("Your suggestion {organisation}").format(organisation=name)
    subject = one_line(f"{message.meeting_title}: {what}" if message.meeting_title else what)
    return finish(t, subject, Body(title=what, blocks=(Block(paragraphs=(line,)),)), destination, context)


def _period(t: Translator, retention: timedelta) -> str:
    months = round(retention.days / DAYS_PER_MONTH)
    if months >= 2:
        return t.ngettext("{count} month", "{count} months", months).format(count=months)
    return t.ngettext("{count} day", "{count} days", retention.days).format(count=retention.days)


def privacy_notice(message: PrivacyNotice, destination: Destination, context: EmailContext) -> Email:
    """Told once to a new contact: who is responsible, what is kept and for how long, whom to ask,
    and how to stop e-mail."""
    t = reader(destination, context)
    head = t.gettext("You are now a contact for {organisations} in the dialogue meetings.").format(
        organisations=", ".join(message.organisations))
    who = (t.gettext("{controller} is responsible for the data the bot keeps.").format(
        controller=message.controller) if message.controller
        else t.gettext("The municipality that runs these dialogue meetings is responsible for the data "
                       "the bot keeps."))
    ask = (t.gettext("Questions about your data: {contact}.").format(contact=message.privacy_contact)
           if message.privacy_contact else t.gettext("Questions about your data: ask a coordinator."))
    paragraphs = [
        who,
        t.gettext("What is kept: your e-mail address, which organisations you speak for, your answers to "
                  "invitations and whether you came, topics you propose or support, and the language you "
                  "read in. Nothing about your background, faith or views: perspectives describe "
                  "organisations, never people."),
        t.gettext("Your answers, attendance and the messages to you are kept for {period}, then made "
                  "anonymous or deleted.").format(period=_period(t, message.retention)),
        t.gettext("To see everything the bot holds about you, to have it erased, or to stop being a "
                  "contact, ask a coordinator."),
        ask,
    ]
    if context.links.available and destination.workspace is not None:
        paragraphs.append(t.gettext("If you do not want e-mail from the dialogue meetings, follow the link "
                                    "at the end of any of them."))
    return finish(t, head, Body(title=head, blocks=(Block(paragraphs=tuple(paragraphs)),)), destination,
                  context)


def personal_data_ready(message: PersonalDataReady, destination: Destination, context: EmailContext) -> Email:
    """One's data: what there is, counted, and a link to download the whole document while it
    works (without a public address: the document itself, if it fits)."""
    t = reader(destination, context)
    head = t.gettext("Everything Dialogbot holds about you")
    labels = data_labels(t)
    items = tuple(f"{labels.get(name, name)}: {count}" for name, count in message.counts)
    blocks = [Block(items=items) if items
              else Block(paragraphs=(t.gettext("Nothing besides your address."),))]
    if context.public_url:
        url = context.public_url.rstrip("/") + PERSONAL_DATA_PATH.format(key=message.download_key)
        blocks.append(Block(actions=(Action(t.gettext("Download your data (JSON)"), url),), note=t.gettext(
            "The link works until {when}, for whoever has it: keep it to yourself.").format(
                when=local_time(message.expires_at, context.zone, t.language))))
    elif len(message.document) <= INLINE_DOCUMENT:
        blocks.append(Block(heading="JSON", paragraphs=(message.document,)))
    else:
        blocks.append(Block(paragraphs=(t.gettext(
            "That is more than a message here can hold. Ask a coordinator for the whole file: they can "
            "export it for you."),)))
    return finish(t, head, Body(title=head, blocks=tuple(blocks)), destination, context)


def personal_link(message: PersonalLink, destination: Destination, context: EmailContext) -> Email:
    """The link to the reader's own page, sent on request."""
    t = reader(destination, context)
    head = t.gettext("Your page in the dialogue meetings")
    paragraphs = [t.gettext("On your page you see your upcoming meetings and answers, the open topics "
                            "(support them or propose one), and your organisation's follow-up points.")]
    if message.organisations:
        paragraphs.append(t.gettext("You are a contact for {organisations}.").format(
            organisations=", ".join(message.organisations)))
    blocks = [Block(paragraphs=tuple(paragraphs))]
    if context.links.available and destination.workspace is not None:
        blocks.append(Block(
            actions=(Action(t.gettext("Open your page"),
                            context.links.page_url(destination.workspace, destination.for_person)),),
            note=t.gettext("The link is yours alone: do not pass it on. It works for {days} days, and every "
                           "e-mail from the dialogue meetings brings a fresh one.").format(days=PAGE_DAYS)))
    else:
        blocks.append(Block(paragraphs=(
            t.gettext("The page cannot be reached just now; ask a coordinator."),)))
    return finish(t, head, Body(title=head, blocks=tuple(blocks)), destination, context)


def contact_opted_out(message: ContactOptedOut, destination: Destination, context: EmailContext) -> Email:
    """Told to a coordinator: who stopped being a contact, and of which organisations."""
    t = reader(destination, context)
    line = t.gettext("{who} asked to stop being a contact and was taken off: {organisations}.").format(
        who=person_words(t, message.person), organisations=", ".join(message.organisations))
    head = t.gettext("A contact left the roster")
    return finish(t, head, Body(title=head, blocks=(Block(paragraphs=(line,)),)), destination, context)


def _names(t: Translator, names: list[str]) -> tuple[str, ...]:
    shown = names[:NAMES_SHOWN]
    if len(names) > NAMES_SHOWN:
        shown.append(t.gettext("…and {count} more.").format(count=len(names) - NAMES_SHOWN))
    return tuple(shown)


def urgent_progress(message: UrgentProgress, destination: Destination, context: EmailContext) -> Email:
    """An urgent call's progress as it stood when sent (an e-mail is not updated; the chat report
    is), for a coordinator chat could not reach."""
    card = message.meeting
    t = reader(destination, context)
    lines = [t.gettext("Urgent call {title}: sent {sent} of {total}.").format(
        title=card.title, sent=message.sent, total=message.total)]
    if message.done:
        lines.append(t.gettext("Done. Delivered: {sent} · Failed: {failed}.").format(
            sent=message.sent, failed=len(message.failed)))
    elif message.sending:
        lines.append(t.ngettext("Still being sent to {count} organisation.",
                                "Still being sent to {count} organisations.", message.sending).format(
            count=message.sending))
    lines.append(t.gettext("As of {when}; this e-mail is not updated.").format(
        when=local_time(context.clock(), context.zone, t.language)))
    observer = t.gettext("observer")

    def name(reach: OrganisationReach) -> str:
        return f"{reach.name} ({observer})" if reach.observer else reach.name

    blocks = [Block(paragraphs=tuple(lines))]
    if message.answered:
        blocks.append(Block(heading=t.gettext("Answered"), items=_names(
            t, [f"{name(o)}: {answer_word(t, o.answer)}" for o in message.answered])))
    if message.silent:
        blocks.append(Block(heading=t.gettext("Silent, no answer yet"),
                            items=_names(t, [name(o) for o in message.silent])))
    if message.unreachable:
        blocks.append(Block(heading=t.gettext("Cannot be reached"), items=_names(t, [name(o) for o in
                                                                                     message.unreachable])))
    subject = meeting_subject(t, card, t.gettext("progress of the urgent call"))
    return finish(t, subject, Body(title=heading(card), blocks=tuple(blocks)), destination, context,
                  urgent=True)
