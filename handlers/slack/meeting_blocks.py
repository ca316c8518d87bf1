"""Block Kit builders for meetings and the roster: pure functions from plain data to messages."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ConfirmObject,
    ContextBlock,
    DatePickerElement,
    DateTimePickerElement,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UrlInputElement,
    UserMultiSelectElement,
)
from slack_sdk.models.views import View

from handlers.slack import ids
from handlers.slack.blocks import Rendered, dicts, title_hint
from handlers.slack.text import (
    babel_locale,
    code,
    escape,
    link,
    literal,
    mention,
    mrkdwn,
    plain_text,
    slack_date,
    truncate,
)
from services.home import HomeView
from services.i18n import Translator
from services.meetings import TITLE_MAX as MEETING_TITLE_MAX
from services.meetings import (
    AgendaForm,
    AgendaOutcome,
    InviteOutcome,
    RsvpOutcome,
    ScheduleForm,
    UpcomingMeeting,
    UrgentForm,
)
from services.messages import (
    ActionItemDue,
    MeetingCancelled,
    MeetingCard,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    MinutesPosted,
    MinutesView,
    Tally,
    TopicChanged,
    UrgentProgress,
)
from services.minutes import MinutesForm
from services.planning import Insights, Slot
from services.roster import ContactsOutcome, OrganisationCard
from services.stats import Stats

MEETINGS_SHOWN = 15
OPTIONS_MAX = 100


def _answer_word(t: Translator, answer: str | None) -> str:
    return {
        "yes": t.gettext("Attending"),
        "no": t.gettext("Not attending"),
        "maybe": t.gettext("Maybe"),
    }.get(answer or "", t.gettext("No answer yet"))


def _when(t: Translator, card: MeetingCard, zone: ZoneInfo) -> str:
    minutes = t.ngettext("{count} minute", "{count} minutes", card.duration_minutes).format(
        count=card.duration_minutes
    )
    return f"{slack_date(card.starts_at, zone, t.language)} · {minutes}"


def tally_line(t: Translator, tally: Tally) -> str:
    """The live tally, e.g. `Attending: 3 · Not attending: 1 · Maybe: 0`."""
    people = t.gettext("Attending: {yes} · Not attending: {no} · Maybe: {maybe}").format(
        yes=tally.yes, no=tally.no, maybe=tally.maybe
    )
    waiting = t.gettext("No answer yet: {count}").format(count=tally.waiting)
    organisations = t.gettext("Organisations attending: {yes} of {invited}").format(
        yes=tally.organisations_yes, invited=tally.organisations_invited
    )
    line = f"{people} · {waiting}\n{organisations}"
    if tally.observers_invited:
        line += " · " + t.gettext("Observers listening in: {yes} of {invited}").format(
            yes=tally.observers_yes, invited=tally.observers_invited
        )
    return line


def rsvp_buttons(t: Translator, number: int, calendar_url: str | None = None) -> ActionsBlock:
    """Attending / Not attending / Maybe, carrying the meeting number (and a calendar link)."""
    value = str(number)
    elements = [
        ButtonElement(text=t.gettext("Attending"), action_id=ids.RSVP_YES, value=value, style="primary"),
        ButtonElement(text=t.gettext("Not attending"), action_id=ids.RSVP_NO, value=value),
        ButtonElement(text=t.gettext("Maybe"), action_id=ids.RSVP_MAYBE, value=value),
    ]
    if calendar_url:
        elements.append(ButtonElement(text=t.gettext("Add to calendar"), action_id=ids.CALENDAR_LINK,
                                      url=calendar_url))
    return ActionsBlock(block_id=f"rsvp:{number}", elements=elements)


def calendar_url(public_url: str, card: MeetingCard) -> str | None:
    """The address of a meeting's .ics file, when the bot has a public address."""
    if not public_url or not card.calendar_token:
        return None
    return f"{public_url}/calendar/{card.calendar_token}.ics"


