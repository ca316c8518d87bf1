"""Meetings: the invitation and its live tally, reminders, nudges, the list, the scheduling form
and the coordinator's confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
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
    UrlInputElement,
)

from handlers.slack import ids
from handlers.slack.render.audience import audience_phrase, no_contact_line
from handlers.slack.render.chair import chair_inputs, chair_line
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal, organisation_pickers, title_hint
from handlers.slack.render.follow_up import follow_up_from_last_time
from handlers.slack.render.roster_form import unreachable_note
from handlers.slack.text import (
    dated_in_zone,
    escape,
    link,
    literal,
    mention,
    plain_text,
    slack_date,
    truncate,
)
from services.enums import Answer, MeetingKind, MeetingState
from services.i18n import Translator
from services.meetings import TITLE_MAX as MEETING_TITLE_MAX
from services.meetings import (
    InviteOutcome,
    RsvpOutcome,
    ScheduleForm,
    ScheduleOutcome,
    UpcomingMeeting,
)
from services.messages import (
    Audience,
    MeetingCancelled,
    MeetingCard,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    Talk,
    Tally,
    Unreachable,
)

MEETINGS_SHOWN = 15


def answer_word(t: Translator, answer: Answer | None) -> str:
    """How an RSVP answer (or none yet) reads."""
    words = {
        Answer.YES: t.gettext("Attending"),
        Answer.NO: t.gettext("Not attending"),
        Answer.MAYBE: t.gettext("Maybe"),
    }
    none = t.gettext("No answer yet")
    return words.get(answer, none) if answer is not None else none


def when_and_length(t: Translator, card: MeetingCard, zone: ZoneInfo) -> str:
    """The meeting's start (a date token) and length."""
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


def speaker(talk: Talk) -> str:
    """A talk's speaker: a mention where a person is picked (their name or role as typed, and their
    organisation, after it), else the name as typed."""
    more = [escape(part) for part in (talk.speaker if talk.person else "", talk.organisation or "") if part]
    if talk.person is not None:
        return mention(talk.person.user_id) + (f" ({', '.join(more)})" if more else "")
    return escape(talk.speaker) + (f" ({escape(talk.organisation)})" if talk.organisation else "")


def answers_or_why_not(t: Translator, card: MeetingCard, calendar: str | None = None) -> Block:
    """The answer buttons while the meeting is ahead; once it is cancelled or held, a line saying so
    instead (every copy is re-rendered then, so no button is left to click)."""
    if card.state == MeetingState.SCHEDULED:
        return rsvp_buttons(t, card.number, calendar)
    if card.state == MeetingState.CANCELLED:
        note = t.gettext("This meeting is cancelled.")
        if card.cancel_reason:
            note += " " + t.gettext("Reason: {reason}").format(reason=escape(card.cancel_reason))
    else:
        note = t.gettext("This meeting has been held; answers are closed.")
    return ContextBlock(elements=[MarkdownTextObject(text=truncate(note, 3000))])


def _details(t: Translator, card: MeetingCard) -> list[Block]:
    lines = []
    chair = chair_line(t, card)
    if chair:
        lines.append(chair)
    if card.video_link:
        link_word, join = t.gettext("Link"), t.gettext("Join the meeting")
        lines.append(f"*{link_word}:* {link(card.video_link, join)}")
    if card.background:
        # The situation an urgent call is about, as the coordinator wrote it (escaped, lines kept).
        lines.append("*" + t.gettext("Background") + ":* " + escape(card.background))
    if card.talks or card.agenda:
        lines.append("*" + t.gettext("Agenda") + ":*")
        for n, talk in enumerate(card.talks, start=1):
            who = speaker(talk)
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


def meeting_details(t: Translator, card: MeetingCard) -> list[Block]:
    """The meeting's chair, link, background, agenda and invitees, as every copy shows them."""
    return _details(t, card)


