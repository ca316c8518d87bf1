"""Time in what coordinators read: the zone a typed time was read in, invitations brought forward
off a holiday, and `suggest`'s window, in English and Norwegian."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from handlers.slack.render.meetings import schedule_confirmation
from handlers.slack.render.planning import slot_list
from services.i18n import Translator
from services.meetings import ScheduleOutcome
from services.planning import Slot, SlotAdvice
from tests.handlers.slack.test_blocks import assert_valid_message
from tests.handlers.slack.test_meeting_blocks import meeting

EN, NB = Translator("en"), Translator("nb")
OSLO = ZoneInfo("Europe/Oslo")
JANUARY = datetime(2027, 1, 14, 14, 0, tzinfo=UTC)  # 15:00 in Oslo
NEW_YEAR = datetime(2026, 12, 30, 14, 0, tzinfo=UTC)


def _text(rendered) -> str:
    return rendered.text + json.dumps(rendered.blocks, ensure_ascii=False)


def test_the_confirmation_names_the_zone_the_time_was_read_in() -> None:
    outcome = ScheduleOutcome(meeting(starts_at=JANUARY, invite_at=NEW_YEAR), invitations_sent=False)
    english, norwegian = schedule_confirmation(EN, outcome, OSLO), schedule_confirmation(NB, outcome, OSLO)
    assert_valid_message(english)
    assert "is scheduled for <!date^" in english.text and "(15:00, time zone Europe/Oslo)." in english.text
    # Norwegian text carries the date in Norwegian: Slack would show its token in English.
    assert "er satt opp til torsdag 14. januar 2027 kl. 15:00 (tidssone Europe/Oslo)." in norwegian.text
    assert "<!date^" not in _text(norwegian)
    assert "brought forward" not in _text(english) and "flyttet fram" not in _text(norwegian)


def test_the_confirmation_says_when_invitations_were_brought_forward() -> None:
    outcome = ScheduleOutcome(meeting(starts_at=JANUARY, invite_at=NEW_YEAR), invitations_sent=False,
                              brought_forward=True)
    assert "brought forward to a working day" in _text(schedule_confirmation(EN, outcome, OSLO))
    assert "flyttet fram til en arbeidsdag" in _text(schedule_confirmation(NB, outcome, OSLO))
    sent_now = ScheduleOutcome(meeting(starts_at=JANUARY, invite_at=NEW_YEAR), invitations_sent=True,
                               brought_forward=False)
    assert "brought forward" not in _text(schedule_confirmation(EN, sent_now, OSLO))


def test_slot_list_names_its_window_the_working_day_rule_and_the_afternoons() -> None:
    slot = Slot(datetime(2027, 3, 30, 15, 0, tzinfo=UTC), suits=2, organisations=2)  # 17:00 summer time
    advice = SlotAdvice((slot,), date(2027, 3, 25), date(2027, 4, 14), time(18, 0), afternoons=True)
    english, norwegian = slot_list(EN, advice, OSLO), slot_list(NB, advice, OSLO)
    assert_valid_message(english)
    assert english.text.startswith("Best times from 25 March 2027 to 14 April 2027")
    assert "Only working days" in _text(english) and "times until 18:00 are included" in _text(english)
    assert "(the time in Europe/Oslo)" in _text(english)
    assert norwegian.text.startswith("Beste tidspunkter fra 25. mars 2027 til 14. april 2027")
    assert "Bare arbeidsdager" in _text(norwegian) and "fram til kl. 18:00" in _text(norwegian)
    assert "tirsdag 30. mars 2027 kl. 17:00" in _text(norwegian) and "<!date^" not in _text(norwegian)


def test_slot_list_without_afternoons_or_slots() -> None:
    advice = SlotAdvice((), date(2027, 3, 25), date(2027, 4, 14), time(16, 0), afternoons=False)
    rendered = slot_list(EN, advice, OSLO)
    assert_valid_message(rendered)
    assert rendered.text == "No free slot in office hours from 25 March 2027 to 14 April 2027."
    assert "Only working days" in _text(rendered) and "afternoons" not in _text(rendered)