def _details(t: Translator, card: MeetingCard) -> list[Block]:
    lines = []
    if card.video_link:
        link_word, join = t.gettext("Link"), t.gettext("Join the meeting")
        lines.append(f"*{link_word}:* {link(card.video_link, join)}")
    if card.talks or card.agenda:
        lines.append("*" + t.gettext("Agenda") + ":*")
        for n, talk in enumerate(card.talks, start=1):
            who = escape(talk.speaker) + (f" ({escape(talk.organisation)})" if talk.organisation else "")
            minutes = t.ngettext("{count} minute", "{count} minutes", talk.minutes).format(count=talk.minutes)
            lines.append(f"{n}. {escape(talk.subject)}: {who}, {minutes}")
        floor = t.gettext("Open floor")
        topics = "; ".join(f"{escape(title)} _(#{number})_" for number, title in card.agenda)
        minutes = t.ngettext("{count} minute", "{count} minutes", card.open_floor_minutes).format(
            count=card.open_floor_minutes)
        lines.append(f"{len(card.talks) + 1}. {floor}, {minutes}" + (f": {topics}" if topics else ""))
    invited = ", ".join(escape(name) for name in card.participants) or "—"
    lines.append("*" + t.gettext("Invited") + ":* " + invited)
    if card.observers:
        listening = t.gettext("Listening in")
        lines.append(f"*{listening}:* " + ", ".join(escape(n) for n in card.observers))
    return [SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000)))]


def _heading(t: Translator, card: MeetingCard) -> list[Block]:
    blocks: list[Block] = []
    if card.kind == "urgent":
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=":rotating_light: *" + t.gettext("Urgent dialogue meeting") + "*")))
    title = truncate(f"{card.number}. {plain_text(card.title)}", 150)
    blocks.append(HeaderBlock(text=PlainTextObject(text=title, emoji=False)))
    return blocks


def meeting_invitation(t: Translator, message: MeetingInvitation, zone: ZoneInfo,
                       public_url: str = "") -> Rendered:
    """The invitation: in the channel with the live tally, or to one person with their answer."""
    card = message.meeting
    when = slack_date(card.starts_at, zone, t.language)
    prefix = t.gettext("URGENT") + ": " if card.kind == "urgent" else ""
    if card.state == "cancelled":
        line = t.gettext("Cancelled: {title}, {when}").format(title=escape(card.title), when=when)
        return Rendered(line, dicts([
            SectionBlock(text=MarkdownTextObject(text=f":no_entry: *{line}*")),
            ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]),
        ]))
    intro = (
        t.gettext("You are invited to a dialogue meeting with the city's political leadership.")
        if message.personal
        else t.gettext("Invitation to a dialogue meeting with the city's political leadership.")
    )
    blocks = [
        *_heading(t, card),
        SectionBlock(text=MarkdownTextObject(text=f"{intro}\n*{_when(t, card, zone)}*")),
        *_details(t, card),
    ]
    # A DM is not updated after each click (a confirmation answers the clicker instead), so it
    # shows nothing that could go stale; the channel post carries the live tally.
    if not message.personal:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]))
    blocks.append(rsvp_buttons(t, card.number, calendar_url(public_url, card)))
    fallback = prefix + t.gettext("Invitation: {title}, {when}").format(title=escape(card.title), when=when)
    return Rendered(fallback, dicts(blocks))


def meeting_reminder(t: Translator, message: MeetingReminder, zone: ZoneInfo) -> Rendered:
    """A reminder before the meeting, with a chance to answer or change the answer."""
    card = message.meeting
    line = t.gettext("Reminder: {title} starts {when}.").format(
        title=f"*{escape(card.title)}*", when=slack_date(card.starts_at, zone, t.language)
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=line)),
        *_details(t, card),
        ContextBlock(elements=[MarkdownTextObject(
            text=t.gettext("Your answer: {answer}").format(answer=_answer_word(t, message.answer)))]),
        rsvp_buttons(t, card.number),
    ]
    return Rendered(line.replace("*", ""), dicts(blocks))


def meeting_nudge(t: Translator, message: MeetingNudge, zone: ZoneInfo) -> Rendered:
    """To the contacts of an organisation that has not answered."""
    card = message.meeting
    line = t.gettext(
        "Nobody from {organisation} has answered the invitation to {title} on {when} yet. "
        "Will someone come?"
    ).format(organisation=escape(message.organisation), title=f"*{escape(card.title)}*",
             when=slack_date(card.starts_at, zone, t.language))
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line)), rsvp_buttons(t, card.number)]
    return Rendered(line.replace("*", ""), dicts(blocks))


