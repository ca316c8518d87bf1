"""Meetings in Teams: the invitation (with the live tally in the channel), reminders, nudges, the
cancellation, what changed, and the speaker's note; answers are one-click Universal Actions."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import CardElement

from handlers.teams.render.common import Card, md, text_block
from handlers.teams.render.parts import bold, facts, finish, heading, note, open_url, paragraphs, rsvp_actions
from handlers.teams.render.words import (
    answer_word,
    calendar_url,
    chair,
    local_time,
    minutes_phrase,
    point_line,
    speaker,
    tally_lines,
    web_url,
    when_and_length,
)
from services.enums import MeetingKind, MeetingState
from services.i18n import Translator
from services.messages import (
    ActionItemView,
    MeetingCancelled,
    MeetingCard,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    SpeakerTold,
)
from services.wording import what_changed

TALLY_ID = "tally"


def _banner(t: Translator, card: MeetingCard) -> list[CardElement]:
    if card.kind != MeetingKind.URGENT:
        return []
    return [text_block("🚨 **" + t.gettext("Urgent dialogue meeting") + "**", color="Attention")]


def _title(card: MeetingCard) -> CardElement:
    return heading(f"{card.number}. {md(card.title)}")


def tally(t: Translator, card: MeetingCard) -> CardElement:
    """The channel copy's live tally (re-rendered as answers come in), in Slack's words."""
    return text_block("\n\n".join(tally_lines(t, card.tally)), id=TALLY_ID, is_subtle=True, separator=True)


def _why_not(t: Translator, card: MeetingCard) -> str:
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("This meeting is cancelled.")
        if card.cancel_reason:
            line += " " + t.gettext("Reason: {reason}").format(reason=md(card.cancel_reason))
        return line
    return t.gettext("This meeting has been held; answers are closed.")


def answers_or_why_not(t: Translator, card: MeetingCard, calendar: str | None = None
                       ) -> tuple[list[CardElement], list[CardAction]]:
    """The answer buttons (and the calendar link) while the meeting is scheduled; once it is
    cancelled or held, a line saying so and no buttons (every copy is re-rendered then)."""
    if card.state != MeetingState.SCHEDULED:
        return [note(_why_not(t, card))], []
    actions = rsvp_actions(t, card.number)
    join = web_url(card.video_link)
    if join:
        actions.append(open_url(t.gettext("Join the meeting"), join))
    if calendar:
        actions.append(open_url(t.gettext("Add to calendar"), calendar))
    return [], actions


def _agenda(t: Translator, card: MeetingCard) -> list[CardElement]:
    if not (card.talks or card.agenda):
        return []
    lines = []
    for n, talk in enumerate(card.talks, start=1):
        lines.append(f"{n}. {md(talk.subject)}: {speaker(talk)}, {minutes_phrase(t, talk.minutes)}")
    topics = "; ".join(f"{md(title)} _(#{number})_" for number, title in card.agenda)
    open_floor = t.gettext("Open floor")
    floor = f"{len(card.talks) + 1}. {open_floor}, {minutes_phrase(t, card.open_floor_minutes)}"
    lines.append(floor + (f": {topics}" if topics else ""))
    return [bold(t.gettext("Agenda")), text_block("\n".join(lines), spacing="None")]


def follow_up(t: Translator, items: tuple[ActionItemView, ...]) -> list[CardElement]:
    """The next meeting's section on what the last one agreed to follow up, with each status."""
    if not items:
        return []
    return [bold(t.gettext("Follow-up from last time")),
            text_block("\n\n".join(point_line(t, item) for item in items), spacing="None")]


def details(t: Translator, card: MeetingCard, zone: ZoneInfo, *, when: bool = True) -> list[CardElement]:
    """What every copy shows: when, the chair, the link, background, agenda and who is invited."""
    pairs: list[tuple[str, str]] = []
    if when:
        pairs.append((t.gettext("When"), when_and_length(t, card, zone)))
    named = chair(card)
    if named:
        pairs.append((t.gettext("Chair"), named))
    if card.video_link and not web_url(card.video_link):
        # Not a web address a button may open: shown as typed, inert.
        pairs.append((t.gettext("Link"), md(card.video_link)))
    pairs.append((t.gettext("Invited"), ", ".join(md(name) for name in card.participants) or "—"))
    if card.observers:
        pairs.append((t.gettext("Listening in"), ", ".join(md(name) for name in card.observers)))
    body: list[CardElement] = [*facts(pairs)]
    if card.background:
        body += [bold(t.gettext("Background")), text_block(paragraphs(card.background), spacing="None")]
    return body + _agenda(t, card)


