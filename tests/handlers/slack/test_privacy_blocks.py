"""The privacy messages as Slack shows them: valid blocks in both languages, the JSON itself when
the bot has no public address and it fits, a pointer to a coordinator when it does not."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from fakes.slack.blockkit import message_problems
from handlers.slack.render.common import Rendered
from handlers.slack.render.privacy import personal_data_ready, privacy_notice
from services.i18n import Translator
from services.messages import PersonalDataReady, PrivacyNotice

ZONE = ZoneInfo("Europe/Oslo")


def _problems(rendered: Rendered) -> list[str]:
    error, problems, _ = message_problems({"text": rendered.text, "blocks": rendered.blocks})
    return [error, *problems] if error else problems


def _data(document: str) -> PersonalDataReady:
    return PersonalDataReady((("contact_for", 1), ("invitations", 3)), document, "12.abc",
                             datetime(2026, 3, 5, 9, tzinfo=UTC))


@pytest.mark.parametrize("language", ["en", "nb"])
def test_without_a_public_address_a_small_document_comes_in_the_message(language: str) -> None:
    document = json.dumps({"person": {"user_id": "U1"}, "note": "`<!channel>`"}, indent=2)
    rendered = personal_data_ready(Translator(language), _data(document), ZONE, "")
    assert _problems(rendered) == []
    shown = json.dumps(rendered.blocks)
    assert '\\"user_id\\": \\"U1\\"' in shown and "<!channel>" not in shown


def test_a_document_too_big_for_a_message_points_to_a_coordinator() -> None:
    rendered = personal_data_ready(Translator("en"), _data("x" * 40_000), ZONE, "")
    assert _problems(rendered) == [] and "Ask a coordinator" in json.dumps(rendered.blocks)


@pytest.mark.parametrize("language", ["en", "nb"])
def test_the_notice_says_who_is_responsible_and_how_long(language: str) -> None:
    notice = PrivacyNotice(("Caritas", "<Red> & *Cross*"), "Oslo kommune", "", timedelta(days=730.485))
    rendered = privacy_notice(Translator(language), notice)
    assert _problems(rendered) == []
    shown = json.dumps(rendered.blocks, ensure_ascii=False)
    assert "Oslo kommune" in shown and ("24 months" in shown or "24 måneder" in shown)
    assert "<Red>" not in shown
