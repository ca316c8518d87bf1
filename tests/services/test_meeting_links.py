"""Links made by the platform (Teams online meetings): the job fills in meetings without a link,
outside any transaction and once per meeting; a meeting changed, linked or cancelled meanwhile keeps
what the coordinator did; failures are retried with back-off; invitations still to go carry the
link, copies already posted are re-rendered and their readers told, as for a pasted link; the .ics
carries it. Runs for both platforms of the domain suite, on both databases."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from services.clock import ManualClock
from services.container import Services
from services.meeting_links import BOT_USER_ID, LinkNotMade, MeetingLinks
from services.messages import MeetingCard, MeetingChanged, MeetingInvitation
from storage.models import Meeting, MeetingChange, Tier
from tests.factories import coordinator
from tests.support.notifier import Posted, RecordingNotifier

CONTACTS = ["UCARITAS1", "UREDCROSS"]


class StubMeetings:
    """The OnlineMeetings port: one link per key, remembering every call; `failures` are raised
    first, and `during` runs inside the call (what people do while the platform answers)."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, datetime, datetime, str]] = []
        self.failures: list[Exception] = []
        self.during: Callable[[], None] | None = None

    def create(self, subject: str, starts_at: datetime, ends_at: datetime, *, key: str) -> str:
        self.calls.append((subject, starts_at, ends_at, key))
        if self.during is not None:
            during, self.during = self.during, None
            during()
        if self.failures:
            raise self.failures.pop(0)
        return f"https://teams.microsoft.com/l/meetup-join/{key}"


@pytest.fixture
def roster(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])


@pytest.fixture
def port() -> StubMeetings:
    return StubMeetings()


@pytest.fixture
def links(services: Services, clock: ManualClock, port: StubMeetings, platform: str) -> MeetingLinks:
    return MeetingLinks(services.sessions, clock, port, services.deliveries, platforms=(platform,))


def _schedule(services: Services, clock: ManualClock, title: str = "Winter shelter capacity",
              days: int = 22, **kwargs) -> MeetingCard:
    return services.meetings.schedule(coordinator(), title=title, starts_at=clock.now() + timedelta(days=days),
                                      **kwargs).meeting


def _settle(services: Services, clock: ManualClock) -> None:
    for _ in range(4):
        clock.advance(timedelta(seconds=2))
        services.deliveries.sweep()


def _link(services: Services, number: int) -> str | None:
    with services.sessions() as session:
        return session.scalar(select(Meeting.video_link).where(Meeting.number == number))


def _dms(notifier: RecordingNotifier, kind: type) -> list[Posted]:
    return [p for p in notifier.posted if p.destination.is_person and isinstance(p.message, kind)]


@pytest.mark.usefixtures("roster")
def test_meetings_without_a_link_get_one_once(services: Services, clock: ManualClock, port: StubMeetings,
                                              links: MeetingLinks, platform: str) -> None:
    first = _schedule(services, clock)
    pasted = _schedule(services, clock, "Housing first", video_link="https://meet.example.org/own")
    assert _link(services, first.number) is None, "scheduling waits on nobody"

    assert links.fill() == 1
    assert [(c[0], c[1], c[2]) for c in port.calls] == [
        (first.title, first.starts_at, first.starts_at + timedelta(minutes=first.duration_minutes))]
    key = port.calls[0][3]
    assert key.startswith("dialogbot-") and str(first.number) in key
    assert _link(services, first.number) == f"https://teams.microsoft.com/l/meetup-join/{key}"
    assert _link(services, pasted.number) == "https://meet.example.org/own", "a pasted link is kept"

    assert links.fill() == 0
    assert len(port.calls) == 1, "a meeting with its link is not asked for again"
    with services.sessions() as session:
        [change] = session.scalars(select(MeetingChange)).all()
        assert (change.fields, change.changed_by_platform, change.changed_by_user_id) == (
            "link", platform, BOT_USER_ID)


@pytest.mark.usefixtures("roster")
def test_the_invitation_and_the_ics_carry_the_link(services: Services, clock: ManualClock,
                                                   notifier: RecordingNotifier, links: MeetingLinks) -> None:
    card = _schedule(services, clock)
    links.fill()
    link = _link(services, card.number)
    clock.set(card.invite_at)
    _settle(services, clock)
    invitations = _dms(notifier, MeetingInvitation)
    assert sorted(p.destination.id for p in invitations) == CONTACTS
    assert all(p.message.meeting.video_link == link for p in invitations)
    assert _dms(notifier, MeetingChanged) == [], "a link made before the invitations is just in them"
    [event] = Calendar.from_ical(services.calendars.ics(card.calendar_token)).walk("VEVENT")
    assert str(event["location"]) == link and link in str(event["description"])


