"""`recommend`/`anbefal` and the roster form's commands: what they parse into, and the forms' state."""

from __future__ import annotations

import pytest

from fakes.slack.requests import slash_command_payload
from handlers.common.parsing.commands import Recommend, RosterAdd, RosterContact, RosterForm
from handlers.common.parsing.grammar import parse_command
from handlers.slack.parsing.roster_forms import (
    ROSTER_ADDRESSES,
    RosterOrigin,
    accept_as,
    roster_form,
    suggestion_form,
)
from services.enums import Tier
from services.errors import Field, InvalidInput
from services.roster import ContactInput, RosterRow


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
                                          "afternoon", "", ("housing", "school", "health"), keeps_addresses=True)
    assert suggestion_form({"state": {"values": {}}}).meeting is None
    assert accept_as("12|core") == (12, Tier.CORE)
    origin = RosterOrigin.load(RosterOrigin.load('{"response_url": "https://x", "organisation": "NOAS"}').dump())
    assert (origin.organisation, origin.context.response_url) == ("NOAS", "https://x")


def _as_slack_sends(text: str) -> str:
    """The command text as it arrives: a recorded slash command's fields, form-encoded and back."""
    return slash_command_payload(text, user_id="UCOORD01")["text"]


# Slack escapes a mention as `<@U…|name>` (or `<@U…>`) and links an address it recognises as
# `<mailto:…|…>`; with `=` between them both are kept, and Slack may link the `=` into the address.
@pytest.mark.parametrize(("typed", "parsed"), [
    ('roster add "Bydelsmødrene" core <mailto:ola@example.org|ola@example.org>',
     RosterAdd("Bydelsmødrene", Tier.CORE, ("ola@example.org",))),
    ("roster add Caritas core <@U0KARI01|kari> Ola@Example.org <@U0PER001>",
     RosterAdd("Caritas", Tier.CORE, ("U0KARI01", "Ola@Example.org", "U0PER001"))),
    ("deltakere ny Caritas fast <@U0KARI01|kari>=<mailto:kari@example.org|kari@example.org>",
     RosterAdd("Caritas", Tier.CORE, (ContactInput("U0KARI01", "kari@example.org"),))),
    ("roster add Caritas topic <@U0KARI01>=kari@example.org <@U0PER001|per><mailto:=per@example.org|=per@example.org>",
     RosterAdd("Caritas", Tier.TOPIC, (ContactInput("U0KARI01", "kari@example.org"),
                                      ContactInput("U0PER001", "per@example.org")))),
    ('roster contact "Caritas" <mailto:post@caritas.example.org|post@caritas.example.org>',
     RosterContact("Caritas", ("post@caritas.example.org",))),
    # One person and one address alone: that person's own address.
    ("deltakere kontakt Caritas <@U0KARI01|kari> <mailto:kari@example.org|kari@example.org>",
     RosterContact("Caritas", (ContactInput("U0KARI01", "kari@example.org"),))),
    ("roster contact Caritas <@U0KARI01|kari> <@U0PER001|per> post@caritas.example.org",
     RosterContact("Caritas", ("U0KARI01", "U0PER001", "post@caritas.example.org"))),
    ("roster contact Caritas a&amp;b@example.org", RosterContact("Caritas", ("a&b@example.org",))),
])
def test_roster_commands_take_people_addresses_and_pairs(typed: str, parsed: object) -> None:
    assert parse_command(_as_slack_sends(typed)) == parsed


@pytest.mark.parametrize("word", ["kari", "@kari", "@kari=kari@example.org", "&lt;script&gt;"])
def test_a_word_that_is_neither_a_person_nor_an_address_is_refused_by_name(word: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_command(_as_slack_sends(f"roster add Caritas core {word}"))
    assert refused.value.field == Field.CONTACTS
    assert refused.value.message.params["word"] in (word, "<script>")


def test_the_roster_forms_addresses_are_meant_as_addresses() -> None:
    view = {"state": {"values": {
        "name": {"value": {"type": "plain_text_input", "value": "Caritas"}},
        "tier": {"value": {"type": "static_select", "selected_option": {"value": "core"}}},
        "contacts": {"value": {"type": "multi_users_select", "selected_users": ["U1"]}},
        ROSTER_ADDRESSES: {"value": {"type": "plain_text_input",
                                     "value": "ola@example.org, Kari@example.org\r\n\nkari\u200b\n"}},
    }}}
    row = roster_form(view)
    # Each typed word is an address to check ("kari" is refused as one, never taken for a person).
    assert row.contacts == ("U1", ContactInput(address="ola@example.org"), ContactInput(address="Kari@example.org"),
                            ContactInput(address="kari"))
    assert row.keeps_addresses
