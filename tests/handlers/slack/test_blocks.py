"""Block Kit builders: valid per slack_sdk's models and Slack's limits, escaped, translated."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from handlers.slack import ids
from handlers.slack.render.common import Rendered, plain
from handlers.slack.render.help import help_message
from handlers.slack.render.topics import (
    proposal_confirmation,
    propose_modal,
    support_confirmation,
    topic_announcement,
    topic_list,
)
from services.enums import Side
from services.i18n import Translator, text
from services.messages import TopicAnnouncement, TopicCard
from services.people import PersonRef

EN, NB = Translator("en"), Translator("nb")


def card(**overrides: Any) -> TopicCard:
    values: dict[str, Any] = dict(
        number=7, title="Housing for refugees", details="Families wait too long",
        state="proposed", proposer=PersonRef("slack", "U123"), proposer_side=Side.CIVIL_SOCIETY,
        proposer_organisation="Oslo Red Cross", supporters=3, supporting_organisations=2,
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    values.update(overrides)
    return TopicCard(**values)


def assert_valid_message(rendered: Rendered) -> None:
    assert rendered.text, "a notification fallback text is required"
    assert 0 < len(rendered.blocks) <= 50
    for block in rendered.blocks:
        Block.parse(block).validate_json()
    action_ids = [e["action_id"] for b in rendered.blocks for e in _elements(b)]
    block_ids = [b["block_id"] for b in rendered.blocks if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))
    assert all(a for a in action_ids)


def _mrkdwn(node: Any) -> list[str]:
    if isinstance(node, dict):
        found = [node["text"]] if node.get("type") == "mrkdwn" else []
        return found + [t for v in node.values() for t in _mrkdwn(v)]
    if isinstance(node, list):
        return [t for v in node for t in _mrkdwn(v)]
    return []


def _elements(block: dict[str, Any]) -> list[dict[str, Any]]:
    found = list(block.get("elements", [])) if block["type"] == "actions" else []
    if "accessory" in block:
        found.append(block["accessory"])
    return [e for e in found if "action_id" in e]


def test_announcement_shows_the_topic_supporters_and_a_support_button() -> None:
    rendered = topic_announcement(EN, TopicAnnouncement(card()))
    assert_valid_message(rendered)
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "*7. Housing for refugees*" in dump
    assert "3 supporters from 2 organisations" in dump
    assert "<@U123>" in dump and "civil society · Oslo Red Cross" in dump
    [button] = [e for b in rendered.blocks for e in _elements(b)]
    assert (button["action_id"], button["value"]) == (ids.TOPIC_SUPPORT, "7")


def test_a_proposer_hidden_by_the_service_is_shown_as_their_organisation() -> None:
    hidden = card(proposer=None, proposer_organisation="Islamic Council")
    for rendered in (topic_announcement(EN, TopicAnnouncement(hidden)), topic_list(EN, [hidden])):
        assert_valid_message(rendered)
        dump = json.dumps(rendered.blocks, ensure_ascii=False)
        assert "<@" not in dump and "Islamic Council (civil society)" in dump
    norwegian = json.dumps(topic_announcement(NB, TopicAnnouncement(hidden)).blocks, ensure_ascii=False)
    assert "Foreslått av Islamic Council (sivilsamfunnet)" in norwegian


def test_announcement_in_bokmal() -> None:
    one = card(supporters=1, supporting_organisations=1)
    rendered = topic_announcement(NB, TopicAnnouncement(one))
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "Nytt tema foreslått" in dump
    assert "1 støtte fra 1 organisasjon" in dump
    assert "Støtt" in dump


@pytest.mark.parametrize("hostile", ["<!channel>", "<!here> & <@U999>", "<https://evil.example|click>"])
def test_user_text_is_escaped_everywhere_it_is_echoed(hostile: str) -> None:
    c = card(title=hostile, details=hostile, proposer_organisation=hostile)
    outputs = [
        topic_announcement(EN, TopicAnnouncement(c)),
        topic_list(EN, [c]),
        proposal_confirmation(EN, c, announced=True),
        support_confirmation(EN, c, added=True),
        plain(EN, text("Topic {number} “{title}” is already proposed.", number=1, title=hostile)),
    ]
    for rendered in outputs:
        # mrkdwn and the fallback text are parsed by Slack; plain_text is shown as it is.
        dump = rendered.text + "\n".join(_mrkdwn(rendered.blocks))
        assert hostile not in dump
        assert "<!" not in dump.replace("<@U123>", "")
        assert "&lt;" in dump


def test_topic_list_caps_at_twenty_and_says_how_many_more() -> None:
    cards = [card(number=n, title=f"Topic {n}") for n in range(1, 31)]
    rendered = topic_list(EN, cards)
    assert_valid_message(rendered)
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "30 open topics" in dump
    assert "Topic 20" in dump and "Topic 21" not in dump
    assert "and 10 more" in dump


def test_empty_topic_list_explains_how_to_propose() -> None:
    rendered = topic_list(NB, [])
    assert_valid_message(rendered)
    assert "/dialog foreslå" in rendered.text


def test_longest_allowed_topic_fits_slack_limits() -> None:
    rendered = topic_announcement(EN, TopicAnnouncement(card(title="T" * 150, details="&" * 2000)))
    assert_valid_message(rendered)
    assert all(len(b.get("text", {}).get("text", "")) <= 3000 for b in rendered.blocks)


def test_propose_modal_is_a_valid_view_in_both_languages() -> None:
    for t in (EN, NB):
        view = propose_modal(t, '{"channel_id": "C1"}')
        View(**view).validate_json()
        assert view["callback_id"] == ids.PROPOSE_VIEW
        assert len(view["title"]["text"]) <= 24
        assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == ["title", "details"]


def test_help_lists_the_commands() -> None:
    rendered = help_message(EN)
    assert_valid_message(rendered)
    dump = json.dumps(rendered.blocks, ensure_ascii=False)
    for command in ("propose", "topics", "support", "help"):
        assert f"/dialog {command}" in dump


@pytest.mark.parametrize("translator", [EN, NB])
def test_usage_placeholders_are_escaped_so_slack_shows_them_instead_of_reading_markup(translator: Translator) -> None:
    dump = json.dumps(help_message(translator).blocks, ensure_ascii=False)
    assert "&lt;topic-no&gt;" in dump or "&lt;tema-nr&gt;" in dump
    assert "<topic-no>" not in dump and "<title>" not in dump
    assert "&lt;" in topic_list(translator, []).text


def test_a_domain_message_escapes_its_own_placeholders_and_what_was_typed_exactly_once() -> None:
    message = text("Use `/dialog support <topic-no>`, not {typed}.", typed="<!channel> & co")
    line = plain(EN, message).text
    assert line == "Use `/dialog support &lt;topic-no&gt;`, not &lt;!channel&gt; &amp; co."