def meeting_cancelled(t: Translator, message: MeetingCancelled, zone: ZoneInfo) -> Rendered:
    """Told to everyone who was invited."""
    card = message.meeting
    line = t.gettext("The dialogue meeting {title} on {when} is cancelled.").format(
        title=f"*{escape(card.title)}*", when=slack_date(card.starts_at, zone, t.language)
    )
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def meeting_list(t: Translator, upcoming: Sequence[UpcomingMeeting], zone: ZoneInfo) -> Rendered:
    """Upcoming meetings with the reader's answer, and buttons where they are invited."""
    if not upcoming:
        line = t.gettext("No meetings are coming up.")
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    heading = t.ngettext("{count} upcoming meeting", "{count} upcoming meetings", len(upcoming)).format(
        count=len(upcoming)
    )
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=heading, emoji=False))]
    for item in upcoming[:MEETINGS_SHOWN]:
        card = item.meeting
        urgent = ":rotating_light: " if card.kind == "urgent" else ""
        blocks.append(SectionBlock(block_id=f"meeting:{card.number}", text=MarkdownTextObject(
            text=f"{urgent}*{card.number}. {escape(card.title)}*\n{_when(t, card, zone)}")))
        status = (
            t.gettext("Your answer: {answer}").format(answer=_answer_word(t, item.answer))
            if item.invited
            else t.gettext("You are not on the invitation list.")
        )
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=f"{status} · {tally_line(t, card.tally).splitlines()[0]}")]))
        if item.invited:
            blocks.append(rsvp_buttons(t, card.number))
    if len(upcoming) > MEETINGS_SHOWN:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=t.gettext("…and {count} more later.").format(count=len(upcoming) - MEETINGS_SHOWN))]))
    return Rendered(heading, dicts(blocks))


def rsvp_confirmation(t: Translator, outcome: RsvpOutcome) -> Rendered:
    """Told privately to the person who answered."""
    line = t.gettext("Thanks! Your answer for meeting {number} ({title}): {answer}.").format(
        number=outcome.number, title=escape(outcome.title),
        answer=f"*{_answer_word(t, outcome.answer)}*",
    )
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def schedule_confirmation(t: Translator, card: MeetingCard, zone: ZoneInfo, now_sent: bool) -> Rendered:
    """Told privately to the coordinator who scheduled."""
    line = t.gettext("Meeting {number} ({title}) is scheduled for {when}.").format(
        number=card.number, title=escape(card.title), when=slack_date(card.starts_at, zone, t.language)
    )
    people = card.tally.waiting
    invited = t.ngettext("{count} organisation", "{count} organisations",
                         len(card.participants) + len(card.observers)).format(
        count=len(card.participants) + len(card.observers))
    if now_sent:
        more = t.gettext("Invitations are going out now to {organisations} ({people} people).").format(
            organisations=invited, people=people)
    else:
        more = t.gettext("Invitations go out {when} to {organisations} ({people} people).").format(
            when=slack_date(card.invite_at, zone, t.language), organisations=invited, people=people)
    if card.kind == "urgent" and now_sent:
        # The report is a DM from the bot, easy to miss while watching the channel.
        more += " " + t.gettext("Your progress report (sent so far, who could not be reached, the answers) "
                                "is in your direct message with the bot, updated as they go out.")
    hint = literal(t.gettext("Add organisations with `/dialog invite {number} \"<organisation>\"`.")).format(
        number=card.number)
    return Rendered(f"{line} {more}", dicts([
        SectionBlock(text=MarkdownTextObject(text=f"{line}\n{more}")),
        ContextBlock(elements=[MarkdownTextObject(text=hint)]),
    ]))


def invite_confirmation(t: Translator, outcome: InviteOutcome) -> Rendered:
    """Told privately to the coordinator who invited an organisation."""
    template = (
        t.ngettext("{organisation} is invited to meeting {number}; its {people} contact is told now.",
                   "{organisation} is invited to meeting {number}; its {people} contacts are told now.",
                   outcome.people)
        if outcome.invitations_sent
        else t.ngettext("{organisation} is invited to meeting {number}; its {people} contact gets the "
                        "invitation with everyone else.",
                        "{organisation} is invited to meeting {number}; its {people} contacts get the "
                        "invitation with everyone else.", outcome.people)
    )
    line = template.format(organisation=escape(outcome.organisation), number=outcome.meeting.number,
                           people=outcome.people)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def cancel_question(t: Translator, card: MeetingCard, zone: ZoneInfo) -> Rendered:
    """Asked privately after `/dialog cancel`: nothing happens until the (confirmed) button."""
    line = t.gettext("Cancel meeting {number} ({title}), {when}? Everyone who was invited is told, and "
                     "the channel post says *Cancelled*.").format(
        number=card.number, title=escape(card.title), when=slack_date(card.starts_at, zone, t.language))
    button = ButtonElement(
        text=t.gettext("Cancel meeting {number}").format(number=card.number), action_id=ids.MEETING_CANCEL,
        value=str(card.number), style="danger",
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
        ActionsBlock(block_id=f"cancel:{card.number}", elements=[button]),
    ]))


