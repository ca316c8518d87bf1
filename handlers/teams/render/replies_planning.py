"""Planning advice in Teams: missing perspectives and organisations worth inviting under a planning
confirmation, the best times (`suggest`), and the coordinator's statistics."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import CardElement

from handlers.teams.render.common import Card, adaptive_card, md, text_block, truncate
from handlers.teams.render.parts import heading, note
from handlers.teams.render.replies_help import usage, word
from handlers.teams.render.words import hint, local_time, long_date, minutes_phrase
from services.enums import Side
from services.i18n import Command, Translator
from services.planning import Insights, SlotAdvice
from services.stats import OrganisationStats, Stats

SUGGESTIONS_SHOWN = 5
ORGANISATIONS_SHOWN = 25
MEETINGS_SHOWN = 5
BODY_KEY = "body"
ACTIONS_KEY = "actions"


def combinable(text: str, body: Sequence[CardElement], actions: Sequence[CardAction] = ()) -> Card:
    """A Card whose elements are kept (in `extras`), so that advice can be added under it."""
    return Card(text=truncate(text), card=adaptive_card(body, actions, fallback=text),
                extras={BODY_KEY: list(body), ACTIONS_KEY: list(actions)})


def perspective(t: Translator, key: str) -> str:
    """A perspective's key in words (an unknown key escaped, as stored)."""
    return {
        "gender-age": t.gettext("gender and age"),
        "country-background": t.gettext("country background"),
        "religion": t.gettext("religious communities"),
        "work-education": t.gettext("education, work and leisure"),
        "public-health": t.gettext("public health"),
    }.get(key, md(key))


def insight_elements(t: Translator, insights: Insights) -> list[CardElement]:
    """Advice shown to the coordinator under a planning confirmation: warnings, never blocks."""
    lines = []
    if insights.missing:
        missing = ", ".join(perspective(t, p) for p in insights.missing)
        lines.append("⚠️ " + t.gettext(
            "Perspectives not covered by the invited organisations: {missing}.").format(missing=missing))
    else:
        lines.append(t.gettext("Every perspective is covered by the invited organisations."))
    if insights.prefer_other_time:
        lines.append(t.ngettext(
            "{count} invited organisation prefers another time of day: {names}.",
            "{count} invited organisations prefer another time of day: {names}.",
            len(insights.prefer_other_time),
        ).format(count=len(insights.prefer_other_time),
                 names=", ".join(md(n) for n in insights.prefer_other_time)))
    elements: list[CardElement] = [note("\n\n".join(lines), separator=True)]
    for suggestion in insights.suggestions[:SUGGESTIONS_SHOWN]:
        # Slack has an Invite button here; Teams has no such action yet, so the command is shown.
        command = hint(t, Command.INVITE, str(insights.meeting_number), f'"{md(suggestion.organisation)}"')
        elements.append(text_block(t.gettext(
            "Worth inviting: **{organisation}** (matches {keywords}); invite it with {command}.").format(
                organisation=md(suggestion.organisation), keywords=md(", ".join(suggestion.keywords)),
                command=command)))
    return elements


def with_insights(card: Card, t: Translator, insights: Insights | None) -> Card:
    """A planning confirmation followed by the advice on the meeting, when the service gave any."""
    if insights is None:
        return card
    body: list[Any] = card.extras.get(BODY_KEY) or [text_block(card.text)]
    actions: list[Any] = card.extras.get(ACTIONS_KEY) or []
    return combinable(card.text, [*body, *insight_elements(t, insights)], actions)


def slot_list(t: Translator, advice: SlotAdvice, zone: ZoneInfo) -> Card:
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
        return Card(text=line, card=adaptive_card([text_block(line), note(rules)], fallback=line))
    title = t.gettext("Best times from {first} to {last}, for the core organisations' preferences:").format(
        first=first, last=last)
    lines = [
        "- " + t.gettext("{when}: suits {suits} of {total}").format(
            when=local_time(slot.starts_at, zone, t.language), suits=slot.suits, total=slot.organisations)
        for slot in advice.slots
    ]
    # The command reads the time in the meetings' zone, whatever zone the reader is in.
    how = t.gettext("Schedule one with {command} (the time in {zone}).").format(
        command=usage(word(t, "schedule"), t.gettext("<YYYY-MM-DD> <HH:MM> <title>")), zone=zone.key)
    body = [text_block(title), text_block("\n".join(lines)), note(rules), note(how)]
    return Card(text=title, card=adaptive_card(body, fallback=title))


def _percent(value: float) -> str:
    return f"{round(value * 100)} %"


def _organisation_row(t: Translator, o: OrganisationStats) -> str:
    name = f"**{md(o.name)}**"
    if o.side == Side.AGENCY:
        name += " " + t.gettext("(public agency)")
    if not o.invited:
        # No "0 of 0 (0 %)": an organisation not yet invited has no rate to show.
        return t.gettext("{name}: not invited to a meeting yet").format(name=name)
    answered = t.ngettext("{name}: answered {answered} of {invited} invitation ({rate})",
                          "{name}: answered {answered} of {invited} invitations ({rate})", o.invited).format(
        name=name, answered=o.answered, invited=o.invited, rate=_percent(o.answer_rate))
    if not o.held:
        return answered + "; " + t.gettext("no meeting held yet")
    return answered + ", " + t.ngettext("attended {attended} of {held} meeting held",
                                        "attended {attended} of {held} meetings held", o.held).format(
        attended=o.attended, held=o.held)


def stats_message(t: Translator, stats: Stats, zone: ZoneInfo) -> Card:
    """Participation, representation, proposals and answer times, privately for a coordinator."""
    def minutes(value: float | None) -> str:
        return "—" if value is None else minutes_phrase(t, round(value))

    title = t.gettext("Statistics")
    sides = t.gettext("Proposals: {city} from the city, {civil} from civil society, {agency} from public "
                      "agencies.").format(city=stats.proposals_by_side.get(Side.CITY, 0),
                                          civil=stats.proposals_by_side.get(Side.CIVIL_SOCIETY, 0),
                                          agency=stats.proposals_by_side.get(Side.AGENCY, 0))
    times = t.gettext("Median time to answer: regular meetings {regular}, urgent meetings {urgent}.").format(
        regular=minutes(stats.median_answer_minutes.get("regular")),
        urgent=minutes(stats.median_answer_minutes.get("urgent")))
    body: list[CardElement] = [heading(title), text_block(f"{sides}\n\n{times}")]
    ordered = sorted(stats.organisations, key=lambda o: (-o.invited, o.name))[:ORGANISATIONS_SHOWN]
    if ordered:
        body.append(text_block("\n".join("- " + _organisation_row(t, o) for o in ordered)))
    for meeting in stats.meetings[-MEETINGS_SHOWN:]:
        invited = ", ".join(perspective(t, p) for p in meeting.perspectives_invited) or "—"
        present = ", ".join(perspective(t, p) for p in meeting.perspectives_present) or "—"
        body.append(note(t.gettext(
            "Meeting {number} ({title}): perspectives invited: {invited}; present: {present}").format(
                number=meeting.number, title=md(meeting.title), invited=invited, present=present)))
    body.append(note(t.gettext("The full tables: .venv/bin/python bot.py stats export on the server (CSV; "
                               "--meetings per meeting, --proposals per side).")))
    return Card(text=title, card=adaptive_card(body, fallback=title))
