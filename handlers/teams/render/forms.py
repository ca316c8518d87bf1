"""The Teams dialogs' Adaptive Cards (task modules): propose, schedule and urgent here, agenda and
minutes in `forms_meeting.py`. Pure renderers: each takes what the service offers, the values
typed so far (kept when a submission is refused) and the errors by input id, and returns a Dialog.

Input values are plain values, never markdown; every piece of user text shown in a TextBlock is
escaped with `md`. A field's error is shown right under its input; an error no input of the form
owns is shown at the top, so nothing is ever silently dropped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from microsoft_teams.cards import (
    ActionSet,
    CardElement,
    ChoiceSetInput,
    DateInput,
    NumberInput,
    QueryData,
    SubmitAction,
    TextInput,
    TimeInput,
)
from microsoft_teams.cards import Choice as CardChoice

from handlers.teams.render.common import MEETING_KEY, adaptive_card, md, text_block
from handlers.teams.render.parts import note
from handlers.teams.render.replies_meetings import no_contact_line
from handlers.teams.render.urgent import audience_phrase
from services.enums import Tier
from services.i18n import Translator
from services.meetings import DURATION_MAX, DURATION_MIN, ScheduleForm, UrgentForm
from services.meetings import TITLE_MAX as MEETING_TITLE_MAX
from services.topics import DETAILS_MAX
from services.topics import TITLE_MAX as TOPIC_TITLE_MAX

# The submit action's data: which dialog this is, its meeting, and the urgent form's recount.
FORM_KEY = "dialog"
RECOUNT_KEY = "recount"
PROPOSE, SCHEDULE, URGENT, AGENDA, MINUTES = "propose", "schedule", "urgent", "agenda", "minutes"

# Input ids (never "dialog", "meeting", "recount" or "msteams": Teams merges the inputs into the
# submit action's data).
TITLE = "title"
DETAILS = "details"
DATE = "date"
TIME = "time"
DURATION = "duration"
VIDEO_LINK = "video_link"
CHAIR = "chair"
CHAIR_PERSON = "chair_person"
TOPICS = "topics"
ORGANISATIONS = "organisations"
OBSERVERS = "observers"
BACKGROUND = "background"
GENERAL = ""  # an error that belongs to no input: shown at the top

# Teams' people picker: search the whole organisation; the value is each person's Entra object id.
PEOPLE = "graph.microsoft.com/users"
# An option's text in a picker is cut here (the service's names can be longer).
CHOICE_TITLE_MAX = 100

Values = Mapping[str, str]
"""What was typed, by input id, as Teams submitted it (strings; a multi-select's are joined by commas)."""
Errors = Mapping[str, str]
"""Each error by the id of its input (GENERAL: the form's), already rendered as escaped markdown."""


@dataclass(frozen=True)
class Dialog:
    """A dialog ready for the `task/fetch` or `task/submit` answer: its title, size and card."""

    title: str
    card: dict[str, Any]
    width: str = "medium"
    height: str = "large"


def encode_choice(name: str) -> str:
    """A name as a multi-select's value: Teams joins the values chosen with commas, so a comma in a
    name (or the escape character itself) is written as %2C (%25)."""
    return name.replace("%", "%25").replace(",", "%2C")


def decode_choices(submitted: str) -> list[str]:
    """The values of a multi-select as submitted, each decoded (empty ones left out)."""
    parts = (part.strip() for part in submitted.split(","))
    return [part.replace("%2C", ",").replace("%25", "%") for part in parts if part]


def _plain_numbers(node: Any) -> Any:
    """The card's JSON with whole floats as ints (the models keep numbers as floats: 60.0)."""
    if isinstance(node, dict):
        return {key: _plain_numbers(value) for key, value in node.items()}
    if isinstance(node, list):
        return [_plain_numbers(value) for value in node]
    if isinstance(node, float) and node.is_integer():
        return int(node)
    return node


class Body:
    """A form's elements, with each error placed under its input."""

    def __init__(self, errors: Errors) -> None:
        self.items: list[CardElement] = []
        self._errors = dict(errors)
        self._placed: set[str] = set()

    def add(self, *elements: CardElement) -> None:
        """Elements that are not inputs (text, notes, action sets)."""
        self.items.extend(elements)

    def field(self, element: Any) -> None:
        """An input, followed by its error if it has one."""
        self.items.append(element)
        message = self._errors.get(element.id)
        if message and element.id not in self._placed:
            self._placed.add(element.id)
            self.items.append(error_block(message))

    def finished(self) -> list[CardElement]:
        """The elements, with the errors no input took at the top."""
        rest = [error_block(m) for key, m in self._errors.items() if m and key not in self._placed]
        return [*rest, *self.items]


def error_block(message: str) -> CardElement:
    """An error under its input (already escaped markdown)."""
    return text_block("⚠️ " + message, color="Attention", size="Small", spacing="None")


def submit(title: str, form: str, *, meeting: int | None = None, recount: bool = False) -> SubmitAction:
    """The dialog's submit button (or the urgent form's recount): its data names the form (and its
    meeting), which is all `task/submit` is told of which dialog it is."""
    data: dict[str, Any] = {FORM_KEY: form}
    if meeting is not None:
        data[MEETING_KEY] = meeting
    if recount:
        data[RECOUNT_KEY] = True
    return SubmitAction(title=title, data=data, style=None if recount else "positive")


def finish(title: str, body: Body, actions: Sequence[SubmitAction], *, width: str = "medium",
           height: str = "large") -> Dialog:
    """The Dialog from its title, body and actions."""
    card = adaptive_card(body.finished(), actions, fallback=title)
    return Dialog(title=title, card=_plain_numbers(card), width=width, height=height)


def choices(pairs: Iterable[tuple[str, str]]) -> list[CardChoice]:
    """Choices of (value, title shown); a title is plain text, cut to fit."""
    return [CardChoice(title=title if len(title) <= CHOICE_TITLE_MAX else title[: CHOICE_TITLE_MAX - 1] + "…",
                       value=value) for value, title in pairs]


def kept(submitted: str | None, offered: Sequence[CardChoice], *, multi: bool) -> str | None:
    """A picker's submitted value, keeping only what it still offers (a forged value is dropped)."""
    if not submitted:
        return None
    known = {str(choice.value) for choice in offered}
    picked = [part.strip() for part in submitted.split(",")] if multi else [submitted.strip()]
    picked = [part for part in picked if part in known]
    return ",".join(picked) if picked else None


def text_input(id_: str, label: str, values: Values, *, required: str | None = None,
               multiline: bool = False, style: str | None = None, placeholder: str | None = None,
               default: str | None = None) -> TextInput:
    """A text field holding what was typed (or `default`); `required` is its message when empty."""
    return TextInput(id=id_, label=label, value=values.get(id_, default) or None,
                     is_multiline=multiline or None, style=style, placeholder=placeholder,
                     is_required=True if required else None,
                     error_message=required)


def people_picker(id_: str, label: str, values: Values, known: Sequence[tuple[str, str]] = (), *,
                  multi: bool = False) -> ChoiceSetInput:
    """Teams' people picker. Those already picked are offered by (object id, what we can call them):
    the bot has no display names, so a kept pick keeps its place rather than its name."""
    offered = choices(known)
    return ChoiceSetInput(id=id_, label=label, choices=offered, choices_data=QueryData(dataset=PEOPLE),
                          is_multi_select=multi or None,
                          value=kept(values.get(id_), offered, multi=multi) if values.get(id_) else None)


def picked_people(t: Translator, submitted: str | None) -> list[tuple[str, str]]:
    """People picked before a refused submission, offered again so that the pick is kept."""
    return [(user, t.gettext("A contact in chat")) for user in decode_choices(submitted or "")]


def _hint(value: str) -> CardElement:
    return note(value, spacing="None")


def title_hint(t: Translator, limit: int) -> str:
    """The title's limit said up front (the service refuses a longer one, it is never cut)."""
    return t.gettext("Up to {max} characters; a longer title is refused, never cut.").format(max=limit)


def propose_form(t: Translator, values: Values, errors: Errors) -> Dialog:
    """The proposal form: a title and details (`propose` with no text)."""
    body = Body(errors)
    body.add(text_block(t.gettext(
        "Everyone at the table proposes topics: the city, civil society and public agencies. Your proposal "
        "is announced in the dialogue channel, where others can support it.")))
    body.field(text_input(TITLE, t.gettext("Title"), values, required=t.gettext("Write a title."),
                          placeholder=t.gettext("e.g. Housing for refugee families")))
    body.add(_hint(title_hint(t, TOPIC_TITLE_MAX)))
    body.field(text_input(DETAILS, t.gettext("Details"), values, multiline=True))
    body.add(_hint(t.gettext("Why it matters, and who should take part. Up to {max} characters.").format(
        max=DETAILS_MAX)))
    return finish(t.gettext("Propose a topic"), body, [submit(t.gettext("Propose"), PROPOSE)])


def when_inputs(t: Translator, body: Body, values: Values, *, default: datetime | None,
                zone: ZoneInfo) -> None:
    """The start as a date and a time in the meetings' zone (the zone is said: the reader may be
    elsewhere)."""
    local = default.astimezone(zone) if default is not None else None
    body.field(DateInput(id=DATE, label=t.gettext("Date"), is_required=True,
                         error_message=t.gettext("Pick a date and time."),
                         value=values.get(DATE) or (local.date().isoformat() if local else None)))
    body.field(TimeInput(id=TIME, label=t.gettext("Time"), is_required=True,
                         error_message=t.gettext("Pick a date and time."),
                         value=values.get(TIME) or (local.strftime("%H:%M") if local else None)))
    body.add(_hint(t.gettext("time zone {zone}").format(zone=zone.key)))


def organisation_inputs(t: Translator, body: Body, form: ScheduleForm, values: Values) -> None:
    """Pickers for topic organisations and observers (the core is always invited); one nobody
    speaks for is flagged, since picking it reaches no one."""
    flag = " — " + t.gettext("no contact person")
    for id_, label, tier in ((ORGANISATIONS, t.gettext("Organisations beyond the core"), Tier.TOPIC),
                             (OBSERVERS, t.gettext("Observers"), Tier.OBSERVER)):
        offered = choices((encode_choice(o.name), o.name if o.contacts else o.name + flag)
                          for o in form.organisations if o.tier == tier)
        if offered:
            body.field(ChoiceSetInput(id=id_, label=label, choices=offered, is_multi_select=True,
                                      style="compact", value=kept(values.get(id_), offered, multi=True)))


def _core_notes(t: Translator, body: Body, form: ScheduleForm) -> None:
    body.add(note(t.gettext("Core organisations are always invited: {names}.").format(
        names=", ".join(md(n) for n in form.core) or "—")))
    flagged = no_contact_line(t, form.core_without_contact)
    if flagged:
        body.add(note(flagged))


def schedule_form(t: Translator, form: ScheduleForm, zone: ZoneInfo, values: Values,
                  errors: Errors) -> Dialog:
    """The scheduling form (`schedule` with no text), for coordinators."""
    body = Body(errors)
    body.field(text_input(TITLE, t.gettext("Title"), values, required=t.gettext("Write a title.")))
    body.add(_hint(title_hint(t, MEETING_TITLE_MAX)))
    when_inputs(t, body, values, default=None, zone=zone)
    body.field(NumberInput(id=DURATION, label=t.gettext("Length in minutes"), min=DURATION_MIN,
                           max=DURATION_MAX, value=_number(values.get(DURATION), 60), is_required=True,
                           error_message=t.gettext("A meeting lasts {min} to {max} minutes.").format(
                               min=DURATION_MIN, max=DURATION_MAX)))
    body.field(text_input(VIDEO_LINK, t.gettext("Video link"), values, style="Url"))
    body.field(text_input(CHAIR, t.gettext("Chair (name or role)"), values))
    body.add(_hint(t.gettext("Who chairs the meeting for the city's political leadership, e.g. the deputy "
                             "mayor for health and care.")))
    body.field(people_picker(CHAIR_PERSON, t.gettext("Chair in Teams"), values,
                             picked_people(t, values.get(CHAIR_PERSON))))
    offered = choices((str(number), f"{number}. {title}") for number, title in form.topics)
    if offered:
        body.field(ChoiceSetInput(id=TOPICS, label=t.gettext("Topics from the backlog"), choices=offered,
                                  is_multi_select=True, style="compact",
                                  value=kept(values.get(TOPICS), offered, multi=True)))
    organisation_inputs(t, body, form, values)
    _core_notes(t, body, form)
    return finish(t.gettext("Schedule a meeting"), body, [submit(t.gettext("Schedule"), SCHEDULE)])


def _number(submitted: str | None, default: int) -> float:
    """A number field's value: what was typed if it is a number, else the default."""
    try:
        return float(submitted) if submitted else default
    except ValueError:
        return default


def urgent_form(t: Translator, form: UrgentForm, zone: ZoneInfo, values: Values, errors: Errors) -> Dialog:
    """The urgent form (`urgent` with no text): who will be invited is counted by the same rule the
    confirmation and the progress report use, and recounted by a button inside the dialog."""
    choices_ = form.choices
    body = Body(errors)
    body.add(text_block("🚨 " + t.gettext(
        "Invitations go out at once, to the channel and to every contact, marked urgent."),
        color="Attention"))
    # Not required in the card: Teams checks required inputs on every submit, the recount too, and
    # the count is wanted before the title is written. The service refuses an empty title.
    body.field(text_input(TITLE, t.gettext("Title"), values))
    body.add(_hint(title_hint(t, MEETING_TITLE_MAX)))
    when_inputs(t, body, values, default=form.default_start, zone=zone)
    body.field(text_input(VIDEO_LINK, t.gettext("Meeting link"), values, style="Url"))
    body.add(_hint(t.gettext("The video meeting's address, shown in every invitation.")))
    body.field(text_input(BACKGROUND, t.gettext("Background"), values, multiline=True))
    body.add(_hint(t.gettext("What has happened, in a few lines: shown in every invitation.")))
    organisation_inputs(t, body, choices_, values)
    count = t.gettext("Will invite {audience}.").format(audience=audience_phrase(t, form.audience))
    flagged = no_contact_line(t, form.audience.no_contact)
    body.add(text_block(f"**{count}**" + (f"\n\n{flagged}" if flagged else ""), id="audience"))
    body.add(ActionSet(actions=[submit(t.gettext("Count who will be notified"), URGENT, recount=True)]))
    return finish(t.gettext("Urgent meeting"), body, [submit(t.gettext("Send now"), URGENT)])
