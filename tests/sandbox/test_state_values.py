"""What the page sends for a form becomes the `view.state.values` Slack would send."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from sandbox.workspace import _action_fields, state_values

OSLO = ZoneInfo("Europe/Oslo")
MEMBERS = {"U0AMINA", "U0OLA"}


def option(value: str) -> dict[str, Any]:
    return {"text": {"type": "plain_text", "text": value.title()}, "value": value}


def block(block_id: str, element: dict[str, Any]) -> dict[str, Any]:
    return {"type": "input", "block_id": block_id, "label": {"type": "plain_text", "text": block_id},
            "element": {"action_id": "value", **element}}


VIEW = {"blocks": [
    {"type": "section", "text": {"type": "mrkdwn", "text": "not an input"}},
    block("title", {"type": "plain_text_input"}),
    block("length", {"type": "number_input", "is_decimal_allowed": False}),
    block("link", {"type": "url_text_input"}),
    block("day", {"type": "datepicker"}),
    block("at", {"type": "timepicker"}),
    block("starts", {"type": "datetimepicker"}),
    block("tier", {"type": "static_select", "options": [option("core"), option("topic")]}),
    block("orgs", {"type": "multi_static_select",
                   "option_groups": [{"label": {"type": "plain_text", "text": "g"}, "options": [option("a"), option("b")]}]}),
    block("topics", {"type": "checkboxes", "options": [option("1"), option("2")]}),
    block("people", {"type": "multi_users_select"}),
]}


def test_every_element_type_is_sent_in_slacks_shape() -> None:
    raw = {
        "title": {"value": "  Bike lanes  "}, "length": {"value": "45"}, "link": {"value": ""},
        "day": {"value": "2026-12-03"}, "at": {"value": "10:30"}, "starts": {"value": "2026-12-03T10:00"},
        "tier": {"value": "topic"}, "orgs": {"value": ["b", "zzz"]}, "topics": {"value": ["2"]},
        "people": {"value": ["U0OLA", "U0NOBODY"]},
    }
    values = state_values(VIEW, raw, OSLO, MEMBERS)
    assert values == {
        "title": {"value": {"type": "plain_text_input", "value": "Bike lanes"}},
        "length": {"value": {"type": "number_input", "value": "45"}},
        "link": {"value": {"type": "url_text_input", "value": None}},
        "day": {"value": {"type": "datepicker", "selected_date": "2026-12-03"}},
        "at": {"value": {"type": "timepicker", "selected_time": "10:30"}},
        # 10:00 on the person's wall clock in Oslo (CET, UTC+1) is 09:00 UTC.
        "starts": {"value": {"type": "datetimepicker", "selected_date_time": 1796288400}},
        "tier": {"value": {"type": "static_select", "selected_option": option("topic")}},
        "orgs": {"value": {"type": "multi_static_select", "selected_options": [option("b")]}},
        "topics": {"value": {"type": "checkboxes", "selected_options": [option("2")]}},
        "people": {"value": {"type": "multi_users_select", "selected_users": ["U0OLA"]}},
    }


def test_nothing_entered_and_nonsense_are_empty_values_not_errors() -> None:
    raw = {"day": {"value": "03.12.2026"}, "starts": {"value": "tomorrow"}, "tier": {"value": "gold"},
           "title": "not an object", "orgs": {"value": 7}}
    values = state_values(VIEW, raw, OSLO, MEMBERS)
    assert values["day"]["value"]["selected_date"] is None
    assert values["starts"]["value"]["selected_date_time"] is None
    assert values["tier"]["value"]["selected_option"] is None
    assert values["title"]["value"]["value"] is None
    assert values["orgs"]["value"]["selected_options"] == []
    assert values["people"]["value"]["selected_users"] == []


def test_a_click_is_described_as_slack_describes_it() -> None:
    button = {"type": "button", "action_id": "rsvp_yes", "value": "1", "style": "primary",
              "text": {"type": "plain_text", "text": "Attending"}}
    assert _action_fields(button, {"type": "button"}) == {
        "type": "button", "text": button["text"], "style": "primary"}
    picker = VIEW["blocks"][8]["element"]
    assert _action_fields(picker, {"selected": ["a", "nope"]}) == {
        "type": "multi_static_select", "selected_options": [option("a")]}
