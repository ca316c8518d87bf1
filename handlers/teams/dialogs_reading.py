"""A submitted Teams dialog read into plain, cleaned values: the services' inputs.

Adaptive Cards submit every input as a string (a multi-select's values joined by commas, a toggle
as its on or off value); a forged submission may send anything, so only strings are read and
nothing is trusted beyond its type: the services validate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from handlers.teams.render.common import MEETING_KEY
from handlers.teams.render.forms import (
    BACKGROUND,
    CHAIR,
    CHAIR_PERSON,
    DETAILS,
    FORM_KEY,
    OBSERVERS,
    ORGANISATIONS,
    RECOUNT_KEY,
    TITLE,
    TOPICS,
    VIDEO_LINK,
    Values,
    decode_choices,
)
from handlers.teams.render.forms_meeting import (
    ATTENDED_KEPT,
    ATTENDEES,
    DECISIONS,
    DISCUSSED,
    ITEM_ROWS,
    OFF,
    OWNER_CITY,
    OWNER_ORGANISATION,
    SUMMARY,
    TALK_ROWS,
    item_id,
    talk_id,
)
from services.errors import Field, FieldRef
from services.i18n import N_, Text, text
from services.messages import Talk
from services.minutes import THE_CITY, ActionItemInput, TheCity
from services.people import PersonRef
from services.text import clean_line, clean_text, drop_controls

# Keys of the submit action's own data, not inputs.
_NOT_INPUTS = {FORM_KEY, MEETING_KEY, RECOUNT_KEY, "msteams"}


def values_of(data: dict[str, Any]) -> Values:
    """The inputs of a submission, by id (strings only)."""
    return {key: value for key, value in data.items() if isinstance(value, str) and key not in _NOT_INPUTS}


def number_of(data: dict[str, Any], key: str) -> int:
    """A number from the card's data; tampered or missing data reads as 0 (no such meeting)."""
    value = data.get(key)
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 10**9 else 0


def multi(values: Values, key: str) -> list[str]:
    """The values chosen in a multi-select, decoded."""
    return [drop_controls(value) for value in decode_choices(values.get(key, ""))]


def decimal(value: str) -> int | None:
    """A whole number as a number input sends it ("60", or "60.0"), or None."""
    try:
        number = float(value.strip())
    except ValueError:
        return None
    return int(number) if number.is_integer() and abs(number) < 10**6 else None


def _numbers(values: Values, key: str) -> tuple[int, ...]:
    return tuple(int(v) for v in multi(values, key) if v.isdigit() and len(v) < 10)


@dataclass(frozen=True)
class ProposalInput:
    title: str
    details: str


def proposal_input(values: Values) -> ProposalInput:
    """The title and details typed into the proposal form."""
    return ProposalInput(clean_line(values.get(TITLE, "")), clean_text(values.get(DETAILS, "")))


@dataclass(frozen=True)
class ScheduleInput:
    title: str
    video_link: str
    topics: tuple[int, ...]
    organisations: tuple[str, ...]
    background: str
    chair: str
    chair_person: str  # the person picked as chair (an Entra object id), or ""


def schedule_input(values: Values) -> ScheduleInput:
    """What was typed into the scheduling or urgent form, but the start (read with the zone)."""
    picked = multi(values, CHAIR_PERSON)
    return ScheduleInput(
        title=clean_line(values.get(TITLE, "")),
        video_link=clean_line(values.get(VIDEO_LINK, "")),
        topics=_numbers(values, TOPICS),
        organisations=tuple(multi(values, ORGANISATIONS) + multi(values, OBSERVERS)),
        background=clean_text(values.get(BACKGROUND, "")),
        chair=clean_line(values.get(CHAIR, "")),
        chair_person=picked[0] if picked else "",
    )


@dataclass(frozen=True)
class TalkInput:
    speaker: str
    organisation: str
    subject: str
    minutes: int
    person: str  # an Entra object id, or ""

    def talk(self, person_of: Callable[[str], PersonRef]) -> Talk:
        """The service's Talk, the person made a PersonRef of this platform."""
        return Talk(self.speaker, self.organisation or None, self.subject, self.minutes,
                    person_of(self.person) if self.person else None)


@dataclass(frozen=True)
class AgendaInput:
    topics: tuple[int, ...]
    talks: tuple[TalkInput, ...]
    rows: tuple[int, ...]  # the form's row of each talk, to show its errors there
    errors: dict[FieldRef | Field, Text] = field(default_factory=dict)


def agenda_input(values: Values) -> AgendaInput:
    """The topics picked and the talks typed (empty rows left out); a length that is not a whole
    number is an error on its row, found before the service is asked."""
    talks, rows = [], []
    errors: dict[FieldRef | Field, Text] = {}
    for n in range(1, TALK_ROWS + 1):
        speaker = clean_line(values.get(talk_id(n, "speaker"), ""))
        subject = clean_line(values.get(talk_id(n, "subject"), ""))
        people = multi(values, talk_id(n, "person"))
        if not (speaker.strip() or subject.strip() or people):
            continue
        organisation = multi(values, talk_id(n, "organisation"))
        minutes = decimal(values.get(talk_id(n, "minutes"), ""))
        rows.append(n)
        if minutes is None:
            errors[FieldRef(Field.TALK_MINUTES, len(rows))] = text(
                N_("The length is a whole number of minutes."))
            minutes = 0
        talks.append(TalkInput(speaker, organisation[0] if organisation else "", subject, minutes,
                               people[0] if people else ""))
    return AgendaInput(_numbers(values, TOPICS), tuple(talks), tuple(rows), errors)


@dataclass(frozen=True)
class MinutesInput:
    summary: str
    decisions: str
    discussed: tuple[int, ...]
    keep_attending: bool  # those recorded as attending (or who said yes) did attend
    picked: tuple[str, ...]  # others who attended (Entra object ids)
    items: tuple[tuple[int, ActionItemInput], ...]  # (the form's row, the point)


def _owner(picked: str) -> str | TheCity:
    """The owner a follow-up's choice names: the city, or an organisation by name."""
    if picked == OWNER_CITY:
        return THE_CITY
    return picked.removeprefix(OWNER_ORGANISATION)


def minutes_input(values: Values) -> MinutesInput:
    """What was typed into the minutes form (empty follow-up rows left out)."""
    items = []
    for n in range(1, ITEM_ROWS + 1):
        what = clean_line(values.get(item_id(n), ""))
        owner = drop_controls(values.get(item_id(n, "owner"), "")).strip()
        due = values.get(item_id(n, "due"), "").strip()
        if not (what.strip() or owner or due):
            continue
        try:
            due_on: date | None = date.fromisoformat(due) if due else None
        except ValueError:
            due_on = None  # the service asks for a due date
        items.append((n, ActionItemInput(what, _owner(owner), due_on)))
    return MinutesInput(
        summary=clean_text(values.get(SUMMARY, "")),
        decisions=clean_text(values.get(DECISIONS, "")),
        discussed=_numbers(values, DISCUSSED),
        keep_attending=values.get(ATTENDED_KEPT, OFF) != OFF,
        picked=tuple(multi(values, ATTENDEES)),
        items=tuple(items),
    )
