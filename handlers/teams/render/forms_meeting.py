"""The Teams dialogs for one meeting: its agenda (topics and up to two talks) and its minutes,
and the line that confirms the minutes. Pure renderers, as in `forms.py`."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_teams.cards import Choice, ChoiceSetInput, DateInput, NumberInput, ToggleInput

from handlers.teams.render.common import md, text_block
from handlers.teams.render.forms import (
    AGENDA,
    MINUTES,
    TOPICS,
    Body,
    Dialog,
    Errors,
    Values,
    choices,
    encode_choice,
    finish,
    kept,
    people_picker,
    picked_people,
    submit,
    text_input,
)
from handlers.teams.render.meetings import follow_up
from handlers.teams.render.parts import bold, note
from handlers.teams.render.words import local_time
from services.enums import MinutesState
from services.i18n import Translator
from services.meetings import TALK_MINUTES_MAX, AgendaForm
from services.minutes import MinutesForm, MinutesRecorded

TALK_ROWS = 2
ITEM_ROWS = 3  # as many follow-up points as Slack's form has
TALK_MINUTES_DEFAULT = 10

# The minutes form's input ids.
SUMMARY = "summary"
DECISIONS = "decisions"
DISCUSSED = "discussed"
ATTENDED_KEPT = "attended_kept"  # the toggle: those recorded as attending did attend
ATTENDEES = "attendees"  # people picked besides
OWNER_CITY = "city"
OWNER_ORGANISATION = "org:"  # an organisation's name behind a prefix: no name passes for the city
ON, OFF = "true", "false"


def talk_id(row: int, part: str) -> str:
    """The id of a talk row's input: person, speaker, organisation, subject or minutes."""
    return f"talk{row}_{part}"


def item_id(row: int, part: str = "") -> str:
    """The id of a follow-up row's input: "" (what), owner or due."""
    return f"action_{row}" + (f"_{part}" if part else "")


def _initial(values: Values, key: str, default: str | None) -> str | None:
    """A field's value: as submitted when the form comes back, else what the meeting holds now."""
    return (values.get(key) or None) if values else default


def agenda_form(t: Translator, form: AgendaForm, values: Values, errors: Errors) -> Dialog:
    """The agenda form (`agenda <meeting-no>`): topics from the backlog and up to two talks."""
    card = form.meeting
    body = Body(errors)
    intro = t.gettext("Meeting {number} ({title}) lasts {minutes} minutes: up to two short talks, then the "
                      "open floor.")
    body.add(text_block(intro.format(number=card.number, title=md(card.title),
                                     minutes=card.duration_minutes)))
    body.add(*follow_up(t, card.follow_up))
    on_agenda = [number for number, _ in card.agenda]
    # What is on the agenda is always offered (and chosen), or saving would drop it.
    ordered = [*card.agenda, *((n, title) for n, title in form.topics if n not in set(on_agenda))]
    offered = choices((str(number), f"{number}. {title}") for number, title in ordered)
    if offered:
        chosen = ",".join(str(n) for n in on_agenda)
        body.field(ChoiceSetInput(id=TOPICS, label=t.gettext("Topics"), choices=offered, is_multi_select=True,
                                  style="compact",
                                  value=kept(_initial(values, TOPICS, chosen), offered, multi=True)))
    organisations = choices((encode_choice(name), name) for name in form.organisations)
    for n in range(1, TALK_ROWS + 1):
        talk = card.talks[n - 1] if len(card.talks) >= n else None
        body.add(bold(t.gettext("Talk {number}").format(number=n)))
        person = talk.person.user_id if talk and talk.person else None
        known = (picked_people(t, values.get(talk_id(n, "person"))) if values else
                 [(person, talk.speaker or t.gettext("A contact in chat"))] if person and talk else [])
        body.field(people_picker(talk_id(n, "person"), t.gettext("Speaker, picked as a person"),
                                 values or ({talk_id(n, "person"): person} if person else {}), known))
        body.add(note(t.gettext("They are told about their talk, and again if it changes."), spacing="None"))
        body.field(text_input(talk_id(n, "speaker"), t.gettext("Speaker's name or role"),
                              {talk_id(n, "speaker"): _initial(values, talk_id(n, "speaker"),
                                                               talk.speaker if talk else None) or ""}))
        if organisations:
            current = encode_choice(talk.organisation) if talk and talk.organisation else None
            body.field(ChoiceSetInput(id=talk_id(n, "organisation"), label=t.gettext("Organisation"),
                                      choices=organisations, style="compact",
                                      value=kept(_initial(values, talk_id(n, "organisation"), current),
                                                 organisations, multi=False)))
        body.field(text_input(talk_id(n, "subject"), t.gettext("Subject"),
                              {talk_id(n, "subject"): _initial(values, talk_id(n, "subject"),
                                                               talk.subject if talk else None) or ""}))
        minutes = _initial(values, talk_id(n, "minutes"), str(talk.minutes if talk else TALK_MINUTES_DEFAULT))
        body.field(NumberInput(id=talk_id(n, "minutes"), label=t.gettext("Minutes"), min=1,
                               max=TALK_MINUTES_MAX,
                               value=float(minutes) if minutes and _is_number(minutes) else None))
    return finish(t.gettext("Agenda"), body, [submit(t.gettext("Save"), AGENDA, meeting=card.number)])


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True


