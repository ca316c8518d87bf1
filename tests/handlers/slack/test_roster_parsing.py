"""`recommend`/`anbefal` and the roster form's commands: what they parse into, and the forms' state."""

from __future__ import annotations

import pytest

from handlers.slack.parsing.commands import Recommend, RosterForm
from handlers.slack.parsing.grammar import parse_command
from handlers.slack.parsing.roster_forms import RosterOrigin, accept_as, roster_form, suggestion_form
from services.enums import Tier
from services.errors import InvalidInput
from services.roster import RosterRow


@pytest.mark.parametrize(("typed", "parsed"), [
    ("recommend", Recommend()),
    ('recommend "Kirkens Bymisjon" They run the night shelter',
     Recommend("Kirkens Bymisjon", "They run the night shelter")),
    ("anbefal 3 «Kirkens Bymisjon» De driver natthjemmet", Recommend("Kirkens Bymisjon", "De driver natthjemmet", 3)),
    ("recommend NOAS asylum law &amp; rights", Recommend("NOAS", "asylum law & rights")),
    ("roster add", RosterForm()),
    ("deltakere ny", RosterForm()),
    ('roster edit "Oslo Red Cross"', RosterForm("Oslo Red Cross")),
    ("deltakere endre Caritas", RosterForm("Caritas")),
])
def test_the_commands_parse(typed: str, parsed: object) -> None:
    assert parse_command(typed) == parsed


def test_suggest_stays_the_time_slots_command() -> None:
    assert type(parse_command("suggest")).__name__ == "Suggest"
    assert type(parse_command("tidsforslag")).__name__ == "Suggest"


@pytest.mark.parametrize("typed", ["roster edit", 'roster edit "Caritas" extra'])
def test_a_bad_roster_edit_gets_the_usage(typed: str) -> None:
    with pytest.raises(InvalidInput):
        parse_command(typed)


def test_the_roster_forms_state_becomes_a_roster_row() -> None:
    view = {"state": {"values": {
        "name": {"value": {"type": "plain_text_input", "value": " Caritas\u200b "}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": "core"}}},
        "contacts": {"value": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "perspectives": {"value": {"type": "multi_static_select",
                                   "selected_options": [{"value": "religion"}, {"value": "gender-age"}]}},
        "preferred_time": {"value": {"type": "static_select", "selected_option": {"value": "afternoon"}}},
        "language": {"value": {"type": "static_select", "selected_option": {"value": "workspace"}}},
        "keywords": {"value": {"type": "plain_text_input", "value": "housing; school,\nhealth"}},
    }}}
    assert roster_form(view) == RosterRow(" Caritas ", "core", ("U1", "U2"), ("religion", "gender-age"),
                                          "afternoon", "", ("housing", "school", "health"))
    assert suggestion_form({"state": {"values": {}}}).meeting is None
    assert accept_as("12|core") == (12, Tier.CORE)
    origin = RosterOrigin.load(RosterOrigin.load('{"response_url": "https://x", "organisation": "NOAS"}').dump())
    assert (origin.organisation, origin.context.response_url) == ("NOAS", "https://x")