def cancel_confirmation(t: Translator, card: MeetingCard) -> Rendered:
    """Told privately to the coordinator who cancelled."""
    line = t.gettext("Meeting {number} ({title}) is cancelled. Everyone who was invited is told.").format(
        number=card.number, title=escape(card.title))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def _tier_heading(t: Translator, tier: str) -> str:
    return {
        "core": t.gettext("Core organisations (always invited)"),
        "topic": t.gettext("Invited by topic"),
        "observer": t.gettext("Observers (listen in)"),
    }[tier]


def _tier_name(t: Translator, tier: str) -> str:
    return {
        "core": t.gettext("a core organisation"),
        "topic": t.gettext("an organisation invited by topic"),
        "observer": t.gettext("an observer"),
    }[tier]


def _time_word(t: Translator, preferred: str) -> str:
    return {"daytime": t.gettext("prefers daytime"), "afternoon": t.gettext("prefers afternoons")}.get(
        preferred, "")


def roster_list(t: Translator, organisations: Sequence[OrganisationCard]) -> Rendered:
    """The roster by tier, with contacts and perspectives."""
    if not organisations:
        line = literal(t.gettext("The roster is empty. Coordinators add organisations with "
                                 "`/dialog roster add \"<name>\" core|topic|observer @person`."))
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    blocks: list[Block] = []
    for tier in ("core", "topic", "observer"):
        members = [o for o in organisations if o.tier == tier]
        if not members:
            continue
        blocks.append(HeaderBlock(text=PlainTextObject(text=_tier_heading(t, tier), emoji=False)))
        lines = []
        for org in members:
            contacts = ", ".join(mention(c.user_id) for c in org.contacts) or t.gettext("no contacts yet")
            extras = [escape(", ".join(org.perspectives))] if org.perspectives else []
            if _time_word(t, org.preferred_time):
                extras.append(_time_word(t, org.preferred_time))
            suffix = f" _({'; '.join(extras)})_" if extras else ""
            lines.append(f"• *{escape(org.name)}*: {contacts}{suffix}")
        # Long tiers are split over several sections to stay under Slack's 3,000 characters.
        chunk: list[str] = []
        for line in lines:
            if chunk and len("\n".join([*chunk, line])) > 2900:
                blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
                chunk = []
            chunk.append(truncate(line, 2900))
        blocks.append(SectionBlock(text=MarkdownTextObject(text="\n".join(chunk))))
    heading = t.ngettext("{count} organisation on the roster", "{count} organisations on the roster",
                         len(organisations)).format(count=len(organisations))
    return Rendered(heading, dicts(blocks[:50]))


def roster_added(t: Translator, card: OrganisationCard) -> Rendered:
    """Told privately after `roster add`."""
    line = t.ngettext("{organisation} is on the roster as {tier}, with {count} contact.",
                      "{organisation} is on the roster as {tier}, with {count} contacts.",
                      len(card.contacts)).format(
        organisation=escape(card.name), tier=_tier_name(t, card.tier), count=len(card.contacts))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def roster_contacts(t: Translator, outcome: ContactsOutcome) -> Rendered:
    """Told privately after `roster contact`."""
    line = t.ngettext("{organisation} now has {count} contact.", "{organisation} now has {count} contacts.",
                      len(outcome.organisation.contacts)).format(
        organisation=escape(outcome.organisation.name), count=len(outcome.organisation.contacts))
    if outcome.already:
        line += " " + t.gettext("Already there: {people}.").format(
            people=", ".join(mention(u) for u in outcome.already))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def roster_removed(t: Translator, card: OrganisationCard) -> Rendered:
    """Told privately after `roster remove`."""
    line = t.gettext("{organisation} is off the roster. Past meetings still show it.").format(
        organisation=escape(card.name))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def _modal(t: Translator, callback_id: str, private_metadata: str, title: str, submit: str,
           blocks: Sequence[Block]) -> dict[str, Any]:
    """A modal with the usual Cancel button; Slack allows 24 characters of title."""
    return View(
        type="modal", callback_id=callback_id, private_metadata=private_metadata,
        title=PlainTextObject(text=truncate(title, 24)), submit=PlainTextObject(text=submit),
        close=PlainTextObject(text=t.gettext("Cancel")), blocks=list(blocks),
    ).to_dict()


