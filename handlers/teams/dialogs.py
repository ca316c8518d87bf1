"""The forms in Teams: dialogs (task modules) built from Adaptive Cards, opened by a button
(`task/fetch`) and answered on submission (`task/submit`).

The forms are Slack's modals, with the same services behind them: the service's data fills the
card, what was typed is read here into the service's inputs, and the service validates. A refused
submission answers with the same form, everything typed kept and each error under its field; a
refusal no form can fix (not a coordinator, no such meeting) is said in a message. The urgent
form's count of who will be notified is recounted by a button inside the dialog.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from microsoft_teams.cards import SubmitAction

from handlers.teams.context import TeamsDeps
from handlers.teams.dialogs_reading import (
    agenda_input,
    decimal,
    minutes_input,
    multi,
    number_of,
    proposal_input,
    schedule_input,
    values_of,
)
from handlers.teams.render import replies
from handlers.teams.render.common import CARD_CONTENT_TYPE, MEETING_KEY, md
from handlers.teams.render.forms import (
    AGENDA,
    BACKGROUND,
    CHAIR,
    DATE,
    DETAILS,
    DURATION,
    FORM_KEY,
    GENERAL,
    MINUTES,
    OBSERVERS,
    ORGANISATIONS,
    PROPOSE,
    RECOUNT_KEY,
    SCHEDULE,
    TIME,
    TITLE,
    TOPICS,
    URGENT,
    VIDEO_LINK,
    Dialog,
    Values,
    propose_form,
    schedule_form,
    urgent_form,
)
from handlers.teams.render.forms_meeting import (
    DECISIONS,
    SUMMARY,
    agenda_form,
    item_id,
    minutes_confirmation,
    minutes_form,
    talk_id,
)
from handlers.teams.render.replies_help import word
from handlers.teams.replies import error_text
from services.errors import DomainError, Field, FieldRef, field_errors, raise_field_errors
from services.i18n import N_, Text, Translator, text
from services.people import Actor
from services.timeutil import parse_date, parse_time

FORMS = (PROPOSE, SCHEDULE, URGENT, AGENDA, MINUTES)
_FOR_A_MEETING = (AGENDA, MINUTES)

# Where each form shows an error on a field the services name (anything else: at the top).
_MEETING_FIELDS = {
    Field.TITLE: TITLE,
    Field.STARTS_AT: TIME,  # under the date and the time, which stand together
    Field.DURATION: DURATION,
    Field.VIDEO_LINK: VIDEO_LINK,
    Field.BACKGROUND: BACKGROUND,
    Field.CHAIR: CHAIR,
    Field.TOPICS: TOPICS,
    Field.ORGANISATIONS: ORGANISATIONS,
}
_FIELDS: dict[str, dict[Field, str]] = {
    PROPOSE: {Field.TITLE: TITLE, Field.DETAILS: DETAILS},
    SCHEDULE: _MEETING_FIELDS,
    URGENT: _MEETING_FIELDS,
    AGENDA: {Field.TITLE: talk_id(1, "speaker"), Field.TALKS: talk_id(1, "speaker"), Field.TOPICS: TOPICS},
    MINUTES: {Field.SUMMARY: SUMMARY, Field.DECISIONS: DECISIONS},
}
# The dialog's size in Teams; the open button's title.
_TITLES = {PROPOSE: N_("Propose a topic"), SCHEDULE: N_("Schedule a meeting"), URGENT: N_("Urgent meeting"),
           AGENDA: N_("Agenda"), MINUTES: N_("Meeting minutes")}


def open_action(t: Translator, form: str, *, meeting: int | None = None) -> SubmitAction:
    """The button that opens the dialog `form` (for `meeting`), as a card model."""
    data: dict[str, Any] = {"msteams": {"type": "task/fetch"}, FORM_KEY: form}
    if meeting is not None:
        data[MEETING_KEY] = meeting
    return SubmitAction(title=t.gettext(_TITLES.get(form, N_("Open"))), data=data)


def open_button(t: Translator, form: str, *, meeting: int | None = None) -> dict[str, Any]:
    """The button that opens the dialog `form` (for `meeting`): an Adaptive Card Action.Submit
    whose data asks Teams for `task/fetch`."""
    return open_action(t, form, meeting=meeting).model_dump(by_alias=True, exclude_none=True)


def fetch(deps: TeamsDeps, actor: Actor, t: Translator, data: dict[str, Any]) -> dict[str, Any]:
    """The answer to `task/fetch`: the form asked for, filled from the services, or why not."""
    form = data.get(FORM_KEY)
    if form not in FORMS:
        return _message(replies_unknown(t))
    meeting = number_of(data, MEETING_KEY)
    if form in _FOR_A_MEETING and not meeting:
        return _message(_no_meeting(t, str(form)))
    try:
        return _continue(_render(deps, actor, t, str(form), meeting, {}, {}))
    except DomainError as error:
        # Not a coordinator, no such meeting, minutes not due yet: said, there is no form to fix.
        return _message(error_text(t, error))


def submit(deps: TeamsDeps, actor: Actor, t: Translator, data: dict[str, Any]) -> dict[str, Any]:
    """The answer to `task/submit`: the service called, and its confirmation; or the same form again
    with what was typed and the errors; or the urgent form recounted."""
    form = data.get(FORM_KEY)
    if form not in FORMS:
        return _message(replies_unknown(t))
    form = str(form)
    meeting = number_of(data, MEETING_KEY)
    if form in _FOR_A_MEETING and not meeting:
        return _message(_no_meeting(t, form))
    values = values_of(data)
    if form == URGENT and data.get(RECOUNT_KEY) is True:
        return _recount(deps, actor, t, values)
    try:
        confirmation = _APPLY[form](deps, actor, t, meeting, values)
    except DomainError as error:
        return _again(deps, actor, t, form, meeting, values, error)
    return _message(confirmation)


# -- the answers ------------------------------------------------------------------------


def _continue(dialog: Dialog) -> dict[str, Any]:
    return {"task": {"type": "continue", "value": {
        "title": dialog.title, "width": dialog.width, "height": dialog.height,
        "card": {"contentType": CARD_CONTENT_TYPE, "content": dialog.card},
    }}}


def _message(line: str) -> dict[str, Any]:
    return {"task": {"type": "message", "value": line}}


def replies_unknown(t: Translator) -> str:
    """A dialog the bot does not know (an old card, or tampered data)."""
    return t.render(text(N_("That form is not one the bot knows any more. Write help to the bot to see "
                            "what it can do.")))


def _no_meeting(t: Translator, form: str) -> str:
    placeholder = t.gettext("<meeting-no>")
    command = f"{word(t, form)} {placeholder}"
    return t.render(text(N_("This form names no meeting the bot knows. Open it again by writing {command} "
                            "to the bot."), command=command))


def _render(deps: TeamsDeps, actor: Actor, t: Translator, form: str, meeting: int, values: Values,
            errors: Mapping[str, str]) -> Dialog:
    """The form `form`, filled from its service, with `values` kept and `errors` shown."""
    meetings = deps.services.meetings
    if form == PROPOSE:
        return propose_form(t, values, errors)
    if form == SCHEDULE:
        return schedule_form(t, meetings.schedule_form(actor), deps.zone, values, errors)
    if form == URGENT:
        try:
            counted = meetings.urgent_form(actor, multi(values, ORGANISATIONS) + multi(values, OBSERVERS))
        except DomainError:
            # An organisation gone from the roster (or a forged name): counted without the pick.
            counted = meetings.urgent_form(actor)
        return urgent_form(t, counted, deps.zone, values, errors)
    if form == AGENDA:
        return agenda_form(t, meetings.agenda_form(actor, meeting), values, errors)
    return minutes_form(t, deps.services.minutes.form(actor, meeting), values, errors)


def _again(deps: TeamsDeps, actor: Actor, t: Translator, form: str, meeting: int, values: Values,
           error: DomainError) -> dict[str, Any]:
    """The same form with what was typed and each error under its field; if the form itself is
    refused (the person may not use it), the refusal as a message."""
    place = _placement(form, values)
    errors: dict[str, str] = {}
    for ref, message in field_errors(error).items():
        key = place(ref)
        line = t.render(message, escape=md)
        errors[key] = f"{errors[key]} {line}" if key in errors else line
    try:
        return _continue(_render(deps, actor, t, form, meeting, values, errors))
    except DomainError:
        return _message(error_text(t, error))


def _placement(form: str, values: Values) -> Callable[[FieldRef], str]:
    """Where `form` shows an error on `ref`: its input's id, or GENERAL."""
    table = _FIELDS.get(form, {})
    if form == AGENDA:
        rows = agenda_input(values).rows
    elif form == MINUTES:
        rows = tuple(row for row, _ in minutes_input(values).items)
    else:
        rows = ()

    def row_of(ref: FieldRef) -> int:
        # The services count the rows given to them; the form's row of each is kept.
        position = ref.row or 1
        return rows[position - 1] if 0 < position <= len(rows) else (rows[0] if rows else 1)

    def place(ref: FieldRef) -> str:
        if ref.field is None:
            return GENERAL
        if form == AGENDA and ref.field in (Field.TALK, Field.TALK_MINUTES):
            return talk_id(row_of(ref), "minutes" if ref.field == Field.TALK_MINUTES else "speaker")
        if form == MINUTES and ref.field in (Field.ACTION_ITEM, Field.ACTION_ITEMS):
            return item_id(row_of(ref))
        return table.get(ref.field, GENERAL)

    return place


