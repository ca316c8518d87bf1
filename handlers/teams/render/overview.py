"""`overview` in Teams: what Slack's Home tab shows, as one card (Teams has no Home tab). Meetings
with one-click answers, follow-up points with their statuses, open topics to support; and for
coordinators the next meeting's answers and gaps, new proposals, contacts the bot could not write
to, suggested organisations and the roster. Where Slack has a button Teams has no verb for, the card
says what to write instead."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import replace
from zoneinfo import ZoneInfo

from microsoft_teams.cards import ActionSet, CardElement, Container

from handlers.teams.render.common import Card, md, text_block, truncate
from handlers.teams.render.minutes import status_actions
from handlers.teams.render.parts import bold, finish, heading, note, rsvp_actions
from handlers.teams.render.replies_help import choices, usage, word
from handlers.teams.render.replies_planning import insight_elements, perspective
from handlers.teams.render.replies_topics import support_action
from handlers.teams.render.topics import proposer, supporters
from handlers.teams.render.words import (
    answer_word,
    person_words,
    point_line,
    tally_lines,
    when_and_length,
)
from services.enums import MeetingKind
from services.home import HomeView
from services.i18n import Translator
from services.meetings import UpcomingMeeting
from services.messages import ActionItemView
from services.reachability import Undelivered
from services.suggestions import SuggestionCard

# As many as Slack's Home tab shows of each list (fewer suggestions); the rest are counted.
MEETINGS_SHOWN = 8
POINTS_SHOWN = 8
PROPOSALS_SHOWN = 10
SUGGESTIONS_SHOWN = 5
# Teams takes about 28 KB in one message. Long texts people typed (or a server answered) are cut
# before they are escaped, and each list stops at its share of the card's bytes, so a full overview
# of long, markdown-heavy titles still fits; what is left out is counted.
WORDS_SHOWN = 250
BUDGETS = {"next": 2500, "meetings": 6500, "follow_up": 5000, "proposals": 2000, "undelivered": 2500,
           "suggestions": 3500, "topics": 5000}


def _size(element: CardElement) -> int:
    """The bytes `element` takes in the card's JSON."""
    return len(json.dumps(element.model_dump(by_alias=True, exclude_none=True), ensure_ascii=False).encode())


def _fit(entries: Sequence[CardElement], budget: int) -> list[CardElement]:
    """The first `entries` that fit in `budget` bytes (the first always: each is short by itself)."""
    taken: list[CardElement] = []
    used = 0
    for entry in entries:
        used += _size(entry)
        if taken and used > budget:
            break
        taken.append(entry)
    return taken


def _more(t: Translator, count: int) -> list[CardElement]:
    return [note(t.gettext("…and {count} more.").format(count=count))] if count > 0 else []


def overview_card(t: Translator, view: HomeView, zone: ZoneInfo) -> Card:
    """A person's overview, section by section as on Slack's Home tab."""
    title = t.gettext("Dialogue meetings")
    body: list[CardElement] = [heading(title)]
    if view.coordinator and view.upcoming:
        body += _next_meeting(t, view)
    body += _meetings(t, view.upcoming, zone)
    body += _follow_up(t, view.follow_up)
    if view.coordinator:
        body += _proposals(t, view)
        body += _undelivered(t, view.undelivered)
        body += _suggestions(t, view.suggestions)
        body += _roster(t, view.organisations)
    body += _topics(t, view)
    body += _footer(t)
    return finish(title, body)


def _next_meeting(t: Translator, view: HomeView) -> list[CardElement]:
    card = view.upcoming[0].meeting
    line = "**" + t.gettext("Next meeting") + f":** {card.number}. {md(card.title)}"
    elements: list[CardElement] = [text_block(line), note("\n\n".join(tally_lines(t, card.tally)))]
    if view.next_meeting_insights is not None:
        elements += _fit(insight_elements(t, view.next_meeting_insights), BUDGETS["next"])
    return elements


def _meeting(t: Translator, item: UpcomingMeeting, zone: ZoneInfo) -> Container:
    card = item.meeting
    urgent = "🚨 " if card.kind == MeetingKind.URGENT else ""
    status = (t.gettext("Your answer: {answer}").format(answer=answer_word(t, item.answer)) if item.invited
              else t.gettext("You are not on the invitation list."))
    items: list[CardElement] = [
        text_block(f"{urgent}**{card.number}. {md(card.title)}**"),
        text_block(when_and_length(t, card, zone), spacing="None"),
        note(status, spacing="None"),
    ]
    if item.invited:
        items.append(ActionSet(actions=rsvp_actions(t, card.number)))
    return Container(separator=True, items=items)


def _meetings(t: Translator, upcoming: Sequence[UpcomingMeeting], zone: ZoneInfo) -> list[CardElement]:
    elements: list[CardElement] = [bold(t.gettext("Upcoming meetings"))]
    if not upcoming:
        return [*elements, text_block(t.gettext("No meetings are coming up."))]
    shown = _fit([_meeting(t, item, zone) for item in upcoming[:MEETINGS_SHOWN]], BUDGETS["meetings"])
    if len(upcoming) > len(shown):
        rest = len(upcoming) - len(shown)
        elements.append(note(t.gettext("…and {count} more later.").format(count=rest)))
    return [*elements[:1], *shown, *elements[1:]]


