"""Command text, button values and modal state become typed values, or a clear refusal."""

from __future__ import annotations

import pytest

from handlers.slack.parsing import (
    Help,
    ListTopics,
    ModalContext,
    Propose,
    Support,
    parse_command,
    proposal_form,
    topic_number_from_button,
)
from services.errors import InvalidInput
from services.i18n import Command, Hint


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", Help()),
        ("   ", Help()),
        ("help", Help()),
        ("HJELP", Help()),
        ("topics", ListTopics()),
        ("tema", ListTopics()),
        ("support 3", Support(3)),
        ("støtt #12", Support(12)),
        ("stott 12", Support(12)),
        ("propose Housing for refugees", Propose("Housing for refugees", "")),
        ("foreslå Bolig | Mange venter  | lenge", Propose("Bolig", "Mange venter  | lenge")),
        ("propose", Propose("", "")),
        ("propose  | only details", Propose("", "only details")),
    ],
)
def test_commands_parse(raw: str, expected: object) -> None:
    assert parse_command(raw) == expected


def test_empty_propose_opens_the_modal() -> None:
    assert parse_command("propose").wants_modal
    assert not parse_command("propose x").wants_modal


@pytest.mark.parametrize("raw", ["support", "support three", "support 0", "støtt -1", "support 1 2"])
def test_support_needs_a_number(raw: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_command(raw)
    assert "usage" in refused.value.message.params


def test_unknown_commands_name_the_word_and_point_to_help() -> None:
    with pytest.raises(InvalidInput) as refused:
        parse_command("frobnicate now")
    # Each platform writes the help command its own way (Slack: `/dialog help`; Teams: **help**).
    assert refused.value.message.params == {"command": "frobnicate", "help": Hint(Command.HELP)}


@pytest.mark.parametrize("value", ["", "abc", "0", "1e3"])
def test_forged_button_values_are_refused(value: str) -> None:
    with pytest.raises(InvalidInput):
        topic_number_from_button(value)


def test_modal_state_is_read_and_missing_fields_are_empty() -> None:
    view = {"state": {"values": {"title": {"value": {"type": "plain_text_input", "value": "Hello"}},
                                 "details": {"value": {"type": "plain_text_input", "value": None}}}}}
    form = proposal_form(view)
    assert (form.title, form.details) == ("Hello", "")
    assert proposal_form({}).title == ""


def test_modal_context_round_trips_and_tolerates_garbage() -> None:
    origin = ModalContext("C1", "https://hooks.slack.com/commands/1")
    assert ModalContext.load(origin.dump()) == origin
    assert ModalContext.load("not json") == ModalContext()
    assert ModalContext.load("[1, 2]") == ModalContext()


def test_slack_escaped_text_is_stored_as_typed() -> None:
    assert parse_command("propose Jobs &amp; housing &lt;2027&gt; | a &gt; b") == Propose("Jobs & housing <2027>", "a > b")
    assert parse_command('roster remove "A &amp; B"').name == "A & B"
    assert parse_command("urgent Storm &amp; flood").title == "Storm & flood"


def test_urgent_with_a_time_alone_means_today() -> None:
    from handlers.slack.parsing import Urgent

    assert parse_command("urgent 14:00 Flooding downtown") == Urgent("Flooding downtown", "", "14:00")
    assert parse_command("urgent 2026-03-02 14:00 Flood") == Urgent("Flood", "2026-03-02", "14:00")
    with pytest.raises(InvalidInput):
        parse_command("urgent 14:00")
