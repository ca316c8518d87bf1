"""Answers about topics and suggested organisations in Teams: the list with a Support button per
topic, and the proposer's, decliner's and suggester's confirmations."""

from __future__ import annotations

from collections.abc import Sequence

from microsoft_teams.cards import ActionSet, CardElement, Container, ExecuteAction

from handlers.teams.render.common import TOPIC_KEY, TOPIC_SUPPORT, Card, adaptive_card, md, text_block
from handlers.teams.render.parts import heading, note
from handlers.teams.render.replies_help import usage, word
from handlers.teams.render.topics import proposer, supporters
from handlers.teams.render.words import hint, side_label
from services.i18n import Command, Translator
from services.messages import TopicCard
from services.suggestions import SuggestionCard

# As many as Slack's list shows; the rest are counted (a card stays well under Teams' 28 KB).
TOPICS_SHOWN = 20


def _state(t: Translator, state: str) -> str:
    return {
        "proposed": t.gettext("proposed"),
        "scheduled": t.gettext("on a meeting's agenda"),
        "discussed": t.gettext("discussed"),
        "declined": t.gettext("declined"),
    }.get(state, state)


def support_action(t: Translator, card: TopicCard) -> ExecuteAction:
    """Support, carrying the topic's number only (the title stays out of the action's data)."""
    return ExecuteAction(title=t.gettext("Support"), verb=TOPIC_SUPPORT, data={TOPIC_KEY: card.number},
                         tooltip=t.gettext("Support topic {number}").format(number=card.number))


def _topic(t: Translator, card: TopicCard) -> Container:
    byline = " · ".join((
        t.gettext("by {person} ({side})").format(person=proposer(t, card),
                                                 side=side_label(t, card.proposer_side)),
        supporters(t, card),
        _state(t, card.state),
    ))
    return Container(separator=True, items=[
        text_block(f"**{card.number}. {md(card.title)}**"),
        note(byline),
        ActionSet(actions=[support_action(t, card)]),
    ])


def topic_list(t: Translator, cards: Sequence[TopicCard]) -> Card:
    """Open topics, most supported first, each with a Support button."""
    if not cards:
        line = t.gettext("No open topics yet. Propose one with {command}.").format(
            command=usage(word(t, "propose"), t.gettext("<title> [| <details>]")))
        return Card(text=line, card=adaptive_card([text_block(line)], fallback=line))
    title = t.ngettext("{count} open topic", "{count} open topics", len(cards)).format(count=len(cards))
    body: list[CardElement] = [heading(title)]
    body.extend(_topic(t, card) for card in cards[:TOPICS_SHOWN])
    if len(cards) > TOPICS_SHOWN:
        rest = len(cards) - TOPICS_SHOWN
        more = t.ngettext("…and {count} more with less support.", "…and {count} more with less support.",
                          rest)
        body.append(note(more.format(count=rest), separator=True))
    return Card(text=title, card=adaptive_card(body, fallback=title))


def proposal_confirmation(t: Translator, card: TopicCard, *, announced: bool) -> Card:
    """Told privately to the proposer."""
    line = t.gettext("Thanks! Your topic is number {number}: **{title}**.").format(
        number=card.number, title=md(card.title))
    more = (t.gettext("It is announced in the dialogue channel, where others can support it.") if announced
            else t.gettext("Others can support it with {command}.").format(
                command=hint(t, Command.SUPPORT, str(card.number))))
    return Card(text=f"{line} {more}")


def decline_confirmation(t: Translator, card: TopicCard) -> Card:
    """Told privately to the coordinator who declined a topic."""
    return Card(text=t.gettext("Topic {number} ({title}) is declined; its proposer is told why.").format(
        number=card.number, title=md(card.title)))


def suggestion_received(t: Translator, card: SuggestionCard) -> Card:
    """Told privately to whoever suggested an organisation."""
    return Card(text=t.gettext("Thank you. Your suggestion of **{organisation}** goes to the coordinators; "
                               "you will be told what they decide.").format(organisation=md(card.name)))