def _follow_up(t: Translator, points: Sequence[tuple[int, str, ActionItemView]]) -> list[CardElement]:
    if not points:
        return []
    shown = _fit([Container(separator=True, items=[
        text_block(point_line(t, replace(item, description=truncate(item.description, WORDS_SHOWN)))),
        note(f"_{number}. {md(title)}_", spacing="None"),
        ActionSet(actions=status_actions(t, item)),
    ]) for number, title, item in points[:POINTS_SHOWN]], BUDGETS["follow_up"])
    elements: list[CardElement] = [bold(t.gettext("Follow-up")), *shown]
    if len(points) > len(shown):
        command = usage(word(t, "followup"), t.gettext("<meeting-no>.<point-no>"),
                        choices(t, "open", "progress", "done"))
        elements.append(note(t.gettext("{count} more; set any point's status with {command}.").format(
            count=len(points) - len(shown), command=command)))
    return elements


def _proposals(t: Translator, view: HomeView) -> list[CardElement]:
    if not view.new_proposals:
        return []
    shown = _fit([text_block(f"- **{card.number}. {md(card.title)}** ({proposer(t, card)})", spacing="None")
                  for card in view.new_proposals[:PROPOSALS_SHOWN]], BUDGETS["proposals"])
    return [bold(t.gettext("New proposals")), *shown, *_more(t, len(view.new_proposals) - len(shown))]


def undelivered_line(t: Translator, item: Undelivered) -> str:
    """One contact the bot could not write to: who, for whom, why (the platform's words), where."""
    line = t.gettext("• {person} ({organisations}): {reason}").format(
        person=person_words(t, item.person), organisations=md(", ".join(item.organisations)),
        reason=md(truncate(item.reason, WORDS_SHOWN) or t.gettext("no reason given")))
    if item.meeting_number is not None:
        line += " " + t.gettext("(meeting {number})").format(number=item.meeting_number)
    return line


def _undelivered(t: Translator, failed: Sequence[Undelivered]) -> list[CardElement]:
    if not failed:
        return []
    shown = _fit([text_block(undelivered_line(t, item), spacing="None") for item in failed],
                 BUDGETS["undelivered"])
    return [bold(t.gettext("Could not be delivered")), *shown, *_more(t, len(failed) - len(shown))]


def _suggestion(t: Translator, card: SuggestionCard) -> Container:
    name = f"**{md(card.name)}**" + (f" · {perspective(t, card.perspective)}" if card.perspective else "")
    lines = [name, f"_{md(truncate(card.reason, WORDS_SHOWN))}_"]
    contacts = [md(card.contact)] if card.contact else []
    if card.contact_person is not None:
        contacts.append(person_words(t, card.contact_person))
    if contacts:
        lines.append(t.gettext("Contact: {contact}").format(contact=", ".join(contacts)))
    by = t.gettext("Suggested by {person}").format(person=person_words(t, card.suggested_by))
    if card.meeting is not None:
        by += " · " + t.gettext("for meeting {number} ({title})").format(
            number=card.meeting[0], title=md(card.meeting[1]))
    lines.append(by)
    # Slack's Add to roster and Dismiss have no Teams verb yet: the command that adds it instead.
    command = usage(word(t, "roster"), word(t, "roster add"), f'"{md(card.name)}"',
                    choices(t, "core", "topic", "observer"))
    return Container(separator=True, items=[
        text_block("\n\n".join(lines)),
        note(t.gettext("Add it to the roster with {command}.").format(command=command), spacing="None"),
    ])


def _suggestions(t: Translator, suggestions: Sequence[SuggestionCard]) -> list[CardElement]:
    if not suggestions:
        return []
    shown = _fit([_suggestion(t, card) for card in suggestions[:SUGGESTIONS_SHOWN]], BUDGETS["suggestions"])
    elements: list[CardElement] = [bold(t.gettext("Suggested organisations")), *shown]
    if len(suggestions) > len(shown):
        elements.append(note(t.gettext("…and {count} more, shown as these are decided.").format(
            count=len(suggestions) - len(shown))))
    elements.append(note(t.gettext(
        "Teams cannot accept or dismiss a suggestion yet: adding the organisation with the command does "
        "not close the suggestion or tell its suggester.")))
    return elements


def _roster(t: Translator, organisations: Sequence[str]) -> list[CardElement]:
    # Slack's Add an organisation button and edit picker: the commands that do it in Teams.
    count = len(organisations)
    line = t.ngettext("{count} organisation is on the roster; {list} lists it and {add} adds one.",
                      "{count} organisations are on the roster; {list} lists them and {add} adds one.",
                      count).format(
        count=count, list=usage(word(t, "roster")),
        add=usage(word(t, "roster"), word(t, "roster add"), t.gettext("\"<name>\""),
                  choices(t, "core", "topic", "observer")))
    return [bold(t.gettext("Roster")), text_block(line, spacing="None")]


def _topics(t: Translator, view: HomeView) -> list[CardElement]:
    elements: list[CardElement] = [bold(t.gettext("Open topics"))]
    if not view.topics:
        line = t.gettext("No open topics yet. Propose one with {command}.").format(
            command=usage(word(t, "propose"), t.gettext("<title> [| <details>]")))
        return [*elements, text_block(line)]
    shown = _fit([Container(separator=True, items=[
        text_block(f"**{card.number}. {md(card.title)}**"),
        note(supporters(t, card), spacing="None"),
        ActionSet(actions=[support_action(t, card)]),
    ]) for card in view.topics], BUDGETS["topics"])
    return [*elements, *shown, *_more(t, len(view.topics) - len(shown))]


def _footer(t: Translator) -> list[CardElement]:
    # Slack's Suggest an organisation button and language picker, as the commands that do the same.
    suggest = t.gettext("Do you know an organisation that should take part?") + " " + t.gettext(
        "Suggest it with {command}.").format(
            command=usage(word(t, "recommend"), t.gettext("\"<organisation>\" <why>")))
    language = t.gettext("Change the language the bot writes to you in with {command}.").format(
        command=usage(word(t, "language"), "nb|en|auto"))
    return [note(suggest, separator=True), note(language)]
