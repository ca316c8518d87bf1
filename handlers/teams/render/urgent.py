"""An urgent call's progress report in Teams, for the coordinator who called it: the fan-out, every
organisation as answered, silent or unreachable, and a button that nudges the silent ones."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import CardElement, ExecuteAction

from handlers.teams.render.common import MEETING_KEY, URGENT_NUDGE, Card, md, text_block
from handlers.teams.render.meetings import tally
from handlers.teams.render.parts import bold, finish
from handlers.teams.render.words import answer_word, person_words
from services.i18n import Translator
from services.messages import Audience, OrganisationReach, Unreachable, UrgentProgress

# Names listed per group; the rest are counted (the report is one card, updated in place).
NAMES_SHOWN = 40
FAILURES_SHOWN = 20


def audience_phrase(t: Translator, audience: Audience) -> str:
    """`3 organisations and 4 people`, in the reader's language."""
    organisations = t.ngettext("{count} organisation", "{count} organisations",
                               audience.organisations).format(count=audience.organisations)
    people = t.ngettext("{count} person", "{count} people", audience.people).format(count=audience.people)
    return t.gettext("{organisations} and {people}").format(organisations=organisations, people=people)


def _name(t: Translator, organisation: OrganisationReach) -> str:
    name = md(organisation.name)
    observer = t.gettext("observer")
    return f"{name} _({observer})_" if organisation.observer else name


def _why(t: Translator, reason: Unreachable | None) -> str:
    if reason == Unreachable.NO_CONTACT:
        return t.gettext("no contact person")
    if reason == Unreachable.UNSUBSCRIBED:
        return t.gettext("its contacts asked for no more e-mail")
    return t.gettext("the invitation could not be delivered")


def _group(t: Translator, title: str, entries: list[str]) -> list[CardElement]:
    shown = entries[:NAMES_SHOWN]
    if len(entries) > len(shown):
        shown.append(t.gettext("…and {count} more.").format(count=len(entries) - len(shown)))
    return [bold(f"{title} ({len(entries)})"), text_block(" · ".join(shown), spacing="None")]


def urgent_progress(t: Translator, message: UrgentProgress, zone: ZoneInfo) -> Card:
    """The coordinator's live report on an urgent call, updated in place."""
    card = message.meeting
    head = t.gettext("Urgent call {title}: sent {sent} of {total}.")
    lines = [head.format(title=f"**{md(card.title)}**", sent=message.sent, total=message.total)]
    if message.audience is not None:
        lines.append(t.gettext("Invited: {audience}.").format(audience=audience_phrase(t, message.audience)))
    if message.done:
        lines.append(t.gettext("Done. Delivered: {sent} · Failed: {failed}.").format(
            sent=message.sent, failed=len(message.failed)))
        if message.skipped:
            lines.append(t.gettext("Not sent, no longer relevant: {count}.").format(count=message.skipped))
    elif message.sending:
        lines.append(t.ngettext("Still being sent to {count} organisation.",
                                "Still being sent to {count} organisations.", message.sending).format(
            count=message.sending))
    body: list[CardElement] = [text_block("🚨 **" + t.gettext("Urgent dialogue meeting") + "**",
                                          color="Attention"),
                               text_block("\n\n".join(lines))]
    if message.answered:
        body += _group(t, t.gettext("Answered"),
                       [f"{_name(t, o)}: {answer_word(t, o.answer)}" for o in message.answered])
    if message.silent:
        body += _group(t, t.gettext("Silent, no answer yet"), [_name(t, o) for o in message.silent])
    if message.unreachable:
        body += _group(t, t.gettext("Cannot be reached"),
                       [f"{_name(t, o)}: {_why(t, o.unreachable)}" for o in message.unreachable])
    if message.failed:
        # Who represents whom is for coordinators only: this report goes to the caller alone.
        failures = [f"- {person_words(t, f.person)}: {md(f.reason)}" for f in message.failed[:FAILURES_SHOWN]]
        if len(message.failed) > FAILURES_SHOWN:
            failures.append(t.gettext("…and {count} more failed.").format(
                count=len(message.failed) - FAILURES_SHOWN))
        body += [bold(t.gettext("Invitations that could not be delivered:")),
                 text_block("\n".join(failures), spacing="None")]
    body.append(tally(t, card))
    actions: list[CardAction] = []
    if message.open and message.silent_people:
        label = t.ngettext("Nudge the silent ones ({count} person)", "Nudge the silent ones ({count} people)",
                           message.silent_people).format(count=message.silent_people)
        actions.append(ExecuteAction(title=label, verb=URGENT_NUDGE, data={MEETING_KEY: card.number}))
    text = head.format(title=md(card.title), sent=message.sent, total=message.total)
    return finish(text, body, actions)
