"""Meetings by e-mail: the invitation, reminders, nudges, what changed, the cancellation, an answer
recorded, and a speaker's talk. Invitations, reminders, nudges and changes carry the meeting's
.ics (REQUEST) and the three answer links; a cancellation carries its CANCEL."""

from __future__ import annotations

from handlers.email.render.common import (
    agenda_block,
    answer_block,
    answer_word,
    background_block,
    finish,
    follow_up_block,
    heading,
    local_time,
    meeting_facts,
    meeting_subject,
    reader,
    urgent_banner,
)
from handlers.email.render.context import CalendarMethod, EmailContext
from handlers.email.render.layout import Block, Body, Fact
from handlers.email.render.mime import Email
from services.enums import MeetingKind, MeetingState
from services.i18n import Translator
from services.messages import (
    AnswerRecorded,
    MeetingCancelled,
    MeetingCard,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    SpeakerTold,
)
from services.people import Destination
from services.wording import what_changed


def _when(t: Translator, card: MeetingCard, context: EmailContext) -> str:
    return local_time(card.starts_at, context.zone, t.language)


def _meeting_blocks(t: Translator, card: MeetingCard, context: EmailContext, answers: list[Block], *,
                    when: bool = True) -> list[Block]:
    """The meeting as every copy shows it: facts, then the answer links (in sight on a phone
    without scrolling), background, agenda, last time's follow-up."""
    return [Block(facts=meeting_facts(t, card, context, when=when)), *answers, *background_block(t, card),
            *agenda_block(t, card), *follow_up_block(t, card.follow_up)]


def meeting_invitation(message: MeetingInvitation, destination: Destination, context: EmailContext) -> Email:
    """The invitation to one person (to listen in, for observers), with the three answer links."""
    card = message.meeting
    if card.state == MeetingState.CANCELLED:
        return meeting_cancelled(MeetingCancelled(card), destination, context)
    t = reader(destination, context)
    when = _when(t, card, context)
    if message.listening:
        # Observers (public agencies) follow the conversation; the floor is civil society's.
        intro = t.gettext("You are invited to listen in on meeting {number}, a dialogue meeting between the "
                          "city's political leadership and civil society.").format(number=card.number)
        subject = meeting_subject(t, card, t.gettext("invitation to listen in, {when}").format(when=when))
    else:
        intro = t.gettext("You are invited to a dialogue meeting with the city's political leadership.")
        subject = meeting_subject(t, card, t.gettext("invitation, {when}").format(when=when))
    body = Body(title=heading(card), banner=urgent_banner(t, card), blocks=(
        Block(paragraphs=(intro,)),
        *_meeting_blocks(t, card, context, answer_block(t, card, destination, context)),
    ))
    return finish(t, subject, body, destination, context, calendar=(card, CalendarMethod.REQUEST),
                  urgent=card.kind == MeetingKind.URGENT)


def meeting_reminder(message: MeetingReminder, destination: Destination, context: EmailContext) -> Email:
    """A reminder before the meeting, with the reader's answer and the links to give or change it."""
    card = message.meeting
    t = reader(destination, context)
    when = _when(t, card, context)
    line = t.gettext("Reminder: {title} starts {when}.").format(title=card.title, when=when)
    body = Body(title=heading(card), banner=urgent_banner(t, card), blocks=(
        Block(paragraphs=(line, t.gettext("Your answer: {answer}").format(
            answer=answer_word(t, message.answer)))),
        *_meeting_blocks(t, card, context, answer_block(
            t, card, destination, context,
            question=t.gettext("Change your answer") if message.answer else None)),
    ))
    subject = meeting_subject(t, card, t.gettext("reminder, {when}").format(when=when))
    return finish(t, subject, body, destination, context, calendar=(card, CalendarMethod.REQUEST),
                  urgent=card.kind == MeetingKind.URGENT)


def meeting_nudge(message: MeetingNudge, destination: Destination, context: EmailContext) -> Email:
    """To the contacts of an organisation that has not answered."""
    card = message.meeting
    t = reader(destination, context)
    line = t.gettext("Nobody from {organisation} has answered the invitation to {title} on {when} yet. "
                     "Will someone come?").format(organisation=message.organisation, title=card.title,
                                                  when=_when(t, card, context))
    body = Body(title=heading(card), banner=urgent_banner(t, card), blocks=(
        Block(paragraphs=(line,)),
        *_meeting_blocks(t, card, context, answer_block(t, card, destination, context)),
    ))
    subject = meeting_subject(t, card, t.gettext("will someone from {organisation} come?").format(
        organisation=message.organisation))
    return finish(t, subject, body, destination, context, calendar=(card, CalendarMethod.REQUEST),
                  urgent=card.kind == MeetingKind.URGENT)


