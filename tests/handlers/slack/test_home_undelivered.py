"""The coordinator's Home tab lists contacts the bot could not write to: who (an address, or a
chat person), for which organisations, and the server's words, escaped."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.slack.render.home import home_view
from services.home import HomeView
from services.i18n import translator
from services.people import EMAIL, PersonRef
from services.reachability import Undelivered

WHEN = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _home(coordinator: bool, *items: Undelivered) -> HomeView:
    return HomeView(upcoming=(), topics=(), follow_up=(), coordinator=coordinator, next_meeting_insights=None,
                    new_proposals=(), undelivered=items)


def _text(view: dict) -> str:
    return json.dumps(view, ensure_ascii=False)


def test_a_refused_address_is_shown_with_the_servers_words_in_norwegian() -> None:
    item = Undelivered(PersonRef(EMAIL, "gone@example.org"), ("Caritas <b>",), "550 5.1.1 <No such user>",
                       WHEN, 3)
    shown = _text(home_view(translator("nb"), _home(True, item), ZoneInfo("Europe/Oslo")))
    assert "Kunne ikke leveres" in shown
    assert "gone@example.org" in shown
    assert "Caritas &lt;b&gt;" in shown and "550 5.1.1 &lt;No such user&gt;" in shown
    assert "(møte 3)" in shown


def test_a_chat_person_is_mentioned_and_english_reads_english() -> None:
    item = Undelivered(PersonRef("slack", "UGONE01"), ("Caritas",), "user_not_found", WHEN)
    shown = _text(home_view(translator("en"), _home(True, item), ZoneInfo("Europe/Oslo")))
    assert "Could not be delivered" in shown and "<@UGONE01>" in shown and "user_not_found" in shown


def test_nothing_to_report_shows_no_section() -> None:
    shown = _text(home_view(translator("en"), _home(True), ZoneInfo("Europe/Oslo")))
    assert "Could not be delivered" not in shown
