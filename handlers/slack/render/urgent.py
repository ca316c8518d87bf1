"""Urgent meetings: the form that counts who will be invited, the coordinator's progress report
(who answered, who is silent, who cannot be reached) with its nudge button, and the nudge's answer."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DateTimePickerElement,
    InputBlock,
    MarkdownTextObject,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    UrlInputElement,
)

from handlers.slack import ids
from handlers.slack.render.audience import audience_phrase, no_contact_line
from handlers.slack.render.common import Rendered, dicts, modal, organisation_pickers, title_hint
from handlers.slack.render.meetings import answer_word, tally_line
from handlers.slack.render.roster_form import unreachable_note
from handlers.slack.text import code, escape, person, truncate
from services.i18n import Translator
from services.meetings import BACKGROUND_MAX, NudgeOutcome, UrgentForm
from services.meetings import TITLE_MAX as MEETING_TITLE_MAX
from services.messages import OrganisationReach, Unreachable, UrgentProgress

# Names listed per group in the report; the rest are counted (the report is one message).
NAMES_SHOWN = 40
FAILURES_SHOWN = 20


def _name(t: Translator, organisation: OrganisationReach) -> str:
    name = escape(organisation.name)
    observer = t.gettext("observer")
    return f"{name} _({observer})_" if organisation.observer else name


def _why(t: Translator, reason: Unreachable | None) -> str:
    """Why an organisation cannot be reached, in plain words."""
    if reason == Unreachable.NO_CONTACT:
        return t.gettext("no contact person")
    if reason == Unreachable.UNSUBSCRIBED:
        return t.gettext("its contacts asked for no more e-mail")
    return t.gettext("the invitation could not be delivered")


def _group(t: Translator, heading: str, entries: list[str]) -> Block:
    """One group as a section: its names as far as a section holds them, then how many more."""
    body = f"*{heading} ({len(entries)}):* "
    shown: list[str] = []
    for entry in entries[:NAMES_SHOWN]:
        # Room is kept for the "…and N more" line; a section holds 3,000 characters.
        if len(body) + sum(len(e) + 3 for e in shown) + len(entry) > 2800:
            break
        shown.append(entry)
    if len(shown) < len(entries):
        shown.append(t.gettext("…and {count} more.").format(count=len(entries) - len(shown)))
    return SectionBlock(text=MarkdownTextObject(text=truncate(body + " · ".join(shown), 3000)))


def urgent_progress(t: Translator, message: UrgentProgress, zone: ZoneInfo) -> Rendered:
    """The coordinator's live report on an urgent call, updated in place: the fan-out, then every
    organisation as answered, silent or unreachable, and a button to nudge the silent ones."""
    card = message.meeting
    head = t.gettext("Urgent call {title}: sent {sent} of {total}.").format(
        title=f"*{escape(card.title)}*", sent=message.sent, total=message.total)
    lines = [head]
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
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000)))]
    if message.answered:
        blocks.append(_group(t, t.gettext("Answered"), [
            f"{_name(t, o)}: {answer_word(t, o.answer)}" for o in message.answered]))
    if message.silent:
        blocks.append(_group(t, t.gettext("Silent, no answer yet"), [_name(t, o) for o in message.silent]))
    if message.unreachable:
        blocks.append(_group(t, t.gettext("Cannot be reached"), [
            f"{_name(t, o)}: {_why(t, o.unreachable)}" for o in message.unreachable]))
    if message.failed:
        # Who represents whom is for coordinators only: this report goes to the caller alone. An
        # e-mail contact is shown as their address, with the mail server's answer as the reason.
        failures = [f"• {person(f.person)}: `{code(f.reason)}`"
                    for f in message.failed[:FAILURES_SHOWN]]
        if len(message.failed) > FAILURES_SHOWN:
            failures.append(t.gettext("…and {count} more failed.").format(
                count=len(message.failed) - FAILURES_SHOWN))
        intro = t.gettext("Invitations that could not be delivered:")
        listed = truncate("\n".join([intro, *failures]), 3000)
        blocks.append(SectionBlock(text=MarkdownTextObject(text=listed)))
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=tally_line(t, card.tally))]))
    if message.open and message.silent_people:
        label = t.ngettext("Nudge the silent ones ({count} person)", "Nudge the silent ones ({count} people)",
                           message.silent_people).format(count=message.silent_people)
        blocks.append(ActionsBlock(block_id=f"urgent_nudge:{card.number}", elements=[
            ButtonElement(text=truncate(label, 75), action_id=ids.URGENT_NUDGE, value=str(card.number)),
        ]))
    return Rendered(head.replace("*", ""), dicts(blocks))


def nudge_confirmation(t: Translator, outcome: NudgeOutcome) -> Rendered:
    """Told privately to the coordinator who clicked the nudge button: how many were nudged."""
    if outcome.nudged:
        people = t.ngettext("{count} person", "{count} people", outcome.nudged).format(count=outcome.nudged)
        organisations = t.ngettext("{count} silent organisation", "{count} silent organisations",
                                   outcome.organisations).format(count=outcome.organisations)
        line = t.gettext("Nudged {people} in {organisations} about meeting {number} ({title}).").format(
            people=people, organisations=organisations, number=outcome.number, title=escape(outcome.title))
    elif outcome.recently:
        line = t.gettext("Nobody was nudged again: everyone silent in meeting {number} ({title}) had a nudge "
                         "less than {minutes} minutes ago.").format(
            number=outcome.number, title=escape(outcome.title), minutes=outcome.window_minutes)
    else:
        line = t.gettext("Nobody to nudge in meeting {number} ({title}): every organisation reached has "
                         "answered.").format(number=outcome.number, title=escape(outcome.title))
    if outcome.nudged and outcome.recently:
        line += " " + t.ngettext(
            "{count} more had a nudge less than {minutes} minutes ago and was left out.",
            "{count} more had a nudge less than {minutes} minutes ago and were left out.",
            outcome.recently).format(count=outcome.recently, minutes=outcome.window_minutes)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def urgent_modal(t: Translator, form: UrgentForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog urgent` with no text: who will be invited is counted live (by the
    rule the confirmation and the report count by), and organisations nobody speaks for are named."""
    choices = form.choices
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=":rotating_light: " + t.gettext(
            "Invitations go out at once, to the channel and to every contact, marked urgent."))),
        InputBlock(block_id=ids.SCHEDULE_TITLE, label=PlainTextObject(text=t.gettext("Title")),
                   hint=PlainTextObject(text=title_hint(t, MEETING_TITLE_MAX)),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION)),
        InputBlock(block_id=ids.SCHEDULE_START, label=PlainTextObject(text=t.gettext("Starts")),
                   element=DateTimePickerElement(action_id=ids.INPUT_ACTION,
                                                 initial_date_time=int(form.default_start.timestamp()))),
        InputBlock(block_id=ids.SCHEDULE_LINK, label=PlainTextObject(text=t.gettext("Meeting link")),
                   optional=True, hint=PlainTextObject(text=t.gettext("The video meeting's address, shown in "
                                                                      "every invitation.")),
                   element=UrlInputElement(action_id=ids.INPUT_ACTION)),
        InputBlock(block_id=ids.SCHEDULE_BACKGROUND, label=PlainTextObject(text=t.gettext("Background")),
                   optional=True, hint=PlainTextObject(text=t.gettext(
                       "What has happened, in a few lines: shown in every invitation.")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True,
                                                 max_length=BACKGROUND_MAX)),
    ]
    blocks.extend(organisation_pickers(t, choices.organisations, ids.URGENT_RECOUNT, recount=True))
    audience = form.audience
    count = t.gettext("Will invite {audience}.").format(audience=audience_phrase(t, audience))
    flagged = no_contact_line(t, audience.no_contact)
    blocks.append(ContextBlock(block_id=ids.URGENT_AUDIENCE_BLOCK, elements=[MarkdownTextObject(
        text=f"{count}\n{flagged}" if flagged else count)]))
    # No contact is flagged above and in the pickers; here, those whose contacts' messages failed
    # or who stopped e-mail.
    failed = [u for u in choices.unreachable if u.reason != Unreachable.NO_CONTACT]
    blocks.extend(unreachable_note(t, failed))
    title, submit = t.gettext("Urgent meeting"), t.gettext("Send now")
    return modal(t, ids.URGENT_VIEW, private_metadata, title, submit, blocks)
