"""Retention: per-person answers, attendance and messages older than DIALOG_RETENTION lose the
person (answers, attendance) or go (messages, comments); every count stays."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services
from storage.models import Answer, Delivery, Invitation, Meeting, Tier
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
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.dest_kind == "person"))


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
    assert _people(sessions, recent) == recent_people, "the recent meeting is untouched"
    assert _person_messages(sessions) == messages - done.messages
    after = services.stats.compute(coordinator())
    assert after.organisations == before.organisations
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