@pytest.mark.usefixtures("roster")
def test_a_link_made_after_the_invitations_updates_every_copy_and_is_told(
        services: Services, clock: ManualClock, notifier: RecordingNotifier, links: MeetingLinks) -> None:
    card = _schedule(services, clock, "Urgent: the flood", days=2)
    clock.set(card.invite_at)
    _settle(services, clock)
    posted = [p for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    assert len(posted) == 3 and all(p.message.meeting.video_link is None for p in posted)

    assert links.fill() == 1
    link = _link(services, card.number)
    _settle(services, clock)
    for copy in posted:
        latest = notifier.latest(copy)
        assert isinstance(latest, MeetingInvitation) and latest.meeting.video_link == link
    clock.advance(timedelta(minutes=3))
    _settle(services, clock)
    told = _dms(notifier, MeetingChanged)
    assert sorted(p.destination.id for p in told) == CONTACTS
    assert all(p.message.changes == ("link",) for p in told)


@pytest.mark.usefixtures("roster")
def test_a_meeting_changed_meanwhile_keeps_what_the_coordinator_did(
        services: Services, clock: ManualClock, port: StubMeetings, links: MeetingLinks) -> None:
    pasted = _schedule(services, clock)
    cancelled = _schedule(services, clock, "Housing first", days=23)

    def coordinator_pastes() -> None:
        services.meetings.change(coordinator(), pasted.number, title=pasted.title, starts_at=pasted.starts_at,
                                 duration_minutes=pasted.duration_minutes, video_link="https://meet.example.org/x")

    port.during = coordinator_pastes
    assert links.fill(limit=1) == 0
    assert _link(services, pasted.number) == "https://meet.example.org/x"

    port.during = lambda: services.meetings.cancel(coordinator(), cancelled.number)
    assert links.fill() == 0
    assert _link(services, cancelled.number) is None
    assert links.fill() == 0 and len(port.calls) == 2, "nothing left to ask for"


@pytest.mark.usefixtures("roster")
def test_meetings_past_or_of_other_platforms_are_left_alone(
        services: Services, clock: ManualClock, port: StubMeetings, notifier: RecordingNotifier) -> None:
    card = _schedule(services, clock)
    elsewhere = MeetingLinks(services.sessions, clock, port, services.deliveries, platforms=("elsewhere",))
    assert elsewhere.fill() == 0 and port.calls == []
    clock.set(card.starts_at + timedelta(minutes=1))
    mine = MeetingLinks(services.sessions, clock, port, services.deliveries, platforms=(notifier.platform,))
    assert mine.fill() == 0 and port.calls == []


@pytest.mark.usefixtures("roster")
def test_failures_are_retried_later_with_back_off_and_never_raised(
        services: Services, clock: ManualClock, port: StubMeetings, links: MeetingLinks,
        caplog: pytest.LogCaptureFixture) -> None:
    card = _schedule(services, clock)
    port.failures = [RuntimeError("connection reset"), LinkNotMade("Graph answered 403", hint="grant the policy")]
    assert links.fill() == 0
    assert "connection reset" in caplog.text
    assert links.fill() == 0 and len(port.calls) == 1, "backing off: not asked again at once"
    clock.advance(timedelta(minutes=1, seconds=1))
    assert links.fill() == 0 and len(port.calls) == 2
    assert "grant the policy" in caplog.text
    clock.advance(timedelta(minutes=1, seconds=1))
    assert links.fill() == 0 and len(port.calls) == 2, "the second wait is twice as long"
    clock.advance(timedelta(minutes=1))
    assert links.fill() == 1 and len(port.calls) == 3
    assert _link(services, card.number) is not None


@pytest.mark.usefixtures("roster")
def test_a_rate_limit_pauses_every_meeting_until_it_ends(
        services: Services, clock: ManualClock, port: StubMeetings, links: MeetingLinks) -> None:
    _schedule(services, clock)
    _schedule(services, clock, "Housing first", days=23)
    port.failures = [LinkNotMade("Graph answered 429", retry_after=timedelta(minutes=5))]
    assert links.fill() == 0 and len(port.calls) == 1, "the second meeting is not asked for either"
    clock.advance(timedelta(minutes=4))
    assert links.fill() == 0 and len(port.calls) == 1
    clock.advance(timedelta(minutes=1, seconds=1))
    assert links.fill() == 2 and len(port.calls) == 3


@pytest.mark.usefixtures("roster")
def test_a_link_that_is_not_an_https_address_is_not_stored(
        services: Services, clock: ManualClock, links: MeetingLinks, port: StubMeetings) -> None:
    card = _schedule(services, clock)
    port.create = lambda *args, **kwargs: "javascript:alert(1)"  # type: ignore[method-assign]
    assert links.fill() == 0
    assert _link(services, card.number) is None