def owner_choices(t: Translator, form: MinutesForm) -> list[Choice]:
    """Who may own a follow-up point: the city, civil society's organisations, the public agencies."""
    pairs = [(OWNER_CITY, t.gettext("The city"))]
    pairs += [(OWNER_ORGANISATION + name, name) for name in form.organisations]
    pairs += [(OWNER_ORGANISATION + name, t.gettext("{name} (public agency)").format(name=name))
              for name in form.agencies]
    return choices(pairs)


def minutes_form(t: Translator, form: MinutesForm, values: Values, errors: Errors) -> Dialog:
    """The minutes form (`minutes <meeting-no>`), for writing or correcting a meeting's minutes."""
    card = form.meeting
    body = Body(errors)
    body.add(bold(f"{card.number}. {md(card.title)}"))
    body.field(text_input(SUMMARY, t.gettext("Summary"),
                          {SUMMARY: _initial(values, SUMMARY, form.summary) or ""},
                          multiline=True, required=t.gettext("Write a summary.")))
    body.field(text_input(DECISIONS, t.gettext("Main points"),
                          {DECISIONS: _initial(values, DECISIONS, form.decisions) or ""}, multiline=True))
    if card.agenda:
        offered = choices((str(n), f"{n}. {title}") for n, title in card.agenda)
        every = ",".join(str(n) for n, _ in card.agenda)
        body.field(ChoiceSetInput(id=DISCUSSED, label=t.gettext("Topics discussed"), choices=offered,
                                  is_multi_select=True, style="expanded",
                                  value=kept(_initial(values, DISCUSSED, every), offered, multi=True)))
    body.add(*follow_up(t, form.follow_up_before))
    body.add(bold(t.gettext("Who attended")))
    if form.people_attending:
        count = len(form.people_attending)
        body.field(ToggleInput(id=ATTENDED_KEPT, value_on=ON, value_off=OFF,
                               value=_initial(values, ATTENDED_KEPT, ON) or OFF, wrap=True,
                               title=t.ngettext("The {count} person who said yes (or was recorded) attended",
                                                "The {count} people who said yes (or were recorded) attended",
                                                count).format(count=count)))
    body.field(people_picker(ATTENDEES, t.gettext("Others who attended"), values,
                             picked_people(t, values.get(ATTENDEES)), multi=True))
    owners = owner_choices(t, form)
    for n in range(1, ITEM_ROWS + 1):
        item = form.action_items[n - 1] if len(form.action_items) >= n else None
        body.add(bold(t.gettext("Follow-up point {number}").format(number=n)))
        what = _initial(values, item_id(n), item.description if item else None) or ""
        body.field(text_input(item_id(n), t.gettext("What"), {item_id(n): what}))
        owner = (OWNER_CITY if item.owner is None else OWNER_ORGANISATION + item.owner) if item else None
        body.field(ChoiceSetInput(id=item_id(n, "owner"), label=t.gettext("Owner"), choices=owners,
                                  style="compact",
                                  value=kept(_initial(values, item_id(n, "owner"), owner), owners,
                                             multi=False)))
        due = item.due_on.isoformat() if item else None
        body.field(DateInput(id=item_id(n, "due"), label=t.gettext("Due"),
                             value=_initial(values, item_id(n, "due"), due)))
    send = submit(t.gettext("Send"), MINUTES, meeting=card.number)
    return finish(t.gettext("Meeting minutes"), body, [send], width="large")


def minutes_confirmation(t: Translator, recorded: MinutesRecorded, zone: ZoneInfo) -> str:
    """Told to the coordinator who recorded the minutes: who they are on their way to (markdown)."""
    minutes = recorded.minutes
    number, title = minutes.meeting.number, md(minutes.meeting.title)
    if minutes.state == MinutesState.DRAFT:
        when = local_time(minutes.review_until, zone, t.language) if minutes.review_until else ""
        return t.ngettext(
            "The minutes of meeting {number} ({title}) are recorded and on their way to everyone invited "
            "({count} person) as a draft for comments; they become final on {when}, or now if you say so.",
            "The minutes of meeting {number} ({title}) are recorded and on their way to everyone invited "
            "({count} people) as a draft for comments; they become final on {when}, or now if you say so.",
            recorded.readers).format(number=number, title=title, count=recorded.readers, when=when)
    return t.ngettext(
        "The minutes of meeting {number} ({title}) are recorded and on their way to the channel and "
        "everyone invited ({count} person).",
        "The minutes of meeting {number} ({title}) are recorded and on their way to the channel and "
        "everyone invited ({count} people).",
        recorded.readers).format(number=number, title=title, count=recorded.readers)
