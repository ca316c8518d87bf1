"""Escaping for Slack: entities everywhere (plain_text too), typed emphasis made inert, links and
cuts that keep their shape."""

from __future__ import annotations

import json
from datetime import date

import pytest

from handlers.slack.parsing.forms import OWNER_ORGANISATION
from handlers.slack.render.agenda import agenda_modal
from handlers.slack.render.meetings import meeting_invitation
from handlers.slack.render.minutes import minutes_modal, minutes_posted
from handlers.slack.text import code, entities, escape, link, person, plain_text, truncate
from services.messages import ActionItemView, MeetingInvitation, MinutesPosted, MinutesView
from services.people import EMAIL, PersonRef
from tests.handlers.slack.test_blocks import assert_valid_message
from tests.handlers.slack.test_meeting_blocks import EN, OSLO, meeting

HOSTILE = "Urgent <!everyone> ping & <@U999> *bold* _it_ ~gone~ `code`"


def test_escape_makes_control_sequences_and_typed_emphasis_inert() -> None:
    assert escape(HOSTILE) == ("Urgent &lt;!everyone&gt; ping &amp; &lt;@U999&gt; ∗bold∗ ˍitˍ ∼gone∼ ˋcodeˋ")


@pytest.mark.parametrize("kept", ["snake_case_name", "first_last@example.org", "https://example.org/a_b/*x*",
                                  "www.example.org/~kari", ":white_check_mark:", "2*3=6"])
def test_markers_that_cannot_act_and_addresses_are_kept(kept: str) -> None:
    assert escape(kept) == kept


def test_plain_text_and_code_escape_only_what_they_must() -> None:
    assert plain_text(HOSTILE) == entities(HOSTILE)
    assert "*bold*" in plain_text(HOSTILE) and "<" not in plain_text(HOSTILE)
    assert code("channel_not_found `x`") == "channel_not_found ˋxˋ"


def test_a_link_cannot_be_broken_out_of() -> None:
    assert link("https://meet.example.org/a?b=1&c=2", "Join & go") == "<https://meet.example.org/a?b=1&amp;c=2|Join &amp; go>"
    assert link("https://x.example/|<!here>", "Join") == "<https://x.example/%7C&lt;!here&gt;|Join>"


def test_truncate_never_cuts_an_entity_in_half() -> None:
    assert truncate("abc &amp; def", 7) == "abc …"
    assert truncate("abc &lt;", 8) == "abc &lt;"
    assert truncate("x" * 10, 5) == "xxxx…"


def _minutes(title: str) -> MinutesPosted:
    card = meeting(title=title, agenda=((3, title),))
    view = MinutesView(card, f"Summary {title}", f"Decision {title}",
                       (ActionItemView(f"Do {title}", f"Org {title}", date(2026, 3, 20)),), 3, (f"Org {title}",),
                       ((3, title),), 1)
    return MinutesPosted(view)


def test_the_minutes_notification_text_and_header_are_escaped() -> None:
    rendered = minutes_posted(EN, _minutes(HOSTILE), OSLO)
    assert_valid_message(rendered)
    assert rendered.text == "Minutes: " + escape(HOSTILE)
    [header] = [b for b in rendered.blocks if b["type"] == "header"]
    assert header["text"]["text"] == "Minutes: " + plain_text(HOSTILE)
    assert "<!everyone>" not in json.dumps(rendered.blocks) + rendered.text


def _options(element: dict) -> list[dict]:
    grouped = [o for group in element.get("option_groups") or [] for o in group["options"]]
    return list(element.get("options") or []) + grouped


def test_headers_and_options_in_messages_and_forms_carry_escaped_titles() -> None:
    from services.meetings import AgendaForm
    from services.minutes import MinutesForm

    card = meeting(title=HOSTILE, agenda=((3, HOSTILE),))
    invitation = meeting_invitation(EN, MeetingInvitation(card, personal=True), OSLO)
    headers = [b["text"]["text"] for b in invitation.blocks if b["type"] == "header"]
    assert headers == ["4. " + plain_text(HOSTILE)]
    agenda = agenda_modal(EN, AgendaForm(card, ((5, HOSTILE),), (HOSTILE,)), "{}")
    minutes = minutes_modal(EN, MinutesForm(card, (), organisations=(HOSTILE,), agencies=(HOSTILE,), summary="",
                                            decisions="", action_items=()), "{}")
    # The minutes form's owners come in groups (the city, civil society, agencies), each value
    # marked as an organisation's so that no name can pass for the city.
    for view, stored in ((agenda, HOSTILE), (minutes, OWNER_ORGANISATION + HOSTILE)):
        dump = json.dumps(view, ensure_ascii=False)
        assert "&lt;!everyone&gt;" in dump
        options = [o for b in view["blocks"] for o in _options(b.get("element") or {})]
        texts = [o["text"]["text"] for o in options]
        assert texts and all("<" not in t for t in texts)
        assert stored in [o["value"] for o in options], "values carry the name as stored, to be looked up again"


def test_a_person_is_a_mention_or_an_address_that_cannot_break_out() -> None:
    assert person(PersonRef("slack", "U0KARI01")) == "<@U0KARI01>"
    assert person(PersonRef(EMAIL, "ola@example.org")) == "<mailto:ola@example.org|ola@example.org>"
    # `*`, `_`, `~`, backticks, `&` and `|` are all valid in an address's local part: the target
    # stays exact (the `|` encoded, which would end it), the label cannot open emphasis.
    assert person(PersonRef(EMAIL, "*a|b&c_@example.org")) == (
        "<mailto:*a%7Cb&amp;c_@example.org|\u2217a|b&amp;c\u02cd@example.org>")
