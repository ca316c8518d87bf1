"""Retention: per-person answers, attendance and messages older than DIALOG_RETENTION lose the
person (answers, attendance, invitations sent, comments) or go (other messages); every count, the
statistics and the minutes' stay exactly as they were."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.privacy import PrivacySettings
from storage.models import Answer, Delivery, Invitation, Meeting, Minutes, MinutesComment, Tier
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier
from tests.support.privacy import services_with_notices

RETENTION = timedelta(days=730)


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    return services_with_notices(sessions, clock, notifier, platform, retention=RETENTION)


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def _held(services: Services, clock: ManualClock, sessions: sessionmaker[Session], title: str) -> int:
    """A meeting two hours from now, answered, then held; the clock ends after it."""
    card = services.meetings.schedule(coordinator(), title=title, starts_at=clock.now() + timedelta(hours=2)).meeting
    _sweep(services, clock)
    services.meetings.rsvp(person("UKARI001"), card.number, Answer.YES)
    services.meetings.rsvp(person("UOLA0002"), card.number, Answer.NO)
    with sessions.begin() as session:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.number == card.number))
        session.execute(update(Invitation).where(Invitation.meeting_id == meeting_id,
                                                 Invitation.user_id == "UKARI001").values(attended=True))
    clock.set(card.starts_at + timedelta(hours=2))
    return meeting_id


def _people(sessions: sessionmaker[Session], meeting_id: int) -> list[tuple[str, Answer | None, bool | None]]:
    with sessions() as session:
        return [(i.user_id, i.answer, i.attended) for i in session.scalars(
            select(Invitation).where(Invitation.meeting_id == meeting_id).order_by(Invitation.id))]


def _person_messages(sessions: sessionmaker[Session]) -> int:
    """Messages to a person that still say who."""
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(
            Delivery.dest_kind == "person", ~Delivery.dest_id.startswith("anonymous-")))


def test_what_is_older_than_the_limit_loses_the_person_and_every_count_stays(
    services: Services, clock: ManualClock, sessions: sessionmaker[Session]
) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UKARI001", "UOLA0002"])
    old = _held(services, clock, sessions, "An old dialogue")
    clock.advance(RETENTION - timedelta(days=10))
    recent = _held(services, clock, sessions, "A recent dialogue")
    _sweep(services, clock)
    before = services.stats.compute(coordinator())
    old_people, recent_people = _people(sessions, old), _people(sessions, recent)
    messages = _person_messages(sessions)
    clock.advance(timedelta(days=10))

    dry = services.privacy.retention(dry_run=True)
    assert (dry.answers, dry.applied) == (2, False) and dry.messages > 0
    assert _people(sessions, old) == old_people and _person_messages(sessions) == messages, "a dry run changes nothing"

    done = services.privacy.retention()
    assert (done.answers, done.messages, done.comments) == (dry.answers, dry.messages, dry.comments)
    anonymous = _people(sessions, old)
    assert [(a, t) for _, a, t in anonymous] == [(a, t) for _, a, t in old_people], "answers and attendance stay"
    assert all(u.startswith("anonymous-") for u, _, _ in anonymous) and len({u for u, _, _ in anonymous}) == 2
    assert not {u for u, _, _ in anonymous} & {u for u, _, _ in _people(sessions, recent)}
    assert _people(sessions, recent) == recent_people, "the recent meeting is untouched"
    assert _person_messages(sessions) == messages - done.messages
    assert services.stats.compute(coordinator()) == before
    assert services.privacy.retention().total == 0, "a second run finds nothing"


def test_channel_posts_name_nobody_and_stay(services: Services, clock: ManualClock,
                                            sessions: sessionmaker[Session]) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["UKARI001", "UOLA0002"])
    _held(services, clock, sessions, "An old dialogue")
    with sessions() as session:
        channel = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.dest_kind == "channel"))
    clock.advance(RETENTION + timedelta(days=1))
    services.privacy.retention()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Delivery).where(Delivery.dest_kind == "channel")) == channel
    assert _person_messages(sessions) == 0


KARI, OLA, PER = "UKARI001", "UOLA0002", "UPER0003"


@pytest.fixture
def reviewed(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    """Production's services with retention and a review round for the minutes (comments)."""
    return build_services(sessions, clock, notifier, platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          minutes_review=timedelta(days=3), privacy=PrivacySettings(retention=RETENTION))


