"""Topics: the channel announcement, the list with Support buttons, the proposal form and the
proposer's confirmations."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts, title_hint
from handlers.slack.text import escape, literal, mention, slack_date, truncate
from services.enums import Side
from services.i18n import Translator
from services.messages import (
    TopicAnnouncement,
    TopicCard,
    TopicChanged,
)
from services.topics import DETAILS_MAX, TITLE_MAX

# Slack allows 50 blocks a message; the topic list keeps room for its header and footer.
TOPICS_SHOWN = 20


SECTION_LIMIT = 3000


def side_label(t: Translator, side: Side) -> str:
    """How a side reads in a byline: the city, civil society or a public agency."""
    return {
        Side.CITY: t.gettext("city"),
        Side.CIVIL_SOCIETY: t.gettext("civil society"),
        Side.AGENCY: t.gettext("public agency"),
    }[side]


def proposer(card: TopicCard) -> str:
    """Who proposed a topic, as the service lets this reader see it: the person where they may be
    named, else their organisation (never both, except in a coordinator's private view)."""
    if card.proposer is not None:
        return mention(card.proposer.user_id)
    return escape(card.proposer_organisation or "")


def _side(t: Translator, card: TopicCard) -> str:
    side = side_label(t, card.proposer_side)
    if card.proposer is not None and card.proposer_organisation:
        return f"{side} · {escape(card.proposer_organisation)}"
    return side


def _supporters(t: Translator, card: TopicCard) -> str:
    people = t.ngettext("{count} supporter", "{count} supporters", card.supporters).format(
        count=card.supporters
    )
    if card.supporting_organisations:
        people += " " + t.ngettext(
            "from {count} organisation", "from {count} organisations", card.supporting_organisations
        ).format(count=card.supporting_organisations)
    return people


def _state(t: Translator, state: str) -> str:
    return {
        "proposed": t.gettext("proposed"),
        "scheduled": t.gettext("on a meeting's agenda"),
        "discussed": t.gettext("discussed"),
        "declined": t.gettext("declined"),
    }.get(state, state)


def _support_button(t: Translator, card: TopicCard) -> ButtonElement:
    return ButtonElement(
        text=t.gettext("Support"),
        action_id=ids.TOPIC_SUPPORT,
        value=str(card.number),
        # The number only: the title sits right beside it, and raw user text stays out of payloads.
        accessibility_label=t.gettext("Support topic {number}").format(number=card.number),
    )


def _topic_text(card: TopicCard, *, with_details: bool) -> str:
    body = f"*{card.number}. {escape(card.title)}*"
    if with_details and card.details:
        room = SECTION_LIMIT - len(body) - 2
        body += "\n" + truncate(escape(card.details), room)
    return body


def topic_announcement(t: Translator, message: TopicAnnouncement) -> Rendered:
    """The channel post for a new proposal, with its supporter count and a Support button."""
    card = message.topic
    intro = t.gettext("New topic proposed for the dialogue meetings")
    byline = t.gettext("Proposed by {person} ({side}) · {supporters}").format(
        person=proposer(card), side=_side(t, card), supporters=_supporters(t, card)
    )
    how = t.gettext("Support it with the button or `/dialog support {number}`.").format(
        number=card.number
    )
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=f"*{intro}*")),
        SectionBlock(
            block_id=f"topic:{card.number}",
            text=MarkdownTextObject(text=_topic_text(card, with_details=True)),
            accessory=_support_button(t, card),
        ),
        ContextBlock(elements=[MarkdownTextObject(text=byline), MarkdownTextObject(text=how)]),
    ]
    fallback = f"{intro}: {card.number}. {escape(card.title)}"
    return Rendered(fallback, dicts(blocks))


