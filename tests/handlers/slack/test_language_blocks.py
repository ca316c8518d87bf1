"""Norwegian messages carry Norwegian dates, never Slack's date token (which Slack shows in English
to Norwegians); the language answer and the Home tab's picker are valid Block Kit."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.models.blocks import Block

from handlers.slack import ids
from handlers.slack.render.languages import language_chosen, language_picker, language_status
from handlers.slack.render.meetings import (
    meeting_cancelled,
    meeting_invitation,
    meeting_nudge,
    meeting_reminder,
)
from handlers.slack.text import slack_date
from services.enums import Answer
from services.i18n import Translator
from services.languages import LanguageChosen, LanguageSetting, LanguageSource
from services.messages import MeetingCancelled, MeetingInvitation, MeetingNudge, MeetingReminder
from tests.handlers.slack.test_blocks import assert_valid_message
from tests.handlers.slack.test_meeting_blocks import meeting

EN, NB = Translator("en"), Translator("nb")
OSLO = ZoneInfo("Europe/Oslo")
DECEMBER = datetime(2026, 12, 3, 13, 0, tzinfo=UTC)  # Thursday 3 December, 14:00 in Oslo


def _text(rendered) -> str:
    return rendered.text + json.dumps(rendered.blocks, ensure_ascii=False)


@pytest.mark.parametrize("render", [
    lambda t: meeting_invitation(t, MeetingInvitation(meeting(starts_at=DECEMBER), personal=True), OSLO),
    lambda t: meeting_reminder(t, MeetingReminder(meeting(starts_at=DECEMBER), Answer.YES), OSLO),
    lambda t: meeting_nudge(t, MeetingNudge(meeting(starts_at=DECEMBER), "Caritas"), OSLO),
    lambda t: meeting_cancelled(t, MeetingCancelled(meeting(starts_at=DECEMBER)), OSLO),
], ids=["invitation", "reminder", "nudge", "cancellation"])
def test_norwegian_messages_write_the_date_in_norwegian(render) -> None:
    norwegian, english = render(NB), render(EN)
    assert_valid_message(norwegian)
    assert "torsdag 3. desember 2026 kl. 14:00" in norwegian.text
    assert "<!date^" not in _text(norwegian) and "Thursday" not in _text(norwegian)
    # English keeps Slack's token (each reader's own zone), with an English fallback.
    assert "<!date^" in english.text and "Thursday, 3 December 2026 14:00 (Europe/Oslo)" in english.text


def test_a_norwegian_date_outside_oslo_names_its_zone() -> None:
    assert slack_date(DECEMBER, ZoneInfo("Europe/London"), "nb") == "torsdag 3. desember 2026 kl. 13:00 (Europe/London)"


def test_the_language_answers_say_why_and_how_to_change() -> None:
    mine = LanguageSetting("en", LanguageSource.CHOICE)
    chosen = language_chosen(EN, LanguageChosen(mine, changed=True))
    assert_valid_message(chosen)
    assert chosen.text.startswith("I write to you in English, as you chose.")
    assert "already planned" in chosen.text
    workspace = language_status(NB, LanguageSetting("nb", LanguageSource.WORKSPACE))
    assert_valid_message(workspace)
    assert "på norsk (bokmål), som er standardspråket her" in workspace.text
    assert "`/dialog språk en`" in _text(workspace)
    organisation = language_status(NB, LanguageSetting("nb", LanguageSource.ORGANISATION))
    assert "organisasjonens språk" in organisation.text


def test_the_home_pickers_initial_option_is_the_readers_language() -> None:
    for t in (EN, NB):
        [block] = language_picker(t)
        shown = block.to_dict()
        Block.parse(shown).validate_json()  # type: ignore[union-attr]
        assert shown["block_id"] == ids.LANGUAGE_PICK and shown["accessory"]["action_id"] == ids.LANGUAGE_PICK
        assert shown["accessory"]["initial_option"]["value"] == t.language
        # Each language is named in itself, whatever the page is in.
        assert [o["text"]["text"] for o in shown["accessory"]["options"]] == ["Norsk (bokmål)", "English"]