def meeting_cancelled(message: MeetingCancelled, destination: Destination, context: EmailContext) -> Email:
    """Told to everyone invited, with the reason; the .ics takes the meeting out of calendars."""
    card = message.meeting
    t = reader(destination, context)
    line = t.gettext("The dialogue meeting {title} on {when} is cancelled.").format(
        title=card.title, when=_when(t, card, context))
    paragraphs = [line]
    if card.cancel_reason:
        paragraphs.append(t.gettext("Reason: {reason}").format(reason=card.cancel_reason))
    body = Body(title=heading(card), blocks=(Block(paragraphs=tuple(paragraphs)),))
    subject = meeting_subject(t, card, t.gettext("cancelled"))
    return finish(t, subject, body, destination, context, calendar=(card, CalendarMethod.CANCEL))


def meeting_changed(message: MeetingChanged, destination: Destination, context: EmailContext) -> Email:
    """What changed since the reader heard (the old time beside the new), and the meeting as it is."""
    card = message.meeting
    t = reader(destination, context)
    what = what_changed(t, message.changes)
    paragraphs = [t.gettext("Meeting {number} ({title}) has changed: {changes}.").format(
        number=card.number, title=card.title, changes=what)]
    facts: tuple[Fact, ...] = ()
    answers = answer_block(t, card, destination, context)
    if message.previous_starts_at is not None:
        facts = (Fact(t.gettext("New time"), _when(t, card, context)),
                 Fact(t.gettext("Was"), local_time(message.previous_starts_at, context.zone, t.language)))
        if answers:
            paragraphs.append(t.gettext("If this changes whether you can come, answer again below."))
    body = Body(title=heading(card), banner=urgent_banner(t, card), blocks=(
        Block(paragraphs=tuple(paragraphs), facts=facts),
        *_meeting_blocks(t, card, context, answers, when=not facts),
    ))
    subject = meeting_subject(t, card, t.gettext("changed: {changes}").format(changes=what))
    return finish(t, subject, body, destination, context, calendar=(card, CalendarMethod.REQUEST),
                  urgent=card.kind == MeetingKind.URGENT)


def answer_recorded(message: AnswerRecorded, destination: Destination, context: EmailContext) -> Email:
    """Confirms an answer given outside chat, so the reader has it in writing."""
    card = message.meeting
    t = reader(destination, context)
    answer = answer_word(t, message.answer)
    line = t.gettext("Your answer to meeting {number} ({title}), {when}, is recorded: {answer}.").format(
        number=card.number, title=card.title, when=_when(t, card, context), answer=answer)
    body = Body(title=heading(card), blocks=(
        Block(paragraphs=(line,)),
        Block(facts=meeting_facts(t, card, context, invited=False)),
        *answer_block(t, card, destination, context, question=t.gettext("Change your answer")),
    ))
    subject = meeting_subject(t, card, t.gettext("your answer is recorded: {answer}").format(answer=answer))
    return finish(t, subject, body, destination, context)


def speaker_told(message: SpeakerTold, destination: Destination, context: EmailContext) -> Email:
    """Told to a person picked as a talk's speaker: their talk, a change to it, or its removal."""
    card = message.meeting
    t = reader(destination, context)
    when = _when(t, card, context)
    subject = meeting_subject(t, card, t.gettext("your talk"))
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("Meeting {number} ({title}), {when}, where you had a talk, is cancelled.").format(
            number=card.number, title=card.title, when=when)
        return finish(t, subject, Body(title=heading(card), blocks=(Block(paragraphs=(line,)),)),
                      destination, context)
    if not message.talks:
        line = t.gettext("Your talk at meeting {number} ({title}), {when}, is taken off the agenda. Thank "
                         "you for being ready to speak.").format(number=card.number, title=card.title,
                                                                 when=when)
        return finish(t, subject, Body(title=heading(card), blocks=(Block(paragraphs=(line,)),)),
                      destination, context)
    lines = [t.ngettext("You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        "You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        talk.minutes).format(count=talk.minutes, number=card.number, title=card.title,
                                             when=when, subject=talk.subject)
             for talk in message.talks]
    if message.changed:
        lines.insert(0, t.gettext("Your talk has changed."))
    note = t.gettext("The talks open the meeting, before the open floor. The coordinator tells you here if "
                     "anything changes.")
    body = Body(title=heading(card), blocks=(
        Block(paragraphs=tuple(lines), note=note),
        Block(facts=meeting_facts(t, card, context, invited=False)),
        *agenda_block(t, card),
    ))
    return finish(t, subject, body, destination, context)
