"""Planning advice: missing perspectives, organisations worth inviting, the best times."""

from __future__ import annotations

from collections.abc import Sequence
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
from handlers.slack.text import escape, literal, slack_date, truncate
from services.i18n import Translator
from services.planning import Insights, Slot


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


def slot_list(t: Translator, slots: Sequence[Slot], zone: ZoneInfo) -> Rendered:
    """The best times for a meeting in the next three weeks."""
    if not slots:
        line = t.gettext("No free slot in office hours in the next three weeks.")
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    heading = t.gettext("Best times in the next three weeks, for the core organisations' preferences:")
    lines = [
        "• " + t.gettext("{when}: suits {suits} of {total}").format(
            when=slack_date(slot.starts_at, zone, t.language), suits=slot.suits, total=slot.organisations)
        for slot in slots
    ]
    usage = literal(t.gettext("Schedule one with `/dialog schedule <YYYY-MM-DD> <HH:MM> <title>`."))
    return Rendered(heading, dicts([
        SectionBlock(text=MarkdownTextObject(text=heading + "\n" + "\n".join(lines))),
        ContextBlock(elements=[MarkdownTextObject(text=usage)]),
    ]))
