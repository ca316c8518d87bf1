"""The Teams dialogs' cards: each form in English and Norwegian with its inputs and its submit data,
errors shown under their fields (or at the top), what was typed kept, user text inert."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest

from handlers.teams.render.forms import (
    Dialog,
    decode_choices,
    encode_choice,
    propose_form,
    schedule_form,
    urgent_form,
)
from handlers.teams.render.forms_meeting import agenda_form, minutes_form
from services.enums import Tier, TimeOfDay
from services.meetings import AgendaForm, ScheduleForm, UrgentForm
from services.messages import Audience, Talk
from services.minutes import MinutesForm
from services.people import PersonRef
from services.roster_views import OrganisationCard
from tests.handlers.teams.render.support import EN, HOSTILE, NB, OSLO, inert, item, meeting

INPUT_TYPES = {"Input.Text", "Input.Date", "Input.Time", "Input.Number", "Input.ChoiceSet", "Input.Toggle"}


def _organisation(name: str, tier: Tier, *contacts: str) -> OrganisationCard:
    return OrganisationCard(name=name, tier=tier, contacts=tuple(PersonRef("teams", c) for c in contacts),
                            perspectives=(), keywords=(), preferred_time=TimeOfDay.ANY, language=None)


SCHEDULE = ScheduleForm(
    topics=((7, "Heating costs"), (8, HOSTILE)),
    organisations=(_organisation("Caritas", Tier.CORE, "u1"), _organisation("Red, Cross", Tier.TOPIC, "u2"),
                   _organisation("Nobody Here", Tier.TOPIC), _organisation("Helsedirektoratet", Tier.OBSERVER, "u3")),
    core=("Caritas", HOSTILE),
    core_without_contact=(HOSTILE,),
)
URGENT = UrgentForm(choices=SCHEDULE, audience=Audience(organisations=2, people=5, no_contact=("Nobody Here",)),
                    default_start=datetime(2026, 3, 2, 14, 0, tzinfo=UTC))


def _checked(dialog: Dialog) -> dict[str, Any]:
    """The card as JSON, checked: Adaptive Card 1.5, inputs with ids and labels, TextBlocks wrapping."""
    card = dialog.card
    json.dumps(card)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["fallbackText"]
    assert dialog.title and dialog.width and dialog.height
    for element in _elements(card):
        if element["type"] in INPUT_TYPES:
            assert element["id"] and (element.get("label") or element["type"] == "Input.Toggle"), element
            assert not isinstance(element.get("value"), float)
        elif element["type"] == "TextBlock":
            assert element["text"].strip() and element["wrap"] is True
    return card


def _elements(card: dict[str, Any]) -> list[dict[str, Any]]:
    return [e for e in card["body"]]


def _inputs(card: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["id"]: e for e in card["body"] if e["type"] in INPUT_TYPES}


def _texts(card: dict[str, Any]) -> str:
    return "\n".join(e["text"] for e in card["body"] if e["type"] == "TextBlock")


def _submit(card: dict[str, Any]) -> dict[str, Any]:
    [action] = card["actions"]
    assert action["type"] == "Action.Submit"
    return dict(action["data"])


def _error_after(card: dict[str, Any], input_id: str) -> str:
    body = card["body"]
    at = next(i for i, e in enumerate(body) if e.get("id") == input_id)
    assert body[at + 1].get("color") == "Attention", body[at + 1]
    return str(body[at + 1]["text"])


@pytest.mark.parametrize(("t", "label", "button"), [(EN, "Title", "Propose"), (NB, "Tittel", "Foreslå")])
def test_the_proposal_form_in_both_languages(t: Any, label: str, button: str) -> None:
    card = _checked(propose_form(t, {}, {}))
    inputs = _inputs(card)
    assert list(inputs) == ["title", "details"]
    assert inputs["title"]["label"] == label and inputs["title"]["isRequired"] is True
    assert inputs["title"]["errorMessage"]
    assert inputs["details"]["isMultiline"] is True
    assert card["actions"][0]["title"] == button
    assert _submit(card) == {"dialog": "propose"}


def test_errors_go_under_their_field_and_values_are_kept() -> None:
    card = _checked(propose_form(EN, {"title": HOSTILE, "details": "kept"},
                                 {"title": "Too long", "": "Something general"}))
    # Values are plain values: what was typed, exactly, never escaped or rendered.
    assert _inputs(card)["title"]["value"] == HOSTILE
    assert _inputs(card)["details"]["value"] == "kept"
    assert "Too long" in _error_after(card, "title")
    assert "Something general" in card["body"][0]["text"]


@pytest.mark.parametrize(("t", "title", "zone"), [(EN, "Schedule a meeting", "time zone"),
                                                   (NB, "Sett opp et møte", "tidssone")])
def test_the_scheduling_form(t: Any, title: str, zone: str) -> None:
    dialog = schedule_form(t, SCHEDULE, OSLO, {}, {})
    card = _checked(dialog)
    assert dialog.title == title
    inputs = _inputs(card)
    assert {"title", "date", "time", "duration", "video_link", "chair", "chair_person", "topics",
            "organisations", "observers"} == set(inputs)
    assert inputs["date"]["type"] == "Input.Date" and inputs["time"]["type"] == "Input.Time"
    assert inputs["duration"]["value"] == 60 and inputs["duration"]["min"] == 15
    assert inputs["chair_person"]["choices.data"]["dataset"] == "graph.microsoft.com/users"
    organisations = inputs["organisations"]
    assert organisations["isMultiSelect"] is True
    # Teams joins picked values with commas: a name's comma is encoded, and read back whole.
    values = [c["value"] for c in organisations["choices"]]
    assert "," not in "".join(values)
    assert decode_choices(",".join(values)) == ["Red, Cross", "Nobody Here"]
    assert any(c["title"].startswith("Nobody Here — ") for c in organisations["choices"])
    assert "Europe/Oslo" in _texts(card) and zone in _texts(card)
    inert(HOSTILE, _texts(card))
    assert _submit(card) == {"dialog": "schedule"}


def test_the_scheduling_form_keeps_picks_and_drops_forged_ones() -> None:
    picked = encode_choice("Red, Cross") + "," + encode_choice("Forged Org")
    card = _checked(schedule_form(EN, SCHEDULE, OSLO, {"organisations": picked, "topics": "8,99", "date": "2026-03-20",
                                                        "time": "10:00", "duration": "90", "chair_person": "abc"},
                                  {"time": "Already passed"}))
    inputs = _inputs(card)
    assert inputs["organisations"]["value"] == encode_choice("Red, Cross")
    assert inputs["topics"]["value"] == "8"
    assert inputs["date"]["value"] == "2026-03-20" and inputs["time"]["value"] == "10:00"
    assert inputs["duration"]["value"] == 90
    assert inputs["chair_person"]["value"] == "abc"  # kept, offered back as a choice
    assert "Already passed" in _error_after(card, "time")


@pytest.mark.parametrize(("t", "count"), [(EN, "Will invite 2 organisations and 5 people."),
                                          (NB, "går til 2 organisasjoner og 5 personer.")])
def test_the_urgent_form_counts_and_recounts(t: Any, count: str) -> None:
    card = _checked(urgent_form(t, URGENT, OSLO, {}, {}))
    inputs = _inputs(card)
    assert {"title", "date", "time", "video_link", "background", "organisations", "observers"} == set(inputs)
    # The default start in the meetings' zone: 14:00 UTC is 15:00 in Oslo.
    assert inputs["date"]["value"] == "2026-03-02" and inputs["time"]["value"] == "15:00"
    assert count in _texts(card)
    assert "Nobody Here" in _texts(card)
    [recount] = [a for e in card["body"] if e["type"] == "ActionSet" for a in e["actions"]]
    assert recount["data"] == {"dialog": "urgent", "recount": True}
    assert _submit(card) == {"dialog": "urgent"}


def test_the_agenda_form_holds_the_meeting_and_keeps_typed_values() -> None:
    card_ = meeting(talks=(Talk("Anna", "Caritas", "Costs", 12, PersonRef("teams", "anna-id")),))
    form = AgendaForm(meeting=card_, topics=((9, "Transport"),), organisations=("Caritas", "Red, Cross"))
    for t, save in ((EN, "Save"), (NB, "Lagre")):
        card = _checked(agenda_form(t, form, {}, {}))
        inputs = _inputs(card)
        assert inputs["topics"]["value"] == "3"  # on the agenda already: chosen
        assert [c["value"] for c in inputs["topics"]["choices"]] == ["3", "9"]
        assert inputs["talk1_speaker"]["value"] == "Anna" and inputs["talk1_minutes"]["value"] == 12
        assert inputs["talk1_person"]["value"] == "anna-id"
        assert inputs["talk1_organisation"]["value"] == "Caritas"
        assert "talk2_subject" in inputs
        assert card["actions"][0]["title"] == save
        assert _submit(card) == {"dialog": "agenda", "meeting": 4}
    again = _checked(agenda_form(EN, form, {"topics": "9", "talk1_speaker": "", "talk2_speaker": "Per",
                                            "talk2_minutes": "ten"}, {"talk2_minutes": "Whole minutes"}))
    inputs = _inputs(again)
    assert inputs["topics"]["value"] == "9"
    assert "value" not in inputs["talk1_speaker"]  # cleared by the person, not refilled
    assert inputs["talk2_speaker"]["value"] == "Per"
    assert "Whole minutes" in _error_after(again, "talk2_minutes")


def test_the_minutes_form() -> None:
    form = MinutesForm(meeting=meeting(), people_attending=(PersonRef("teams", "a"), PersonRef("email", "x@y.no")),
                       organisations=("Caritas",), agencies=("Helsedirektoratet",), summary="Draft",
                       decisions="", action_items=(item(),), follow_up_before=(item(description="Old point"),))
    for t, send in ((EN, "Send"), (NB, "Send")):
        card = _checked(minutes_form(t, form, {}, {}))
        inputs = _inputs(card)
        assert inputs["summary"]["value"] == "Draft" and inputs["summary"]["isRequired"] is True
        assert inputs["discussed"]["value"] == "3"
        assert inputs["attended_kept"]["value"] == "true" and "2" in inputs["attended_kept"]["title"]
        assert inputs["action_1"]["value"] == "Find volunteers"
        assert inputs["action_1_owner"]["value"] == "org:Caritas"
        assert inputs["action_1_due"]["value"] == date(2026, 3, 30).isoformat()
        assert {c["value"] for c in inputs["action_2_owner"]["choices"]} == {
            "city", "org:Caritas", "org:Helsedirektoratet"}
        assert "Old point" in _texts(card)
        assert card["actions"][0]["title"] == send
        assert _submit(card) == {"dialog": "minutes", "meeting": 4}
    again = _checked(minutes_form(EN, form, {"summary": "New", "attended_kept": "false", "action_1": "",
                                             "action_2": "Premises"}, {"action_2": "Who owns it?"}))
    inputs = _inputs(again)
    assert inputs["summary"]["value"] == "New" and inputs["attended_kept"]["value"] == "false"
    assert "value" not in inputs["action_1"] and inputs["action_2"]["value"] == "Premises"
    assert "Who owns it?" in _error_after(again, "action_2")
