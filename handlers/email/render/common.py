"""Shared by every e-mail: the reader's language and dates, a meeting's facts and agenda, the
three answer links, the footer every e-mail carries, and putting an e-mail together."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from handlers.email.render.context import CalendarMethod, EmailContext
from handlers.email.render.layout import Action, Block, Body, Fact, html, plain, web_link
from handlers.email.render.mime import Email, one_line
from services.enums import Answer, FollowUpStatus, MeetingKind, MeetingState, Side
from services.i18n import Translator, translator
from services.messages import ActionItemView, MeetingCard, Talk
from services.people import EMAIL, Destination, PersonRef

_BABEL_LOCALES = {"en": "en_GB", "nb": "nb_NO"}
# The zone Norwegian text need not name: the dialogue's own, where its Norwegian readers are.
_NORWEGIAN_ZONE = "Europe/Oslo"
_STATUS = {FollowUpStatus.OPEN: "open", FollowUpStatus.IN_PROGRESS: "in progress",
           FollowUpStatus.DONE: "done"}


def reader(destination: Destination, context: EmailContext) -> Translator:
    """The translator for the reader's language (the one the services chose, else the default)."""
    return translator(destination.language or context.default_language)


def _locale(language: str) -> str:
    return _BABEL_LOCALES.get(language, "en_GB")


def local_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A date and time written out in `zone`: "torsdag 14. januar 2027 kl. 15:00", "Thursday,
    14 January 2027 15:00 (Europe/Oslo)" (e-mail has no token that shows each reader their zone)."""
    day = format_date(moment.astimezone(zone), "full", locale=_locale(language))
    clock = format_time(moment, "HH:mm", tzinfo=zone, locale=_locale(language))
    if language == "nb":
        return f"{day} kl. {clock}" + ("" if zone.key == _NORWEGIAN_ZONE else f" ({zone.key})")
    return f"{day} {clock} ({zone.key})"


def long_date(day: date, language: str) -> str:
    """A calendar date in words (16 March 2027, 16. mars 2027)."""
    return format_date(day, "long", locale=_locale(language))


def minutes_phrase(t: Translator, count: int) -> str:
    """`45 minutes`."""
    return t.ngettext("{count} minute", "{count} minutes", count).format(count=count)


def answer_word(t: Translator, answer: Answer | None) -> str:
    """How an answer (or none yet) reads."""
    words = {Answer.YES: t.gettext("Attending"), Answer.NO: t.gettext("Not attending"),
             Answer.MAYBE: t.gettext("Maybe")}
    return words[answer] if answer is not None else t.gettext("No answer yet")


def meeting_subject(t: Translator, card: MeetingCard, what: str) -> str:
    """A subject beginning with the meeting's title (an urgent call's marked first), on one line."""
    urgent = "[" + t.gettext("Urgent") + "] " if card.kind == MeetingKind.URGENT else ""
    return one_line(f"{urgent}{card.title}: {what}")


def urgent_banner(t: Translator, card: MeetingCard) -> str | None:
    """The banner over an urgent call's e-mails."""
    return t.gettext("Urgent dialogue meeting") if card.kind == MeetingKind.URGENT else None


def heading(card: MeetingCard) -> str:
    """A meeting as the e-mail's title: `12. March dialogue`."""
    return f"{card.number}. {card.title}"


def speaker(talk: Talk) -> str:
    """A talk's speaker as typed, with their organisation (a person picked on a chat platform
    has no name the e-mail could show: their organisation stands for them then)."""
    name = talk.speaker.strip()
    if name and talk.organisation:
        return f"{name} ({talk.organisation})"
    return name or talk.organisation or "—"


def person_words(t: Translator, person: PersonRef | None) -> str:
    """A person named in an e-mail to a coordinator: an e-mail contact by their address; a chat id
    means nothing in an e-mail, so a chat person is said to be one."""
    if person is None:
        return t.gettext("A person (since erased)")
    return person.user_id if person.platform == EMAIL else t.gettext("A contact in chat")


def calendar_url(context: EmailContext, card: MeetingCard) -> str | None:
    """The meeting's calendar address, when the bot has a public address."""
    if not context.public_url or not card.calendar_token:
        return None
    return f"{context.public_url.rstrip('/')}/calendar/{card.calendar_token}.ics"


def when_fact(t: Translator, card: MeetingCard, context: EmailContext) -> Fact:
    """`When: torsdag 14. januar 2027 kl. 15:00 · 90 minutter`."""
    when = local_time(card.starts_at, context.zone, t.language)
    return Fact(t.gettext("When"), f"{when} · {minutes_phrase(t, card.duration_minutes)}")


def meeting_facts(t: Translator, card: MeetingCard, context: EmailContext, *, when: bool = True,
                  invited: bool = True) -> tuple[Fact, ...]:
    """When, the chair, the video link, the calendar address, and who is invited."""
    facts = [when_fact(t, card, context)] if when else []
    if card.chair:
        facts.append(Fact(t.gettext("Chair"), card.chair))
    video = web_link(card.video_link)
    if video:
        facts.append(Fact(t.gettext("Video link"), video, video))
    elif card.video_link:
        facts.append(Fact(t.gettext("Video link"), card.video_link))
    calendar = calendar_url(context, card)
    if calendar and card.state == MeetingState.SCHEDULED:
        facts.append(Fact(t.gettext("Add to calendar"), calendar, calendar))
    if invited:
        facts.append(Fact(t.gettext("Invited"), ", ".join(card.participants) or "—"))
        if card.observers:
            facts.append(Fact(t.gettext("Listening in"), ", ".join(card.observers)))
    return tuple(facts)