def _heading(t: Translator, card: MeetingCard) -> list[Block]:
    blocks: list[Block] = []
    if card.kind == MeetingKind.URGENT:
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
    prefix = t.gettext("URGENT") + ": " if card.kind == MeetingKind.URGENT else ""
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("Cancelled: {title}, {when}").format(title=escape(card.title), when=when)
        cancelled: list[Block] = [SectionBlock(text=MarkdownTextObject(text=f":no_entry: *{line}*"))]
        if card.cancel_reason:
            cancelled.append(SectionBlock(text=MarkdownTextObject(text=truncate(
                t.gettext("Reason: {reason}").format(reason=escape(card.cancel_reason)), 3000))))
        if not message.personal:
            cancelled.append(ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]))
        return Rendered(line, dicts(cancelled))
    if message.personal and message.listening:
        # Observers (public agencies) follow the conversation; the floor is civil society's.
        intro = t.gettext("You are invited to listen in on meeting {number}, a dialogue meeting between the "
                          "city's political leadership and civil society.").format(number=card.number)
    elif message.personal:
        intro = t.gettext("You are invited to a dialogue meeting with the city's political leadership.")
    else:
        intro = t.gettext("Invitation to a dialogue meeting with the city's political leadership.")
    blocks = [
        *_heading(t, card),
        SectionBlock(text=MarkdownTextObject(text=f"{intro}\n*{when_and_length(t, card, zone)}*")),
        *_details(t, card),
        *follow_up_from_last_time(t, card.follow_up),
    ]
    # A DM is not updated after each click (a confirmation answers the clicker instead), so it
    # shows nothing that could go stale; the channel post carries the live tally.
    if not message.personal:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]))
    blocks.append(answers_or_why_not(t, card, calendar_url(public_url, card)))
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
            text=t.gettext("Your answer: {answer}").format(answer=answer_word(t, message.answer)))]),
        answers_or_why_not(t, card),
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
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line)), answers_or_why_not(t, card)]
    return Rendered(line.replace("*", ""), dicts(blocks))


def meeting_cancelled(t: Translator, message: MeetingCancelled, zone: ZoneInfo) -> Rendered:
    """Told to everyone who was invited."""
    card = message.meeting
    line = t.gettext("The dialogue meeting {title} on {when} is cancelled.").format(
        title=f"*{escape(card.title)}*", when=slack_date(card.starts_at, zone, t.language)
    )
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line))]
    if card.cancel_reason:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate(
            t.gettext("Reason: {reason}").format(reason=escape(card.cancel_reason)), 3000))))
    return Rendered(line.replace("*", ""), dicts(blocks))


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
        urgent = ":rotating_light: " if card.kind == MeetingKind.URGENT else ""
        blocks.append(SectionBlock(block_id=f"meeting:{card.number}", text=MarkdownTextObject(
            text=f"{urgent}*{card.number}. {escape(card.title)}*\n{when_and_length(t, card, zone)}")))
        status = (
            t.gettext("Your answer: {answer}").format(answer=answer_word(t, item.answer))
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
        answer=f"*{answer_word(t, outcome.answer)}*",
    )
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def schedule_confirmation(t: Translator, outcome: ScheduleOutcome, zone: ZoneInfo) -> Rendered:
    """Told privately to the coordinator who scheduled."""
    card, now_sent = outcome.meeting, outcome.invitations_sent
    # The date token shows each reader their own zone, but a typed time is read in the meetings'
    # zone: naming it shows the coordinator what was understood.
    line = t.gettext("Meeting {number} ({title}) is scheduled for {when}.").format(
        number=card.number, title=escape(card.title), when=dated_in_zone(t, card.starts_at, zone),
    )
    # Counted by the service's one rule, as the urgent form's preview and progress report count.
    reached = outcome.audience or Audience(len(card.participants) + len(card.observers), card.tally.waiting)
    if now_sent:
        more = t.gettext("Invitations are going out now to {audience}.").format(
            audience=audience_phrase(t, reached))
    else:
        more = t.gettext("Invitations go out {when} to {audience}.").format(
            when=slack_date(card.invite_at, zone, t.language), audience=audience_phrase(t, reached))
        if outcome.brought_forward:
            more += " " + t.gettext("The time is brought forward to a working day: invitations never go out "
                                    "on weekends or public holidays.")
    if card.kind == MeetingKind.URGENT and now_sent:
        # The report is a DM from the bot, easy to miss while watching the channel.
        more += " " + t.gettext("Your progress report (sent so far, who could not be reached, the answers) "
                                "is in your direct message with the bot, updated as they go out.")
    flagged = no_contact_line(t, reached.no_contact)
    if flagged:
        more += "\n" + flagged
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
        *chair_inputs(t),
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
    blocks.extend(organisation_pickers(t, form.organisations, ids.INPUT_ACTION, recount=False))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
        "Core organisations are always invited: {names}.").format(
            names=", ".join(escape(n) for n in form.core) or "—"))]))
    flagged = no_contact_line(t, form.core_without_contact)
    if flagged:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=flagged)]))
    # No contact is flagged above and in the pickers; here, those whose contacts' messages failed.
    blocks.extend(unreachable_note(t, [u for u in form.unreachable if u.reason != Unreachable.NO_CONTACT]))
    title, submit = t.gettext("Schedule a meeting"), t.gettext("Schedule")
    return modal(t, ids.SCHEDULE_VIEW, private_metadata, title, submit, blocks)
