"""The minutes' confirmations count who the minutes are on their way to: everyone invited (every
contact of every organisation invited, observers too), not the attendees; in both languages."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from handlers.slack.render.minutes import minutes_confirmation
from handlers.slack.render.review import final_confirmation
from services.enums import MinutesState
from services.i18n import Translator
from services.messages import MinutesView
from services.minutes import MinutesRecorded
from services.minutes_review import FinalOutcome
from tests.handlers.slack.test_blocks import assert_valid_message
from tests.handlers.slack.test_meeting_blocks import meeting

EN, NB = Translator("en"), Translator("nb")
OSLO = ZoneInfo("Europe/Oslo")


def _recorded(state: MinutesState, readers: int) -> MinutesRecorded:
    # Two attended; the minutes go to everyone invited.
    view = MinutesView(meeting=meeting(), summary="Warm rooms.", decisions="", action_items=(), attendees=2,
                       attending_organisations=("Caritas",), discussed=(), version=1, state=state,
                       review_until=datetime(2026, 3, 5, 11, 0, tzinfo=UTC))
    return MinutesRecorded(view, readers)


def test_final_minutes_are_on_their_way_to_everyone_invited() -> None:
    for t, line in ((EN, "on their way to the channel and everyone invited (301 people)."),
                    (NB, "på vei til kanalen og alle inviterte (301 personer).")):
        rendered = minutes_confirmation(t, _recorded(MinutesState.FINAL, 301), OSLO)
        assert_valid_message(rendered)
        assert line in rendered.text and "attendee" not in rendered.text and "deltaker" not in rendered.text
    assert "(1 person)." in minutes_confirmation(EN, _recorded(MinutesState.FINAL, 1), OSLO).text


def test_drafts_and_making_them_final_count_the_same_people() -> None:
    for t, line in ((EN, "on their way to everyone invited (4 people) as a draft for comments"),
                    (NB, "på vei til alle inviterte (4 personer) som utkast til kommentar")):
        rendered = minutes_confirmation(t, _recorded(MinutesState.DRAFT, 4), OSLO)
        assert_valid_message(rendered)
        assert line in rendered.text
    for t, line in ((EN, "are final and on their way to the channel and everyone invited (4 people)."),
                    (NB, "er endelig og på vei til kanalen og alle inviterte (4 personer).")):
        assert line in final_confirmation(t, FinalOutcome(1, "Winter", already=False, readers=4)).text
    assert "already final" in final_confirmation(EN, FinalOutcome(1, "Winter", already=True, readers=4)).text
