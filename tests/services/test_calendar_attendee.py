"""The .ics an e-mail carries: the calendar link's event (same UID, SEQUENCE from the version) as an
iTIP request or cancellation, organised by the sender, for the one attendee it was sent to."""

from __future__ import annotations

from datetime import timedelta

from icalendar import Calendar

from services.clock import ManualClock
from services.container import Services
from tests.factories import coordinator

SENDER = "Dialogbot i Oslo <dialog@example.org>"


def _parsed(raw: bytes | None):
    assert raw is not None
    calendar = Calendar.from_ical(raw)
    [event] = calendar.walk("VEVENT")
    return calendar, event


def test_an_invitation_is_a_request_for_one_attendee_who_answers_by_link(services: Services,
                                                                         clock: ManualClock) -> None:
    card = services.meetings.schedule(coordinator(), title="Mars-dialog", starts_at=clock.now() + timedelta(days=20),
                                      duration_minutes=90, video_link="https://meet.example.org/m",
                                      chair="Varaordfører for helse").meeting
    calendar, event = _parsed(services.calendars.for_attendee(card.calendar_token, "REQUEST", "kari@example.org",
                                                              organizer=SENDER, language="nb"))
    _, published = _parsed(services.calendars.ics(card.calendar_token))
    assert str(calendar["method"]) == "REQUEST"
    assert str(event["uid"]) == str(published["uid"]) and int(event["sequence"]) == int(published["sequence"]) == 0
    assert str(event["organizer"]) == "mailto:dialog@example.org"
    assert event["organizer"].params["CN"] == "Dialogbot i Oslo"
    attendee = event["attendee"]
    assert str(attendee) == "mailto:kari@example.org"
    assert attendee.params["RSVP"] == "FALSE" and attendee.params["PARTSTAT"] == "NEEDS-ACTION"
    assert "Møteleder: Varaordfører for helse" in str(event["description"])
    assert str(event["location"]) == str(event["url"]) == "https://meet.example.org/m"
    assert str(event["status"]) == "CONFIRMED" and event.walk("VALARM")
    assert event.decoded("dtstart") == card.starts_at
    assert calendar.walk("VTIMEZONE")


def test_a_change_raises_the_sequence_and_a_cancellation_cancels_the_same_event(services: Services,
                                                                              clock: ManualClock) -> None:
    card = services.meetings.schedule(coordinator(), title="March dialogue",
                                      starts_at=clock.now() + timedelta(days=20)).meeting
    _, first = _parsed(services.calendars.for_attendee(card.calendar_token, "REQUEST", "kari@example.org"))
    services.meetings.change(coordinator(), card.number, title="March dialogue",
                             starts_at=card.starts_at + timedelta(hours=2),
                             duration_minutes=card.duration_minutes)
    _, moved = _parsed(services.calendars.for_attendee(card.calendar_token, "REQUEST", "kari@example.org"))
    assert str(moved["uid"]) == str(first["uid"])
    assert int(moved["sequence"]) > int(first["sequence"])
    assert moved.decoded("dtstart") == card.starts_at + timedelta(hours=2)
    services.meetings.cancel(coordinator(), card.number)
    calendar, cancelled = _parsed(services.calendars.for_attendee(card.calendar_token, "CANCEL",
                                                                  "kari@example.org"))
    assert str(calendar["method"]) == "CANCEL" and str(cancelled["status"]) == "CANCELLED"
    assert str(cancelled["uid"]) == str(first["uid"])
    assert int(cancelled["sequence"]) > int(moved["sequence"])
    assert not cancelled.walk("VALARM")


def test_nothing_for_unknown_tokens_methods_or_attendees(services: Services, clock: ManualClock) -> None:
    card = services.meetings.schedule(coordinator(), title="March dialogue",
                                      starts_at=clock.now() + timedelta(days=20)).meeting
    assert services.calendars.for_attendee("no-such-token", "REQUEST", "kari@example.org") is None
    assert services.calendars.for_attendee(card.calendar_token, "PUBLISH", "kari@example.org") is None
    assert services.calendars.for_attendee(card.calendar_token, "REQUEST", "") is None
    # No organiser given: the file still goes, without one.
    _, event = _parsed(services.calendars.for_attendee(card.calendar_token, "REQUEST", "kari@example.org"))
    assert "organizer" not in event
