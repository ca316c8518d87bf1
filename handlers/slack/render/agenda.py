"""A meeting's agenda: the form (topics and up to two talks) and its confirmation."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    UserSelectElement,
)

from handlers.slack import ids
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal, optional_text, organisation_pick
from handlers.slack.render.follow_up import follow_up_from_last_time
from handlers.slack.text import escape, mrkdwn, plain_text, slack_date, truncate
from services.enums import MeetingState
from services.i18n import Translator
from services.meetings import (
    AgendaForm,
    AgendaOutcome,
)
from services.messages import SpeakerTold


def agenda_confirmation(t: Translator, outcome: AgendaOutcome) -> Rendered:
    """Told privately to the coordinator after changing an agenda."""
    card = outcome.meeting
    talks = t.ngettext("{count} talk", "{count} talks", len(card.talks)).format(count=len(card.talks))
    topics = t.ngettext("{count} topic", "{count} topics", len(card.agenda)).format(count=len(card.agenda))
    floor = t.ngettext("{count} minute", "{count} minutes", card.open_floor_minutes).format(
        count=card.open_floor_minutes)
    line = t.gettext("The agenda of meeting {number} ({title}) is updated: {talks}, {topics}, "
                     "{minutes} of open floor.").format(
        number=card.number, title=escape(card.title), talks=talks, topics=topics, minutes=floor)
    blocks: list[Block] = [SectionBlock(text=MarkdownTextObject(text=line))]
    if outcome.warning is not None:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(
            text=":warning: " + mrkdwn(t, outcome.warning))]))
    return Rendered(line, dicts(blocks))


def speaker_told(t: Translator, message: SpeakerTold, zone: ZoneInfo) -> Rendered:
    """Told to a person picked as a talk's speaker: their talk, a change to it, or its removal."""
    card = message.meeting
    when = slack_date(card.starts_at, zone, t.language)
    if card.state == MeetingState.CANCELLED:
        line = t.gettext("Meeting {number} ({title}), {when}, where you had a talk, is cancelled.").format(
            number=card.number, title=escape(card.title), when=when)
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=f":no_entry: {line}"))]))
    if not message.talks:
        line = t.gettext("Your talk at meeting {number} ({title}), {when}, is taken off the agenda. Thank "
                         "you for being ready to speak.").format(number=card.number, title=escape(card.title),
                                                                 when=when)
        return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
    lines = [t.ngettext("You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        "You have a {count}-minute talk at meeting {number} ({title}), {when}: {subject}",
                        talk.minutes).format(count=talk.minutes, number=card.number, title=escape(card.title),
                                             when=when, subject=f"*{escape(talk.subject)}*")
             for talk in message.talks]
    if message.changed:
        lines.insert(0, t.gettext("Your talk has changed."))
    note = t.gettext("The talks open the meeting, before the open floor. The coordinator tells you here if "
                     "anything changes.")
    body = truncate("\n".join(lines), 3000)
    return Rendered(body.replace("*", ""), dicts([
        SectionBlock(text=MarkdownTextObject(text=body)),
        ContextBlock(elements=[MarkdownTextObject(text=note)]),
    ]))


def agenda_modal(t: Translator, form: AgendaForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog agenda <meeting-no>`: topics from the backlog and up to two talks."""
    card = form.meeting
    on_agenda = {number for number, _ in card.agenda}
    # What is on the agenda is always offered (and chosen), or saving would drop it.
    ordered = [*card.agenda, *((n, title) for n, title in form.topics if n not in on_agenda)]
    options = [Option(value=str(number), text=truncate(f"{number}. {plain_text(title)}", 75))
               for number, title in ordered[:OPTIONS_MAX]]
    chosen = [o for o in options if int(o.value) in on_agenda]
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t.gettext(
            "Meeting {number} ({title}) lasts {minutes} minutes: up to two short talks, then the open floor."
        ).format(number=card.number, title=escape(card.title), minutes=card.duration_minutes))),
        *follow_up_from_last_time(t, card.follow_up),
    ]
    if options:
        blocks.append(InputBlock(
            block_id=ids.AGENDA_TOPICS, label=PlainTextObject(text=t.gettext("Topics")), optional=True,
            element=StaticMultiSelectElement(action_id=ids.INPUT_ACTION, options=options,
                                             initial_options=chosen or None),
        ))
    org_options = [Option(value=name, text=truncate(plain_text(name), 75))
                   for name in form.organisations[:OPTIONS_MAX]]
    for n in range(1, 3):
        talk = card.talks[n - 1] if len(card.talks) >= n else None
        blocks.append(HeaderBlock(text=PlainTextObject(
            text=t.gettext("Talk {number}").format(number=n), emoji=False)))
        blocks.append(InputBlock(
            block_id=f"talk{n}_person", label=PlainTextObject(text=t.gettext("Speaker, picked as a person")),
            optional=True,
            hint=PlainTextObject(text=t.gettext("They are told about their talk, and again if it changes.")),
            element=UserSelectElement(action_id=ids.INPUT_ACTION,
                                      initial_user=talk.person.user_id if talk and talk.person else None)))
        blocks.append(optional_text(f"talk{n}_speaker", t.gettext("Speaker's name or role"), 120,
                                     talk.speaker if talk and talk.speaker else None))
        if org_options:
            blocks.append(organisation_pick(f"talk{n}_organisation", t.gettext("Organisation"), org_options,
                                             talk.organisation if talk else None))
        blocks.append(optional_text(f"talk{n}_subject", t.gettext("Subject"), 150,
                                     talk.subject if talk else None))
        blocks.append(InputBlock(
            block_id=f"talk{n}_minutes", label=PlainTextObject(text=t.gettext("Minutes")), optional=True,
            element=NumberInputElement(action_id=ids.INPUT_ACTION, is_decimal_allowed=False,
                                       min_value="1", max_value="60",
                                       initial_value=str(talk.minutes) if talk else "10")))
    title, submit = t.gettext("Agenda"), t.gettext("Save")
    return modal(t, ids.AGENDA_VIEW, private_metadata, title, submit, blocks)