def _recount(deps: TeamsDeps, actor: Actor, t: Translator, values: Values) -> dict[str, Any]:
    """The urgent form again, everything kept, with who the pick reaches counted afresh (a read:
    nothing is sent or stored)."""
    try:
        return _continue(_render(deps, actor, t, URGENT, 0, values, {}))
    except DomainError as error:
        return _message(error_text(t, error))


# -- the submissions ----------------------------------------------------------------------


def _propose(deps: TeamsDeps, actor: Actor, t: Translator, meeting: int, values: Values) -> str:
    typed = proposal_input(values)
    card = deps.services.topics.propose(actor, typed.title, typed.details)
    return replies.proposal_confirmation(t, card, announced=True).text


def _start(deps: TeamsDeps, values: Values) -> tuple[datetime | None, dict[FieldRef | Field, Text]]:
    """The start typed (a date and a time in the meetings' zone), or None and why."""
    day, at = values.get(DATE, "").strip(), values.get(TIME, "").strip()
    if not day or not at:
        return None, {}  # the service's own "Pick a date and time."
    # Some clients send the seconds too.
    at = at[:5] if len(at) == 8 and at[2] == ":" and at[5] == ":" else at
    try:
        return deps.services.meetings.local_start(parse_date(day), parse_time(at)), {}
    except DomainError as error:
        return None, dict(field_errors(error))