def meeting_invitation(t: Translator, message: MeetingInvitation, zone: ZoneInfo, *, personal: bool,
                       public_url: str = "") -> Card:
    """The invitation: in the channel with the live tally, or to one person with the answer buttons."""
    card = message.meeting
    when = local_time(card.starts_at, zone, t.language)
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("Cancelled: {title}, {when}").format(title=md(card.title), when=when)
        body: list[CardElement] = [text_block(f"⛔ **{line}**", color="Attention")]
        if card.cancel_reason:
            body.append(text_block(t.gettext("Reason: {reason}").format(reason=md(card.cancel_reason))))
        if not personal:
            body.append(tally(t, card))
        return finish(line, body)
    if personal and message.listening:
        # Observers (public agencies) follow the conversation; the floor is civil society's.
        intro = t.gettext("You are invited to listen in on meeting {number}, a dialogue meeting between the "
                          "city's political leadership and civil society.").format(number=card.number)
    elif personal:
        intro = t.gettext("You are invited to a dialogue meeting with the city's political leadership.")
    else:
        intro = t.gettext("Invitation to a dialogue meeting with the city's political leadership.")
    body = [*_banner(t, card), _title(card), text_block(intro), *details(t, card, zone),
            *follow_up(t, card.follow_up)]
    # A personal copy is not updated after each click (the clicker gets a confirmation), so it shows
    # nothing that could go stale; the channel copy carries the live tally.
    if not personal:
        body.append(tally(t, card))
    closed, actions = answers_or_why_not(t, card, calendar_url(public_url, card))
    prefix = t.gettext("URGENT") + ": " if card.kind == MeetingKind.URGENT else ""
    text = prefix + t.gettext("Invitation: {title}, {when}").format(title=md(card.title), when=when)
    return finish(text, [*body, *closed], actions)


def meeting_reminder(t: Translator, message: MeetingReminder, zone: ZoneInfo) -> Card:
    """A reminder before the meeting, with a chance to answer or change the answer."""
    card = message.meeting
    template = t.gettext("Reminder: {title} starts {when}.")
    when = local_time(card.starts_at, zone, t.language)
    closed, actions = answers_or_why_not(t, card)
    body = [*_banner(t, card), text_block(template.format(title=f"**{md(card.title)}**", when=when)),
            *details(t, card, zone, when=False),
            note(t.gettext("Your answer: {answer}").format(answer=answer_word(t, message.answer))), *closed]
    return finish(template.format(title=md(card.title), when=when), body, actions)


def meeting_nudge(t: Translator, message: MeetingNudge, zone: ZoneInfo) -> Card:
    """To the contacts of an organisation that has not answered."""
    card = message.meeting
    template = t.gettext("Nobody from {organisation} has answered the invitation to {title} on {when} yet. "
                         "Will someone come?")
    when = local_time(card.starts_at, zone, t.language)
    organisation = md(message.organisation)
    closed, actions = answers_or_why_not(t, card)
    body = [*_banner(t, card),
            text_block(template.format(organisation=organisation, title=f"**{md(card.title)}**", when=when)),
            *closed]
    return finish(template.format(organisation=organisation, title=md(card.title), when=when), body, actions)


def meeting_cancelled(t: Translator, message: MeetingCancelled, zone: ZoneInfo) -> Card:
    """Told to everyone who was invited; nothing left to click."""
    card = message.meeting
    template = t.gettext("The dialogue meeting {title} on {when} is cancelled.")
    when = local_time(card.starts_at, zone, t.language)
    body: list[CardElement] = [text_block("⛔ " + template.format(title=f"**{md(card.title)}**", when=when))]
    if card.cancel_reason:
        body.append(text_block(t.gettext("Reason: {reason}").format(reason=md(card.cancel_reason))))
    return finish(template.format(title=md(card.title), when=when), body)


def meeting_changed(t: Translator, message: MeetingChanged, zone: ZoneInfo) -> Card:
    """Told to each person who already got the invitation: what changed, and the meeting as it is."""
    card = message.meeting
    line = t.gettext("Meeting {number} ({title}) has changed: {changes}.").format(
        number=card.number, title=md(card.title), changes=what_changed(t, message.changes))
    body: list[CardElement] = [*_banner(t, card), bold(line)]
    if message.previous_starts_at is not None:
        body.append(text_block(t.gettext("New time: {when} (was {previous}).").format(
            when=local_time(card.starts_at, zone, t.language),
            previous=local_time(message.previous_starts_at, zone, t.language))))
        body.append(text_block(t.gettext("If this changes whether you can come, answer again in the "
                                         "invitation.")))
        body += details(t, card, zone, when=False)
    else:
        body += details(t, card, zone)
    return finish(line, body)


def speaker_told(t: Translator, message: SpeakerTold, zone: ZoneInfo) -> Card:
    """Told to a person picked as a talk's speaker: their talk, a change to it, or its removal."""
    card = message.meeting
    when = local_time(card.starts_at, zone, t.language)
    title = md(card.title)
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("Meeting {number} ({title}), {when}, where you had a talk, is cancelled.").format(
            number=card.number, title=title, when=when)
        return finish(line, [text_block(f"⛔ {line}")])
    if not message.talks:
        line = t.gettext("Your talk at meeting {number} ({title}), {when}, is taken off the agenda. Thank "
                         "you for being ready to speak.").format(number=card.number, title=title, when=when)
        return finish(line, [text_block(line)])
    lines = [t.ngettext("You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        "You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        talk.minutes).format(
        count=talk.minutes, number=card.number, title=title, when=when, subject=f"**{md(talk.subject)}**")
        for talk in message.talks]
    if message.changed:
        lines.insert(0, t.gettext("Your talk has changed."))
    text = "\n\n".join(lines)
    return finish(text.replace("**", ""), [
        text_block(text),
        note(t.gettext("The talks open the meeting, before the open floor. The coordinator tells you here "
                       "if anything changes.")),
    ])
