"""The App Home tab."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from handlers.slack import ids
from handlers.slack.render.follow_up import home_follow_up
from handlers.slack.render.languages import language_picker
from handlers.slack.render.meetings import answer_word, rsvp_buttons, tally_line, when_and_length
from handlers.slack.render.planning import insight_blocks
from handlers.slack.render.roster_form import roster_home_blocks
from handlers.slack.render.suggestions import suggest_button_blocks, suggestion_home_blocks
from handlers.slack.render.topics import proposer
from handlers.slack.text import escape, literal, person, truncate
from services.home import HomeView
from services.i18n import Translator
from services.reachability import Undelivered


def home_view(t: Translator, home: HomeView, zone: ZoneInfo,
              notice: Sequence[dict[str, Any]] = ()) -> dict[str, Any]:
    """The App Home tab: meetings with answer buttons, topics to support, follow-up points; and for
    coordinators, the next meeting's answers and gaps, and new proposals. `notice`: blocks on top
    saying what a click on the tab just did."""
    def header(label: str) -> HeaderBlock:
        return HeaderBlock(text=PlainTextObject(text=label, emoji=False))

    blocks: list[Block] = [header(t.gettext("Dialogue meetings"))]
    blocks.extend(Block.parse(b) for b in notice)
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
        status = (t.gettext("Your answer: {answer}").format(answer=answer_word(t, item.answer))
                  if item.invited else t.gettext("You are not on the invitation list."))
        blocks.append(SectionBlock(block_id=f"meeting:{card.number}", text=MarkdownTextObject(
            text=f"*{card.number}. {escape(card.title)}*\n{when_and_length(t, card, zone)}\n{status}")))
        if item.invited:
            blocks.append(rsvp_buttons(t, card.number))
    # Points still to do, each with one-click status buttons.
    blocks.extend(home_follow_up(t, home.follow_up))
    if home.coordinator and home.new_proposals:
        blocks.append(header(t.gettext("New proposals")))
        proposals = [f"• *{c.number}. {escape(c.title)}* ({proposer(c)})"
                     for c in home.new_proposals[:10]]
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(proposals), 3000))))
    if home.coordinator and home.undelivered:
        blocks.append(header(t.gettext("Could not be delivered")))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(
            undelivered_line(t, item) for item in home.undelivered), 3000))))
    if home.coordinator:
        blocks.extend(suggestion_home_blocks(t, home.suggestions))
        blocks.extend(roster_home_blocks(t, home.organisations))
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
    # The language picker last, and always there however long the page, after a way to suggest
    # an organisation.
    chooser = suggest_button_blocks(t) + language_picker(t)
    return View(type="home", blocks=blocks[:100 - len(chooser)] + chooser).to_dict()


def undelivered_line(t: Translator, item: Undelivered) -> str:
    """One contact the bot could not write to: who, for whom, why (the server's words), where."""
    line = t.gettext("• {person} ({organisations}): {reason}").format(
        person=person(item.person), organisations=escape(", ".join(item.organisations)),
        reason=escape(item.reason or t.gettext("no reason given")))
    if item.meeting_number is not None:
        line += " " + t.gettext("(meeting {number})").format(number=item.meeting_number)
    return line