def _checked(deps: TeamsDeps, values: Values, *, background: str | None) -> tuple[datetime, int]:
    """The start and length, every field checked before any is refused (the form shows all)."""
    typed = schedule_input(values)
    starts_at, errors = _start(deps, values)
    duration = decimal(values.get(DURATION, "60") or "60")
    found: dict[FieldRef | Field, Text] = {}
    try:
        deps.services.meetings.check(typed.title, starts_at, duration, typed.video_link, background)
    except DomainError as error:
        found.update(field_errors(error))
    found.update(errors)  # a date or time that cannot be read says so, not just "pick one"
    raise_field_errors(found)
    assert starts_at is not None and duration is not None  # `check` refuses either missing
    return starts_at, duration


def _schedule(deps: TeamsDeps, actor: Actor, t: Translator, meeting: int, values: Values) -> str:
    typed = schedule_input(values)
    starts_at, duration = _checked(deps, values, background=None)
    scheduled = deps.services.meetings.schedule(
        actor, title=typed.title, starts_at=starts_at, duration_minutes=duration, video_link=typed.video_link,
        topic_numbers=typed.topics, organisations=typed.organisations, chair=typed.chair,
        chair_person=deps.person(typed.chair_person) if typed.chair_person else None)
    return replies.schedule_confirmation(t, scheduled, deps.zone).text


def _urgent(deps: TeamsDeps, actor: Actor, t: Translator, meeting: int, values: Values) -> str:
    typed = schedule_input(values)
    starts_at, _ = _checked(deps, {**values, DURATION: "60"}, background=typed.background)
    called = deps.services.meetings.urgent(actor, title=typed.title, starts_at=starts_at,
                                           organisations=typed.organisations, video_link=typed.video_link,
                                           background=typed.background)
    return replies.schedule_confirmation(t, called, deps.zone).text


def _agenda(deps: TeamsDeps, actor: Actor, t: Translator, meeting: int, values: Values) -> str:
    typed = agenda_input(values)
    raise_field_errors(typed.errors)
    talks = [talk.talk(deps.person) for talk in typed.talks]
    outcome = deps.services.meetings.set_agenda(actor, meeting, topic_numbers=typed.topics, talks=talks)
    return replies.agenda_confirmation(t, outcome).text


def _minutes(deps: TeamsDeps, actor: Actor, t: Translator, meeting: int, values: Values) -> str:
    typed = minutes_input(values)
    attendees = [deps.person(user) for user in typed.picked]
    if typed.keep_attending:
        # Those recorded as attending (or who said yes), as the form showed them: read again here.
        attendees = [*deps.services.minutes.form(actor, meeting).people_attending, *attendees]
    recorded = deps.services.minutes.record(
        actor, meeting, summary=typed.summary, decisions=typed.decisions,
        action_items=[item for _, item in typed.items], attendees=list(dict.fromkeys(attendees)),
        discussed=typed.discussed)
    return minutes_confirmation(t, recorded, deps.zone)


_APPLY: dict[str, Callable[[TeamsDeps, Actor, Translator, int, Values], str]] = {
    PROPOSE: _propose, SCHEDULE: _schedule, URGENT: _urgent, AGENDA: _agenda, MINUTES: _minutes,
}

