"""Topics in Teams: the channel announcement with its Support button, and the proposer's news."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_teams.cards import ExecuteAction

from handlers.teams.render.common import TOPIC_KEY, TOPIC_SUPPORT, Card, md, text_block, truncate
from handlers.teams.render.parts import bold, finish, note, paragraphs
from handlers.teams.render.words import hint, local_time, person_words, side_label
from services.i18n import Command, Translator
from services.messages import TopicAnnouncement, TopicCard, TopicChanged

DETAILS_SHOWN = 2500


def proposer(t: Translator, card: TopicCard) -> str:
    """Who proposed a topic, as the service lets this reader see it (markdown): their organisation
    where there is one (the services leave the person out wherever they may not be tied to it)."""
    if card.proposer_organisation:
        return md(card.proposer_organisation)
    return person_words(t, card.proposer)


def supporters(t: Translator, card: TopicCard) -> str:
    """`3 supporters from 2 organisations`."""
    people = t.ngettext("{count} supporter", "{count} supporters", card.supporters).format(
        count=card.supporters)
    if card.supporting_organisations:
        people += " " + t.ngettext("from {count} organisation", "from {count} organisations",
                                   card.supporting_organisations).format(count=card.supporting_organisations)
    return people


def topic_announcement(t: Translator, message: TopicAnnouncement) -> Card:
    """The channel post for a new proposal: its supporters (updated in place) and a Support button."""
    card = message.topic
    intro = t.gettext("New topic proposed for the dialogue meetings")
    title = f"{card.number}. {md(card.title)}"
    body = [bold(intro), text_block(f"**{title}**", size="Medium")]
    if card.details:
        body.append(text_block(paragraphs(truncate(card.details, DETAILS_SHOWN))))
    byline = t.gettext("Proposed by {person} ({side}) · {supporters}").format(
        person=proposer(t, card), side=side_label(t, card.proposer_side), supporters=supporters(t, card))
    body.append(note(byline, id="supporters"))
    body.append(note(t.gettext("Support it with the button or with {command}.").format(
        command=hint(t, Command.SUPPORT, str(card.number)))))
    support = ExecuteAction(title=t.gettext("Support"), verb=TOPIC_SUPPORT, data={TOPIC_KEY: card.number},
                            tooltip=t.gettext("Support topic {number}").format(number=card.number))
    return finish(f"{intro}: {title}", body, [support])


def topic_changed(t: Translator, message: TopicChanged, zone: ZoneInfo) -> Card:
    """Told to a topic's proposer each time it moves."""
    topic, meeting = message.topic, message.meeting

    def line(name: str) -> str:
        if message.change == "scheduled" and meeting is not None:
            return t.gettext(
                "Your topic {topic} is on the agenda of meeting {number} ({title}), {when}.").format(
                topic=name, number=meeting.number, title=md(meeting.title),
                when=local_time(meeting.starts_at, zone, t.language))
        if message.change == "unscheduled" and meeting is not None:
            return t.gettext("Meeting {number} ({title}) will not discuss your topic {topic} after all; "
                             "it is back among the proposals.").format(
                topic=name, number=meeting.number, title=md(meeting.title))
        if message.change == "discussed" and meeting is not None:
            return t.gettext("Your topic {topic} was discussed at meeting {number} ({title}). The minutes "
                             "are in the channel.").format(topic=name, number=meeting.number,
                                                           title=md(meeting.title))
        return t.gettext("Your topic {topic} was declined. The reason given: {reason}").format(
            topic=name, reason=md(topic.state_reason or "—"))

    name = f"{topic.number}. {md(topic.title)}"
    return finish(line(name), [text_block(line(f"**{name}**"))])
