"""Answers about meetings in Teams: the list with answer buttons where the reader is invited, and the
coordinator's confirmations of scheduling, inviting and the agenda."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from microsoft_teams.cards import ActionSet, CardElement, Container

from handlers.teams.render.common import Card, adaptive_card, md, text_block
from handlers.teams.render.parts import heading, note, rsvp_actions
from handlers.teams.render.replies_help import usage, word
from handlers.teams.render.replies_planning import combinable
from handlers.teams.render.urgent import audience_phrase
from handlers.teams.render.words import answer_word, local_time, tally_lines, teams_hint, when_and_length
from services.enums import MeetingKind
from services.i18n import Translator
from services.meetings import AgendaOutcome, InviteOutcome, ScheduleOutcome, UpcomingMeeting
from services.messages import Audience

# As many as Slack's list shows; the rest are counted.
MEETINGS_SHOWN = 15
NO_CONTACT_SHOWN = 20


def _meeting(t: Translator, item: UpcomingMeeting, zone: ZoneInfo) -> Container:
    card = item.meeting
    urgent = "🚨 " if card.kind == MeetingKind.URGENT else ""
    status = (t.gettext("Your answer: {answer}").format(answer=answer_word(t, item.answer)) if item.invited
              else t.gettext("You are not on the invitation list."))
    items: list[CardElement] = [
        text_block(f"{urgent}**{card.number}. {md(card.title)}**"),
        text_block(when_and_length(t, card, zone)),
        note(f"{status} · {tally_lines(t, card.tally)[0]}"),
    ]
    if item.invited:
        items.append(ActionSet(actions=rsvp_actions(t, card.number)))
    return Container(separator=True, items=items)


def meeting_list(t: Translator, upcoming: Sequence[UpcomingMeeting], zone: ZoneInfo) -> Card:
    """Upcoming meetings with the reader's answer, and answer buttons where they are invited."""
    if not upcoming:
        return Card(text=t.gettext("No meetings are coming up."))
    title = t.ngettext("{count} upcoming meeting", "{count} upcoming meetings", len(upcoming)).format(
        count=len(upcoming))
    body: list[CardElement] = [heading(title)]
    body.extend(_meeting(t, item, zone) for item in upcoming[:MEETINGS_SHOWN])
    if len(upcoming) > MEETINGS_SHOWN:
        body.append(note(t.gettext("…and {count} more later.").format(count=len(upcoming) - MEETINGS_SHOWN),
                         separator=True))
    return Card(text=title, card=adaptive_card(body, fallback=title))


def dated_in_zone(t: Translator, moment: datetime, zone: ZoneInfo) -> str:
    """A start written out, always naming the zone a typed time was read in (Norwegian text leaves
    out the dialogue's own zone elsewhere)."""
    when = local_time(moment, zone, t.language)
    if zone.key in when:
        return when
    named = t.gettext("time zone {zone}").format(zone=zone.key)
    return f"{when} ({named})"


def no_contact_line(t: Translator, names: tuple[str, ...]) -> str | None:
    """The organisations nobody can be told of (no contact person on the roster), or None."""
    if not names:
        return None
    shown = ", ".join(md(name) for name in names[:NO_CONTACT_SHOWN])
    if len(names) > NO_CONTACT_SHOWN:
        shown += " " + t.gettext("and {count} more").format(count=len(names) - NO_CONTACT_SHOWN)
    return "⚠️ " + t.gettext("No contact person, so nobody there gets the invitation: {names}.").format(
        names=shown)


def schedule_confirmation(t: Translator, outcome: ScheduleOutcome, zone: ZoneInfo) -> Card:
    """Told privately to the coordinator who scheduled (or called an urgent meeting)."""
    card, now_sent = outcome.meeting, outcome.invitations_sent
    # A typed time is read in the meetings' zone: naming it shows the coordinator what was understood.
    line = t.gettext("Meeting {number} ({title}) is scheduled for {when}.").format(
        number=card.number, title=md(card.title), when=dated_in_zone(t, card.starts_at, zone))
    # Counted by the service's one rule, as the urgent form's preview and progress report count.
    reached = outcome.audience or Audience(len(card.participants) + len(card.observers), card.tally.waiting)
    if now_sent:
        more = t.gettext("Invitations are going out now to {audience}.").format(
            audience=audience_phrase(t, reached))
    else:
        more = t.gettext("Invitations go out {when} to {audience}.").format(
            when=local_time(card.invite_at, zone, t.language), audience=audience_phrase(t, reached))
        if outcome.brought_forward:
            more += " " + t.gettext("The time is brought forward to a working day: invitations never go out "
                                    "on weekends or public holidays.")
    if card.kind == MeetingKind.URGENT and now_sent:
        # The report comes in the bot's personal chat, easy to miss while watching the channel.
        more += " " + t.gettext("Your progress report (sent so far, who could not be reached, the answers) "
                                "is in your direct message with the bot, updated as they go out.")
    body: list[CardElement] = [text_block(line), text_block(more)]
    flagged = no_contact_line(t, reached.no_contact)
    if flagged:
        body.append(text_block(flagged))
    body.append(note(t.gettext("Add organisations with {command}.").format(
        command=usage(word(t, "invite"), str(card.number), t.gettext("\"<organisation>\"")))))
    return combinable(f"{line} {more}", body)


def invite_confirmation(t: Translator, outcome: InviteOutcome) -> Card:
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
    return Card(text=template.format(organisation=md(outcome.organisation), number=outcome.meeting.number,
                                     people=outcome.people))


def agenda_confirmation(t: Translator, outcome: AgendaOutcome) -> Card:
    """Told privately to the coordinator after changing an agenda (with the service's warning, if any)."""
    card = outcome.meeting
    talks = t.ngettext("{count} talk", "{count} talks", len(card.talks)).format(count=len(card.talks))
    topics = t.ngettext("{count} topic", "{count} topics", len(card.agenda)).format(count=len(card.agenda))
    floor = t.ngettext("{count} minute", "{count} minutes", card.open_floor_minutes).format(
        count=card.open_floor_minutes)
    line = t.gettext("The agenda of meeting {number} ({title}) is updated: {talks}, {topics}, "
                     "{minutes} of open floor.").format(
        number=card.number, title=md(card.title), talks=talks, topics=topics, minutes=floor)
    if outcome.warning is None:
        return Card(text=line)
    warning = "⚠️ " + t.render(outcome.warning, md, hint=teams_hint(t))
    return combinable(f"{line} {warning}", [text_block(line), note(warning)])