def _meeting(services: Services, clock: ManualClock, title: str) -> int:
    """A meeting held with answers at different times, minutes commented on and made final."""
    number = services.meetings.schedule(coordinator(), title=title,
                                        starts_at=clock.now() + timedelta(hours=3)).meeting.number
    _sweep(services, clock)
    for who, answer, wait in ((KARI, Answer.YES, 7), (OLA, Answer.NO, 30), (PER, Answer.YES, 50)):
        clock.advance(timedelta(minutes=wait))
        services.meetings.rsvp(person(who), number, answer)
    clock.advance(timedelta(hours=2))
    services.minutes.record(coordinator(), number, summary="Warm rooms for the winter, agreed by all.",
                            attendees=[person(KARI).person, person(PER).person])
    services.minutes.review.comment(person(OLA), number, "Please add that we could not come.")
    services.minutes.review.comment(person(KARI), number, "Red Cross and Caritas both said yes.")
    services.minutes.review.finalise(coordinator(), number)
    _sweep(services, clock)
    return number


def test_statistics_and_the_minutes_counts_are_the_same_after_retention(
    reviewed: Services, clock: ManualClock, sessions: sessionmaker[Session]
) -> None:
    services = reviewed
    # Kari speaks for two organisations: one person at each meeting, before and after.
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [KARI, OLA])
    services.roster.add(coordinator(), "Red Cross", Tier.CORE, [KARI, PER])
    old = _meeting(services, clock, "An old dialogue")
    clock.advance(timedelta(days=100))
    recent = _meeting(services, clock, "A recent dialogue")
    stats = services.stats.compute(coordinator())
    assert stats.median_answer_minutes["regular"] is not None
    archives = {n: services.minutes.archive(coordinator(), n) for n in (old, recent)}
    assert (archives[old].minutes.attendees, archives[old].comments) == (2, 2)
    assert [(p.name, p.present) for p in archives[old].participants] == [("Caritas", 1), ("Red Cross", 2)]
    clock.advance(RETENTION - timedelta(days=50))

    dry = services.privacy.retention(dry_run=True)
    done = services.privacy.retention()
    assert (done.answers, done.messages, done.comments) == (dry.answers, dry.messages, dry.comments)
    assert (done.answers, done.comments) == (4, 2), "Kari's two invitations, Ola's and Per's; two comments"
    assert services.stats.compute(coordinator()) == stats
    assert {n: services.minutes.archive(coordinator(), n) for n in (old, recent)} == archives
    with sessions() as session:
        meeting_id = session.scalar(select(Meeting.id).where(Meeting.number == old))
        people = session.execute(select(Invitation.organisation_id, Invitation.user_id)
                                 .where(Invitation.meeting_id == meeting_id)).all()
        named = session.scalars(select(Delivery.dest_id).where(
            Delivery.meeting_id == meeting_id, Delivery.dest_kind == "person")).all()
        comments = session.execute(select(MinutesComment.user_id, MinutesComment.body).join(Minutes)
                                   .where(Minutes.meeting_id == meeting_id)).all()
    assert len(people) == 4 and len({u for _, u in people}) == 3, "one pseudonym per person at the meeting"
    assert all(u.startswith("anonymous-") for _, u in people) and all(d.startswith("anonymous-") for d in named)
    assert {d for d in named} <= {u for _, u in people}, "each invitation's message under its pseudonym"
    # The comments stay counted, without their words or who wrote them.
    assert len(comments) == 2 and all(u.startswith("anonymous-") and b == "" for u, b in comments)
    assert services.privacy.retention().total == 0

    clock.advance(timedelta(days=100))
    services.privacy.retention()
    assert services.stats.compute(coordinator()) == stats
    with sessions() as session:
        by_meeting = {number: {u for u in session.scalars(select(Invitation.user_id).join(Meeting).where(
            Meeting.number == number))} for number in (old, recent)}
    assert not by_meeting[old] & by_meeting[recent], "no link across meetings"
