"""A submitted modal's state (view.state.values) as plain, cleaned values."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from handlers.slack import ids
from services.minutes import THE_CITY, TheCity
from services.text import clean_line, clean_text, drop_controls

# A follow-up point's owner as the minutes form's choice carries it: the city, or an organisation
# by name behind a prefix (so no organisation's name can pass for the city).
OWNER_CITY = "city"
OWNER_ORGANISATION = "org:"


def _typed(entered: dict[str, Any]) -> str:
    """What was typed into a text field (a forged request may send something other than text)."""
    value = entered.get("value")
    return value if isinstance(value, str) else ""


def _picked(entered: dict[str, Any]) -> str:
    """The value of the one option chosen in a select (empty when none)."""
    option = entered.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return drop_controls(value) if isinstance(value, str) else ""


@dataclass(frozen=True)
class ScheduleFormValues:
    title: str
    starts_at: int | None
    duration: str
    video_link: str
    topics: tuple[str, ...]
    organisations: tuple[str, ...]
    background: str = ""
    chair: str = ""
    chair_user: str = ""  # the person picked as chair (a Slack user id), or ""


def schedule_form(view: dict[str, Any]) -> ScheduleFormValues:
    """What was entered in the scheduling, urgent or change modal, as plain values."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        entered = values.get(block, {})
        # The urgent form's organisation pickers carry the recount action id instead.
        return entered.get(ids.INPUT_ACTION) or entered.get(ids.URGENT_RECOUNT) or {}

    def chosen(block: str) -> tuple[str, ...]:
        return tuple(drop_controls(str(o.get("value"))) for o in field(block).get("selected_options") or [])

    stamp = field(ids.SCHEDULE_START).get("selected_date_time")
    return ScheduleFormValues(
        title=clean_line(_typed(field(ids.SCHEDULE_TITLE))),
        starts_at=int(stamp) if isinstance(stamp, int | str) and str(stamp).isdigit() else None,
        duration=drop_controls(str(field(ids.SCHEDULE_DURATION).get("value") or "60")),
        video_link=clean_line(_typed(field(ids.SCHEDULE_LINK))),
        topics=chosen(ids.SCHEDULE_TOPICS),
        organisations=chosen(ids.SCHEDULE_ORGANISATIONS) + chosen(ids.SCHEDULE_OBSERVERS),
        background=clean_text(_typed(field(ids.SCHEDULE_BACKGROUND))),
        chair=clean_line(_typed(field(ids.SCHEDULE_CHAIR))),
        chair_user=_user(field(ids.SCHEDULE_CHAIR_PERSON)),
    )


def _user(entered: dict[str, Any]) -> str:
    """The person picked in a users_select (empty when none)."""
    user = entered.get("selected_user")
    return drop_controls(user) if isinstance(user, str) else ""


@dataclass(frozen=True)
class AgendaFormValues:
    topics: tuple[int, ...]
    # (speaker, organisation, subject, minutes, person's user id or "") as entered
    talks: tuple[tuple[str, str, str, str, str], ...]
    rows: tuple[int, ...] = ()  # the form's row (1 or 2) of each talk, to show its errors there


def agenda_form(view: dict[str, Any]) -> AgendaFormValues:
    """The topics picked and the talks typed into the agenda modal (empty talk rows left out)."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        return values.get(block, {}).get(ids.INPUT_ACTION, {}) or {}

    topics = tuple(int(o["value"]) for o in field(ids.AGENDA_TOPICS).get("selected_options") or []
                   if str(o.get("value", "")).isdigit())
    talks, rows = [], []
    for n in range(1, 3):
        speaker = clean_line(_typed(field(f"talk{n}_speaker")))
        organisation = _picked(field(f"talk{n}_organisation"))
        subject = clean_line(_typed(field(f"talk{n}_subject")))
        minutes = drop_controls(str(field(f"talk{n}_minutes").get("value") or ""))
        person = field(f"talk{n}_person").get("selected_user")
        person = drop_controls(person) if isinstance(person, str) else ""
        if speaker.strip() or subject.strip() or person:
            talks.append((speaker, organisation, subject, minutes, person))
            rows.append(n)
    return AgendaFormValues(topics, tuple(talks), tuple(rows))


def _owner(picked: str) -> str | TheCity:
    """The owner a minutes form's choice names (a bare name is an organisation's: older forms)."""
    if picked == OWNER_CITY:
        return THE_CITY
    return picked.removeprefix(OWNER_ORGANISATION)


@dataclass(frozen=True)
class MinutesFormValues:
    summary: str
    decisions: str
    discussed: tuple[int, ...]
    attendees: tuple[str, ...]
    # (row, what, owner: the city or an organisation's name ("" if none), due YYYY-MM-DD) as entered
    items: tuple[tuple[int, str, str | TheCity, str], ...]


def minutes_form(view: dict[str, Any]) -> MinutesFormValues:
    """What was entered in the minutes modal (empty follow-up rows left out)."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        return values.get(block, {}).get(ids.INPUT_ACTION, {}) or {}

    items = []
    for n in range(1, ids.MINUTES_ITEMS + 1):
        what = clean_line(_typed(field(f"action_{n}")))
        picked = _picked(field(f"action_{n}_owner"))
        due = drop_controls(str(field(f"action_{n}_due").get("selected_date") or ""))
        if what.strip() or picked or due:
            items.append((n, what, _owner(picked), due))
    return MinutesFormValues(
        summary=clean_text(_typed(field(ids.MINUTES_SUMMARY))),
        decisions=clean_text(_typed(field(ids.MINUTES_DECISIONS))),
        discussed=tuple(int(o["value"]) for o in field(ids.MINUTES_DISCUSSED).get("selected_options") or []
                        if str(o.get("value", "")).isdigit()),
        attendees=tuple(drop_controls(str(u))
                        for u in field(ids.MINUTES_ATTENDEES).get("selected_users") or []),
        items=tuple(items),
    )


@dataclass(frozen=True)
class ProposalForm:
    title: str
    details: str


def proposal_form(view: dict[str, Any]) -> ProposalForm:
    """The title and details typed into the proposal modal."""
    values = view.get("state", {}).get("values", {})

    def typed(block: str) -> str:
        return _typed(values.get(block, {}).get(ids.INPUT_ACTION, {}) or {})

    return ProposalForm(clean_line(typed(ids.PROPOSE_TITLE_BLOCK)),
                        clean_text(typed(ids.PROPOSE_DETAILS_BLOCK)))

