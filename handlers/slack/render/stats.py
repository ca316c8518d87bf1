"""`/dialog stats`, privately for a coordinator."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack.render.common import Rendered, dicts
from handlers.slack.render.planning import perspective
from handlers.slack.text import escape, truncate
from services.enums import Side
from services.i18n import Translator
from services.stats import Stats


def stats_message(t: Translator, stats: Stats, zone: ZoneInfo) -> Rendered:
    """Participation, representation, proposals and answer times, privately for a coordinator."""
    def percent(value: float) -> str:
        return f"{round(value * 100)} %"

    def minutes(value: float | None) -> str:
        return "—" if value is None else t.ngettext("{count} minute", "{count} minutes", round(value)).format(
            count=round(value))

    heading = t.gettext("Statistics")
    sides = t.gettext("Proposals: {city} from the city, {civil} from civil society, {agency} from public "
                      "agencies.").format(city=stats.proposals_by_side.get(Side.CITY, 0),
                                          civil=stats.proposals_by_side.get(Side.CIVIL_SOCIETY, 0),
                                          agency=stats.proposals_by_side.get(Side.AGENCY, 0))
    times = t.gettext("Median time to answer: regular meetings {regular}, urgent meetings {urgent}.").format(
        regular=minutes(stats.median_answer_minutes.get("regular")),
        urgent=minutes(stats.median_answer_minutes.get("urgent")))
    def row(o: Any) -> str:
        # No "0 of 0 (0 %)": an organisation not yet invited has no rate to show.
        name = f"*{escape(o.name)}*"
        if o.side == Side.AGENCY:
            name += " " + t.gettext("(public agency)")
        if not o.invited:
            return t.gettext("{name}: not invited to a meeting yet").format(name=name)
        answered = t.ngettext("{name}: answered {answered} of {invited} invitation ({rate})",
                              "{name}: answered {answered} of {invited} invitations ({rate})",
                              o.invited).format(
            name=name, answered=o.answered, invited=o.invited, rate=percent(o.answer_rate))
        if not o.held:
            return answered + "; " + t.gettext("no meeting held yet")
        return answered + ", " + t.ngettext("attended {attended} of {held} meeting held",
                                            "attended {attended} of {held} meetings held", o.held).format(
            attended=o.attended, held=o.held)

    rows = ["• " + row(o) for o in sorted(stats.organisations, key=lambda o: (-o.invited, o.name))[:25]]
    blocks: list[Block] = [
        HeaderBlock(text=PlainTextObject(text=heading, emoji=False)),
        SectionBlock(text=MarkdownTextObject(text=f"{sides}\n{times}")),
    ]
    if rows:
        blocks.append(SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(rows), 3000))))
    for meeting in stats.meetings[-5:]:
        invited = ", ".join(perspective(t, p) for p in meeting.perspectives_invited) or "—"
        present = ", ".join(perspective(t, p) for p in meeting.perspectives_present) or "—"
        line = t.gettext("Meeting {number} ({title}): perspectives invited: {invited}; present: {present}")
        line = line.format(number=meeting.number, title=escape(meeting.title), invited=invited,
                           present=present)
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=truncate(line, 3000))]))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
        "The full tables: `.venv/bin/python bot.py stats export` (CSV; `--meetings` per meeting, "
        "`--proposals` per side)."))]))
    return Rendered(heading, dicts(blocks))
