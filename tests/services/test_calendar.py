"""Calendar files: parsed back with the same library; one UID, rising SEQUENCE, cancellation."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar

from services.clock import ManualClock
from services.container import Services
from services.messages import Talk
from tests.factories import coordinator, person


def _event(services: Services, token: str):
    raw = services.calendars.ics(token)
    assert raw is not None
    [event] = [c for c in Calendar.from_ical(raw).walk("VEVENT")]
    return Calendar.from_ical(raw), event


def test_the_ics_carries_time_zone_link_agenda_and_alarm(services: Services, clock: ManualClock) -> None:
    services.topics.propose(person("U1AA"), "Heating costs")
    card = services.meetings.schedule(coordinator(), title="March dialogue", starts_at=clock.now() + timedelta(days=20),
                                      duration_minutes=90, video_link="https://meet.example.org/m", topic_numbers=[1]).meeting
    services.meetings.set_agenda(coordinator(), card.number, topic_numbers=[1],
                                 talks=[Talk("Deputy mayor", None, "Winter plans", 10)])
    calendar, event = _event(services, card.calendar_token)
    start = event.decoded("dtstart")
    assert start.tzinfo is not None and str(start.tzinfo) in ("Europe/Oslo", str(ZoneInfo("Europe/Oslo")))
    assert start == card.starts_at
    assert event.decoded("dtend") - start == timedelta(minutes=90)
    assert str(event["summary"]) == "March dialogue" and str(event["status"]) == "CONFIRMED"
    assert "Winter plans" in str(event["description"]) and "#1 Heating costs" in str(event["description"])
    assert str(event["location"]) == "https://meet.example.org/m"
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(minutes=15)
    assert calendar.walk("VTIMEZONE"), "the zone travels with the file"
    assert int(event["sequence"]) == 1, "scheduled, then the agenda changed once: one update of the event"


def test_cancelling_keeps_the_uid_and_raises_the_sequence(services: Services, clock: ManualClock) -> None:
    card = services.meetings.schedule(coordinator(), title="March dialogue", starts_at=clock.now() + timedelta(days=20)).meeting
    _, before = _event(services, card.calendar_token)
    services.meetings.cancel(coordinator(), card.number)
    calendar, after = _event(services, card.calendar_token)
    assert str(after["uid"]) == str(before["uid"])
    assert int(after["sequence"]) > int(before["sequence"])
    assert str(after["status"]) == "CANCELLED" and str(calendar["method"]) == "CANCEL"
    assert not after.walk("VALARM")


def test_unknown_tokens_get_nothing(services: Services) -> None:
    assert services.calendars.ics("no-such-token") is None
    assert services.calendars.ics("") is None