def topic_list(t: Translator, cards: Sequence[TopicCard]) -> Rendered:
    """Open topics, most supported first, each with a Support button."""
    if not cards:
        line = literal(t.gettext(
            "No open topics yet. Propose one with `/dialog propose <title> | <details>`."
        ))
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    heading = t.ngettext("{count} open topic", "{count} open topics", len(cards)).format(
        count=len(cards)
    )
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=heading, emoji=False))]
    for card in cards[:TOPICS_SHOWN]:
        blocks.append(
            SectionBlock(
                block_id=f"topic:{card.number}",
                text=MarkdownTextObject(text=_topic_text(card, with_details=False)),
                accessory=_support_button(t, card),
            )
        )
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=" · ".join(
                            (
                                t.gettext("by {person} ({side})").format(
                                    person=proposer(card), side=_side(t, card)
                                ),
                                _supporters(t, card),
                                _state(t, card.state),
                            )
                        )
                    )
                ]
            )
        )
    if len(cards) > TOPICS_SHOWN:
        rest = len(cards) - TOPICS_SHOWN
        blocks.append(DividerBlock())
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=t.ngettext(
                            "…and {count} more with less support.",
                            "…and {count} more with less support.",
                            rest,
                        ).format(count=rest)
                    )
                ]
            )
        )
    return Rendered(heading, dicts(blocks))


def proposal_confirmation(t: Translator, card: TopicCard, *, announced: bool) -> Rendered:
    """Told privately to the proposer."""
    line = t.gettext("Thanks! Your topic is number {number}: *{title}*.").format(
        number=card.number, title=escape(card.title)
    )
    more = (
        t.gettext("It is announced in the dialogue channel, where others can support it.")
        if announced
        else t.gettext("Others can support it with `/dialog support {number}`.").format(
            number=card.number
        )
    )
    return Rendered(f"{line} {more}", dicts([SectionBlock(text=MarkdownTextObject(text=f"{line}\n{more}"))]))


def support_confirmation(t: Translator, card: TopicCard, *, added: bool) -> Rendered:
    """Told privately to the supporter."""
    template = (
        t.gettext("You now support topic {number}: *{title}*. {supporters} in all.")
        if added
        else t.gettext("You already support topic {number}: *{title}*. {supporters} in all.")
    )
    line = template.format(
        number=card.number, title=escape(card.title), supporters=_supporters(t, card)
    )
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def decline_confirmation(t: Translator, card: TopicCard) -> Rendered:
    """Told privately to the coordinator who declined a topic."""
    line = t.gettext("Topic {number} ({title}) is declined; its proposer is told why.").format(
        number=card.number, title=escape(card.title))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def propose_modal(t: Translator, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog propose` with no text."""
    view = View(
        type="modal",
        callback_id=ids.PROPOSE_VIEW,
        private_metadata=private_metadata,
        title=PlainTextObject(text=truncate(t.gettext("Propose a topic"), 24)),
        submit=PlainTextObject(text=t.gettext("Propose")),
        close=PlainTextObject(text=t.gettext("Cancel")),
        blocks=[
            SectionBlock(
                text=MarkdownTextObject(
                    text=t.gettext(
                        "Everyone at the table proposes topics: the city, civil society and public "
                        "agencies. Your proposal is announced in the dialogue channel, where others "
                        "can support it."
                    )
                )
            ),
            InputBlock(
                block_id=ids.PROPOSE_TITLE_BLOCK,
                label=PlainTextObject(text=t.gettext("Title")),
                # No max_length: a client would cut a pasted title silently; the service refuses it
                # with its length instead, and the hint says the limit up front.
                element=PlainTextInputElement(
                    action_id=ids.INPUT_ACTION,
                    placeholder=PlainTextObject(text=t.gettext("e.g. Housing for refugee families")),
                ),
                hint=PlainTextObject(text=title_hint(t, TITLE_MAX)),
            ),
            InputBlock(
                block_id=ids.PROPOSE_DETAILS_BLOCK,
                label=PlainTextObject(text=t.gettext("Details")),
                optional=True,
                element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True),
                hint=PlainTextObject(text=t.gettext(
                    "Why it matters, and who should take part. Up to {max} characters.").format(
                        max=DETAILS_MAX)),
            ),
        ],
    )
    return view.to_dict()


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
