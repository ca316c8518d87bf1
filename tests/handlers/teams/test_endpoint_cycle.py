"""The rest of the cycle from Teams alone, through the real `/api/messages`, on an injected clock: an
agenda point added by command, the meeting held, its minutes written in the Teams dialog, and the
minutes posted in the dialogue channel and to everyone invited."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from fakes.teams import activities
from fakes.teams.connector import Sent
from services.clock import ManualClock
from tests.handlers.teams.test_endpoint import _card_texts, _set_up
from tests.support.teams import COORDINATOR, MEMBER, TeamsClient, running_teams_bot

OSLO = ZoneInfo("Europe/Oslo")


def test_agenda_and_minutes_from_teams(database_url: str) -> None:
    clock = ManualClock(datetime.now(UTC).replace(microsecond=0))
    with running_teams_bot(database_url, clock=clock) as teams:
        _set_up(teams)
        teams.say(MEMBER, "foreslå Sykkelveier ved skolene")
        day = (clock.now().astimezone(OSLO) + timedelta(days=2)).date()
        while day.weekday() >= 5:
            day += timedelta(days=1)
        teams.say(COORDINATOR, f"planlegg {day.isoformat()} 10:00 Dialogmøte om trafikk")
        teams.say(COORDINATOR, "agenda 1 add 1")
        teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.CHANNEL_ID and "Dialogmøte om trafikk" in _card_texts(s)
            and "Sykkelveier ved skolene" in _card_texts(s)], timeout=30)
        # The meeting is held; the coordinator writes the minutes in the dialog.
        clock.set(datetime.combine(day, datetime.min.time(), OSLO).replace(hour=12).astimezone(UTC))
        status, body = teams.post(activities.task_fetch({"dialog": "minutes", "meeting": 1}, sender=COORDINATOR))
        assert status == 200 and body["task"]["type"] == "continue", body
        status, body = teams.post(activities.task_submit(
            {"dialog": "minutes", "meeting": 1, "summary": "Vi ble enige om trygge sykkelveier.",
             "decisions": "Bydelene kartlegger skoleveiene.", "attendees": ""}, sender=COORDINATOR))
        assert status == 200 and body["task"]["type"] == "message", body
        # Posted in the channel, and to the member who was invited. Their chat had several messages
        # just now: Teams' pacing lets the next ones go as the (injected) clock moves on.
        for conversation in (activities.CHANNEL_ID, activities.personal_conversation(MEMBER)):
            _wait_while_time_passes(teams, clock, lambda sent, where=conversation: [
                s for s in sent if s.conversation_id.startswith(where)
                and "Vi ble enige om trygge sykkelveier." in _card_texts(s)])


def _wait_while_time_passes(teams: TeamsClient, clock: ManualClock, found: Callable[[list[Sent]], list[Sent]]) -> None:
    for _ in range(30):
        try:
            teams.connector.wait_for(found, timeout=1)
            return
        except TimeoutError:
            clock.advance(timedelta(seconds=5))
    raise AssertionError("never sent")
