"""Planning advice: missing perspectives, organisations worth inviting, the best times."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts
from handlers.slack.text import escape, literal, long_date, slack_date, truncate
from services.i18n import Translator
from services.planning import Insights, SlotAdvice


def perspective(t: Translator, key: str) -> str:
    """A perspective's key in words."""
    return {
        "gender-age": t.gettext("gender and age"),
        "country-background": t.gettext("country background"),
        "religion": t.gettext("religious communities"),
        "work-education": t.gettext("education, work and leisure"),
        "public-health": t.gettext("public health"),
    }.get(key, escape(key))


def insight_blocks(t: Translator, insights: Insights) -> list[dict[str, Any]]:
    """Advice shown to the coordinator under a planning confirmation: warnings, never blocks."""
    lines = []
    if insights.missing:
        missing = ", ".join(perspective(t, p) for p in insights.missing)
        lines.append(":warning: " + t.gettext(
            "Perspectives not covered by the invited organisations: {missing}.").format(missing=missing))
    else:
        lines.append(t.gettext("Every perspective is covered by the invited organisations."))
    if insights.prefer_other_time:
        lines.append(t.ngettext(
            "{count} invited organisation prefers another time of day: {names}.",
            "{count} invited organisations prefer another time of day: {names}.",
            len(insights.prefer_other_time),
        ).format(count=len(insights.prefer_other_time),
                 names=", ".join(escape(n) for n in insights.prefer_other_time)))
    blocks: list[Block] = [ContextBlock(elements=[MarkdownTextObject(text=truncate("\n".join(lines), 3000))])]
    for n, suggestion in enumerate(insights.suggestions[:5]):
        line = t.gettext("Worth inviting: *{organisation}* (matches {keywords})").format(
            organisation=escape(suggestion.organisation), keywords=escape(", ".join(suggestion.keywords)))
        blocks.append(SectionBlock(
            block_id=f"suggest:{n}",
            text=MarkdownTextObject(text=line),
            accessory=ButtonElement(
                text=t.gettext("Invite"), action_id=ids.INVITE_SUGGESTED,
                value=f"{insights.meeting_number}|{suggestion.organisation}"),
        ))
    return dicts(blocks)


def with_insights(rendered: Rendered, t: Translator, insights: Insights | None) -> Rendered:
    """A planning confirmation followed by the advice on the meeting, when the service gave any."""
    if insights is None:
        return rendered
    return Rendered(rendered.text, rendered.blocks + insight_blocks(t, insights))


def slot_list(t: Translator, advice: SlotAdvice, zone: ZoneInfo) -> Rendered:
    """The best times for a meeting, over the three weeks `suggest` looked through."""
    first, last = long_date(advice.first_day, t.language), long_date(advice.last_day, t.language)
    rules = t.gettext("Only working days, and only times far enough ahead for the invitations to go out "
                      "on time.")
    if advice.afternoons:
        rules += " " + t.gettext("Some organisations prefer afternoons, so times until {until} are "
                                 "included.").format(until=advice.until.strftime("%H:%M"))
    if not advice.slots:
        line = t.gettext("No free slot in office hours from {first} to {last}.").format(
            first=first, last=last)
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line)),
                                     ContextBlock(elements=[MarkdownTextObject(text=rules)])]))
    heading = t.gettext("Best times from {first} to {last}, for the core organisations' preferences:").format(
        first=first, last=last)
    lines = [
        "• " + t.gettext("{when}: suits {suits} of {total}").format(
            when=slack_date(slot.starts_at, zone, t.language), suits=slot.suits, total=slot.organisations)
        for slot in advice.slots
    ]
    # The command reads the time in the meetings' zone, whatever zone the reader's Slack shows.
    usage = literal(t.gettext("Schedule one with `/dialog schedule <YYYY-MM-DD> <HH:MM> <title>` "
                              "(the time in {zone}).")).format(zone=zone.key)
    return Rendered(heading, dicts([
        SectionBlock(text=MarkdownTextObject(text=heading + "\n" + "\n".join(lines))),
        ContextBlock(elements=[MarkdownTextObject(text=f"{rules}\n{usage}")]),
    ]))