def background_block(t: Translator, card: MeetingCard) -> list[Block]:
    """Why an urgent meeting is called, as the coordinator wrote it."""
    return [Block(heading=t.gettext("Background"), paragraphs=(card.background,))] if card.background else []


def agenda_block(t: Translator, card: MeetingCard) -> list[Block]:
    """The talks, then the open floor with the topics on the agenda (number and title)."""
    if not card.talks and not card.agenda:
        return []
    items = [f"{talk.subject}: {speaker(talk)}, {minutes_phrase(t, talk.minutes)}" for talk in card.talks]
    floor = t.gettext("Open floor") + ", " + minutes_phrase(t, card.open_floor_minutes)
    topics = "; ".join(f"#{number} {title}" for number, title in card.agenda)
    items.append(f"{floor}: {topics}" if topics else floor)
    return [Block(heading=t.gettext("Agenda"), items=tuple(items), ordered=True)]


def owner_words(t: Translator, item: ActionItemView) -> str:
    """Who owns a follow-up point: the city, an organisation, or a public agency (marked)."""
    if item.owner is None:
        return t.gettext("the city")
    if item.owner_side == Side.AGENCY:
        return t.gettext("{name} (public agency)").format(name=item.owner)
    return item.owner


def point_line(t: Translator, item: ActionItemView) -> str:
    """`3.2 Find volunteers: Caritas, by 30 March 2026 · open`."""
    what = t.gettext("{what}: {owner}, by {due}").format(
        what=item.description, owner=owner_words(t, item), due=long_date(item.due_on, t.language))
    status = t.gettext(_STATUS[item.status])
    return f"{item.ref} {what} · {status}"


def follow_up_block(t: Translator, items: Sequence[ActionItemView],
                    heading: str | None = None) -> list[Block]:
    """Follow-up points, each with its status."""
    if not items:
        return []
    return [Block(heading=heading or t.gettext("Follow-up from last time"),
                  items=tuple(point_line(t, item) for item in items))]


def is_open(card: MeetingCard, context: EmailContext) -> bool:
    """Whether the meeting is scheduled and still ahead: answers make sense."""
    return card.state == MeetingState.SCHEDULED and card.starts_at > context.clock()


def answer_block(t: Translator, card: MeetingCard, destination: Destination, context: EmailContext,
                 *, current: Answer | None = None, question: str | None = None) -> list[Block]:
    """The three personal answer links (each opens a page with one button that answers), while the
    meeting is ahead and links can be made; `current`: the reader's answer so far."""
    if not (context.links.available and destination.workspace is not None and is_open(card, context)):
        return []
    actions = tuple(
        Action(label, context.links.answer_url(destination.workspace, destination.for_person, card.number,
                                               answer, expires_at=card.starts_at))
        for answer, label in ((Answer.YES, t.gettext("Attending")), (Answer.NO, t.gettext("Not attending")),
                              (Answer.MAYBE, t.gettext("Maybe"))))
    paragraphs = ((t.gettext("Your answer: {answer}").format(answer=answer_word(t, current)),)
                  if current else ())
    return [Block(heading=question or t.gettext("Will you come?"), paragraphs=paragraphs, actions=actions,
                  note=t.gettext("Each button opens a page where you confirm your answer with one more "
                                 "click. You can change it until the meeting starts.") + " "
                  # The .ics is an invitation (REQUEST), so calendars offer answers of their own,
                  # which go to an address nobody reads.
                  + t.gettext("An answer from your calendar app does not reach us: use these buttons."))]


def footer(t: Translator, destination: Destination, context: EmailContext) -> tuple[tuple[Fact, ...], str]:
    """Every e-mail's footer: why it came, the reader's own page and how to stop e-mail."""
    note = t.gettext("You receive this e-mail as a contact in the dialogue meetings between the city's "
                     "political leadership and civil society.")
    if not (context.links.available and destination.workspace is not None):
        return (), note
    page = context.links.page_url(destination.workspace, destination.for_person)
    stop = context.links.stop_url(destination.workspace, destination.id)
    return (Fact(t.gettext("Your page"), t.gettext("your meetings, answers and topics"), page),
            Fact(t.gettext("Stop e-mail from the dialogue meetings"), "", stop)), note


def calendar_file(card: MeetingCard, method: CalendarMethod, destination: Destination,
                  context: EmailContext, language: str) -> bytes | None:
    """The meeting's .ics for this reader, when the meeting has a calendar token."""
    if not card.calendar_token:
        return None
    return context.calendar(card.calendar_token, method, destination.id, organizer=context.sender,
                            language=language)


def finish(t: Translator, subject: str, body: Body, destination: Destination, context: EmailContext, *,
           calendar: tuple[MeetingCard, CalendarMethod] | None = None, urgent: bool = False) -> Email:
    """The e-mail: `body` with the footer, as text and HTML, and the meeting's .ics if asked."""
    facts, note = footer(t, destination, context)
    body = Body(title=body.title, blocks=body.blocks, banner=body.banner, footer=facts, footer_note=note)
    subject = one_line(subject)
    ics, method = None, None
    if calendar is not None:
        ics = calendar_file(calendar[0], calendar[1], destination, context, t.language)
        method = calendar[1] if ics is not None else None
    return Email(subject=subject, text=plain(body), html=html(body, t.language, subject), language=t.language,
                 calendar=ics, calendar_method=method, urgent=urgent)