def _organisation_pickers(t: Translator, organisations: Sequence[OrganisationCard], action_id: str, *,
                          recount: bool) -> list[Block]:
    """Pickers for topic organisations and for observers (the core is always invited)."""
    pickers: list[Block] = []
    for block_id, label, tier in (
        (ids.SCHEDULE_ORGANISATIONS, t.gettext("Organisations beyond the core"), "topic"),
        (ids.SCHEDULE_OBSERVERS, t.gettext("Observers"), "observer"),
    ):
        options = [Option(value=o.name, text=truncate(plain_text(o.name), 75))
                   for o in organisations if o.tier == tier][:OPTIONS_MAX]
        if options:
            pickers.append(InputBlock(
                block_id=block_id, label=PlainTextObject(text=label), optional=True, dispatch_action=recount,
                element=StaticMultiSelectElement(action_id=action_id, options=options),
            ))
    return pickers


def schedule_modal(t: Translator, form: ScheduleForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog schedule` with no text."""
    blocks: list[Block] = [
        InputBlock(block_id=ids.SCHEDULE_TITLE, label=PlainTextObject(text=t.gettext("Title")),
                   hint=PlainTextObject(text=title_hint(t, MEETING_TITLE_MAX)),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION)),
        InputBlock(block_id=ids.SCHEDULE_START, label=PlainTextObject(text=t.gettext("Starts")),
                   element=DateTimePickerElement(action_id=ids.INPUT_ACTION)),
        InputBlock(block_id=ids.SCHEDULE_DURATION, label=PlainTextObject(text=t.gettext("Length in minutes")),
                   element=NumberInputElement(action_id=ids.INPUT_ACTION, is_decimal_allowed=False,
                                              initial_value="60", min_value="15", max_value="480")),
        InputBlock(block_id=ids.SCHEDULE_LINK, label=PlainTextObject(text=t.gettext("Video link")),
                   optional=True, element=UrlInputElement(action_id=ids.INPUT_ACTION)),
    ]
    if form.topics:
        blocks.append(InputBlock(
            block_id=ids.SCHEDULE_TOPICS, label=PlainTextObject(text=t.gettext("Topics from the backlog")),
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ids.INPUT_ACTION,
                options=[Option(value=str(number), text=truncate(f"{number}. {plain_text(title)}", 75))
                         for number, title in form.topics[:OPTIONS_MAX]]),
        ))
    blocks.extend(_organisation_pickers(t, form.organisations, ids.INPUT_ACTION, recount=False))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
        "Core organisations are always invited: {names}.").format(
            names=", ".join(escape(n) for n in form.core) or "—"))]))
    title, submit = t.gettext("Schedule a meeting"), t.gettext("Schedule")
    return _modal(t, ids.SCHEDULE_VIEW, private_metadata, title, submit, blocks)



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
    blocks.extend(_organisation_pickers(t, choices.organisations, ids.URGENT_RECOUNT, recount=True))
    blocks.append(ContextBlock(block_id=ids.URGENT_AUDIENCE_BLOCK, elements=[MarkdownTextObject(
        text=t.gettext("Will notify {organisations} organisations and {people} people.").format(
            organisations=form.organisations, people=form.people))]))
    title, submit = t.gettext("Urgent meeting"), t.gettext("Send now")
    return _modal(t, ids.URGENT_VIEW, private_metadata, title, submit, blocks)


def topic_changed(t: Translator, message: TopicChanged, zone: ZoneInfo) -> Rendered:
    """Told to a topic's proposer each time it moves."""
    topic = message.topic
    title = f"*{topic.number}. {escape(topic.title)}*"
    meeting = message.meeting
    if message.change == "scheduled" and meeting is not None:
        line = t.gettext("Your topic {topic} is on the agenda of meeting {number} ({title}), {when}.").format(
            topic=title, number=meeting.number, title=escape(meeting.title),
            when=slack_date(meeting.starts_at, zone, t.language))
    elif message.change == "unscheduled" and meeting is not None:
        line = t.gettext("Meeting {number} ({title}) will not discuss your topic {topic} after all; "
                         "it is back among the proposals.").format(
            topic=title, number=meeting.number, title=escape(meeting.title))
    elif message.change == "discussed" and meeting is not None:
        line = t.gettext("Your topic {topic} was discussed at meeting {number} ({title}). The minutes "
                         "are in the channel.").format(topic=title, number=meeting.number,
                                                       title=escape(meeting.title))
    else:
        line = t.gettext("Your topic {topic} was declined. The reason given: {reason}").format(
            topic=title, reason=escape(topic.state_reason or "—"))
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def agenda_confirmation(t: Translator, outcome: AgendaOutcome) -> Rendered:
    """Told privately to the coordinator after changing an agenda."""
    card = outcome.meeting
    talks = t.ngettext("{count} talk", "{count} talks", len(card.talks)).format(count=len(card.talks))
    topics = t.ngettext("{count} topic", "{count} topics", len(card.agenda)).format(count=len(card.agenda))
    floor = t.ngettext("{count} minute", "{count} minutes", card.open_floor_minutes).format(
        count=card.open_floor_minutes)
    line = t.gettext("The agenda of meeting {number} ({title}) is updated: {talks}, {topics}, "
                     "{minutes} of open floor.").format(
        number=card.number, title=escape(card.title), talks=talks, topics=topics, minutes=floor)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line))]
    if outcome.warning is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=":warning: " + mrkdwn(t, outcome.warning))]))
    return Rendered(line, dicts(blocks))


def _optional_text(block_id: str, label: str, max_length: int, initial: str | None) -> InputBlock:
    """An optional one-line text field of a form."""
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), optional=True,
                      element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=max_length,
                                                    initial_value=initial))


def _organisation_pick(block_id: str, label: str, options: list[Option], chosen: str | None) -> InputBlock:
    """An optional choice of one organisation, preselecting `chosen` when it is offered."""
    initial = next((o for o in options if chosen and o.value == chosen), None)
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), optional=True,
                      element=StaticSelectElement(action_id=ids.INPUT_ACTION, options=options,
                                                  initial_option=initial))


def agenda_modal(t: Translator, form: AgendaForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog agenda <meeting-no>`: topics from the backlog and up to two talks."""
    card = form.meeting
    on_agenda = {number for number, _ in card.agenda}
    # What is on the agenda is always offered (and chosen), or saving would drop it.
    ordered = [*card.agenda, *((n, title) for n, title in form.topics if n not in on_agenda)]
    options = [Option(value=str(number), text=truncate(f"{number}. {plain_text(title)}", 75))
               for number, title in ordered[:OPTIONS_MAX]]
    chosen = [o for o in options if int(o.value) in on_agenda]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t.gettext(
            "Meeting {number} ({title}) lasts {minutes} minutes: up to two short talks, then the open floor."
        ).format(number=card.number, title=escape(card.title), minutes=card.duration_minutes))),
    ]
    if options:
        blocks.append(InputBlock(
            block_id=ids.AGENDA_TOPICS, label=PlainTextObject(text=t.gettext("Topics")), optional=True,
            element=StaticMultiSelectElement(action_id=ids.INPUT_ACTION, options=options,
                                             initial_options=chosen or None),
        ))
    org_options = [Option(value=name, text=truncate(plain_text(name), 75))
                   for name in form.organisations[:OPTIONS_MAX]]
    for n in range(1, 3):
        talk = card.talks[n - 1] if len(card.talks) >= n else None
        blocks.append(HeaderBlock(text=PlainTextObject(
            text=t.gettext("Talk {number}").format(number=n), emoji=False)))
        blocks.append(_optional_text(f"talk{n}_speaker", t.gettext("Speaker"), 120,
                                     talk.speaker if talk else None))
        if org_options:
            blocks.append(_organisation_pick(f"talk{n}_organisation", t.gettext("Organisation"), org_options,
                                             talk.organisation if talk else None))
        blocks.append(_optional_text(f"talk{n}_subject", t.gettext("Subject"), 150,
                                     talk.subject if talk else None))
        blocks.append(InputBlock(
            block_id=f"talk{n}_minutes", label=PlainTextObject(text=t.gettext("Minutes")), optional=True,
            element=NumberInputElement(action_id=ids.INPUT_ACTION, is_decimal_allowed=False,
                                       min_value="1", max_value="60",
                                       initial_value=str(talk.minutes) if talk else "10")))
    title, submit = t.gettext("Agenda"), t.gettext("Save")
    return _modal(t, ids.AGENDA_VIEW, private_metadata, title, submit, blocks)


def _perspective(t: Translator, key: str) -> str:
    return {
        "gender-age": t.gettext("gender and age"),
        "country-background": t.gettext("country background"),
        "religion": t.gettext("religious communities"),
        "work-education": t.gettext("education, work and leisure"),
        "public-health": t.gettext("public health"),
    }.get(key, escape(key))


def insight_blocks(t: Translator, insights: Insights) -> list[dict[str, Any]]:
    """Advice shown to the coordinator under a planning confirmation: warnings, never blocks."""
    lines = []
    if insights.missing:
        missing = ", ".join(_perspective(t, p) for p in insights.missing)
        lines.append(":warning: " + t.gettext(
            "Perspectives not covered by the invited organisations: {missing}.").format(missing=missing))
    else:
        lines.append(t.gettext("Every perspective is covered by the invited organisations."))
    if insights.prefer_other_time:
        lines.append(t.ngettext(
            "{count} invited organisation prefers another time of day: {names}.",
            "{count} invited organisations prefer another time of day: {names}.",
            len(insights.prefer_other_time),
        ).format(count=len(insights.prefer_other_time),
                 names=", ".join(escape(n) for n in insights.prefer_other_time)))
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=truncate("\n".join(lines), 3000))])]
    for n, suggestion in enumerate(insights.suggestions[:5]):
        line = t.gettext("Worth inviting: *{organisation}* (matches {keywords})").format(
            organisation=escape(suggestion.organisation), keywords=escape(", ".join(suggestion.keywords)))
        blocks.append(SectionBlock(
            block_id=f"suggest:{n}",
            text=MarkdownTextObject(text=line),
            accessory=ButtonElement(
                text=t.gettext("Invite"), action_id=ids.INVITE_SUGGESTED,
                value=f"{insights.meeting_number}|{suggestion.organisation}"),
        ))
    return dicts(blocks)


def with_insights(rendered: Rendered, t: Translator, insights: Insights) -> Rendered:
    """A planning confirmation followed by the advice on the meeting."""
    return Rendered(rendered.text, rendered.blocks + insight_blocks(t, insights))


def slot_list(t: Translator, slots: Sequence[Slot], zone: ZoneInfo) -> Rendered:
    """The best times for a meeting in the next three weeks."""
    if not slots:
        line = t.gettext("No free slot in office hours in the next three weeks.")
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    heading = t.gettext("Best times in the next three weeks, for the core organisations' preferences:")
    lines = [
        "• " + t.gettext("{when}: suits {suits} of {total}").format(
            when=slack_date(slot.starts_at, zone, t.language), suits=slot.suits, total=slot.organisations)
        for slot in slots
    ]
    usage = literal(t.gettext("Schedule one with `/dialog schedule <YYYY-MM-DD> <HH:MM> <title>`."))
    return Rendered(heading, dicts([
        SectionBlock(text=MarkdownTextObject(text=heading + "\n" + "\n".join(lines))),
        ContextBlock(elements=[MarkdownTextObject(text=usage)]),
    ]))


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
    thread = message.thread.ts if message.thread else None
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
        blocks.append(_optional_text(f"action_{n}", t.gettext("What"), 500,
                                     item.description if item else None))
        if org_options:
            owner = t.gettext("Owner organisation")
            blocks.append(_organisation_pick(f"action_{n}_owner", owner, org_options,
                                             item.owner if item else None))
        blocks.append(InputBlock(
            block_id=f"action_{n}_due", label=PlainTextObject(text=t.gettext("Due")), optional=True,
            element=DatePickerElement(action_id=ids.INPUT_ACTION,
                                      initial_date=item.due_on.isoformat() if item else None)))
    title, submit = t.gettext("Meeting minutes"), t.gettext("Send")
    return _modal(t, ids.MINUTES_VIEW, private_metadata, title, submit, blocks)


def home_view(t: Translator, home: HomeView, zone: ZoneInfo) -> dict[str, Any]:
    """The App Home tab: meetings with answer buttons, topics to support, follow-up points; and for
    coordinators, the next meeting's answers and gaps, and new proposals."""
    def header(label: str) -> HeaderBlock:
        return HeaderBlock(text=PlainTextObject(text=label, emoji=False))

    blocks: list[Block] = [header(t.gettext("Dialogue meetings"))]
    if home.coordinator and home.upcoming:
        card = home.upcoming[0].meeting
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text="*" + t.gettext("Next meeting") + f":* {card.number}. {escape(card.title)}\n"
                 + tally_line(t, card.tally))))
        if home.next_meeting_insights is not None:
            blocks.extend(Block.parse(b) for b in insight_blocks(t, home.next_meeting_insights))
    blocks.append(header(t.gettext("Upcoming meetings")))
    if not home.upcoming:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=t.gettext("No meetings are coming up."))))
    for item in home.upcoming[:8]:
        card = item.meeting
        status = (t.gettext("Your answer: {answer}").format(answer=_answer_word(t, item.answer))
                  if item.invited else t.gettext("You are not on the invitation list."))
        blocks.append(SectionBlock(block_id=f"meeting:{card.number}", text=MarkdownTextObject(
            text=f"*{card.number}. {escape(card.title)}*\n{_when(t, card, zone)}\n{status}")))
        if item.invited:
            blocks.append(rsvp_buttons(t, card.number))
    if home.follow_up:
        blocks.append(header(t.gettext("Your organisation follows up")))
        lines = [
            "• " + t.gettext("{what}: {owner}, by {due}").format(
                what=escape(item.description), owner=escape(item.owner),
                due=format_date(item.due_on, "long", locale=babel_locale(t.language)))
            + f" _({number}. {escape(title)})_"
            for number, title, item in home.follow_up[:15]
        ]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000))))
    if home.coordinator and home.new_proposals:
        blocks.append(header(t.gettext("New proposals")))
        proposals = [f"• *{c.number}. {escape(c.title)}* ({mention(c.proposer.user_id)})"
                     for c in home.new_proposals[:10]]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(proposals), 3000))))
    blocks.append(header(t.gettext("Open topics")))
    if not home.topics:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=literal(t.gettext(
            "No open topics yet. Propose one with `/dialog propose <title> | <details>`.")))))
    for card in home.topics:
        blocks.append(SectionBlock(
            block_id=f"topic:{card.number}",
            text=MarkdownTextObject(text=f"*{card.number}. {escape(card.title)}*"),
            accessory=ButtonElement(text=t.gettext("Support"), action_id=ids.TOPIC_SUPPORT,
                                    value=str(card.number)),
        ))
    return View(type="home", blocks=blocks[:100]).to_dict()


def stats_message(t: Translator, stats: Stats, zone: ZoneInfo) -> Rendered:
    """Participation, representation, proposals and answer times, privately for a coordinator."""
    def percent(value: float) -> str:
        return f"{round(value * 100)} %"

    def minutes(value: float | None) -> str:
        return "—" if value is None else t.ngettext("{count} minute", "{count} minutes", round(value)).format(
            count=round(value))

    heading = t.gettext("Statistics")
    sides = t.gettext("Proposals: {city} from the city, {civil} from civil society.").format(
        city=stats.proposals_by_side.get("city", 0), civil=stats.proposals_by_side.get("civil_society", 0))
    times = t.gettext("Median time to answer: regular meetings {regular}, urgent meetings {urgent}.").format(
        regular=minutes(stats.median_answer_minutes.get("regular")),
        urgent=minutes(stats.median_answer_minutes.get("urgent")))
    def row(o: Any) -> str:
        # No "0 of 0 (0 %)": an organisation not yet invited has no rate to show.
        name = f"*{escape(o.name)}*"
        if not o.invited:
            return t.gettext("{name}: not invited to a meeting yet").format(name=name)
        answered = t.ngettext("{name}: answered {answered} of {invited} invitation ({rate})",
                              "{name}: answered {answered} of {invited} invitations ({rate})",
                              o.invited).format(
            name=name, answered=o.answered, invited=o.invited, rate=percent(o.answer_rate))
        if not o.held:
            return answered + "; " + t.gettext("no meeting held yet")
        return answered + ", " + t.ngettext("attended {attended} of {held} meeting held",
                                            "attended {attended} of {held} meetings held", o.held).format(
            attended=o.attended, held=o.held)

    rows = ["• " + row(o) for o in sorted(stats.organisations, key=lambda o: (-o.invited, o.name))[:25]]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=heading, emoji=False)),
        SectionBlock(text=MarkdownTextObject(text=f"{sides}\n{times}")),
    ]
    if rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(rows), 3000))))
    for meeting in stats.meetings[-5:]:
        invited = ", ".join(_perspective(t, p) for p in meeting.perspectives_invited) or "—"
        present = ", ".join(_perspective(t, p) for p in meeting.perspectives_present) or "—"
        line = t.gettext("Meeting {number} ({title}): perspectives invited: {invited}; present: {present}")
        line = line.format(number=meeting.number, title=escape(meeting.title), invited=invited,
                           present=present)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(line, 3000))]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
        "The full tables: `.venv/bin/python bot.py stats export` (CSV)."))]))
    return Rendered(heading, dicts(blocks))
