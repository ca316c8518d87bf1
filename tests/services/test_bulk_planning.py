"""Use cases that write to hundreds of people plan their messages in bulk (`Deliveries.plan_many`),
not one person at a time: the minutes to everyone invited, and the privacy notices of a CSV
import's new contacts. Counted in SQL statements, on both databases."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import build_services
from services.minutes_review import DRAFT, POSTED
from services.privacy.service import PRIVACY_NOTICE
from services.roster import RosterRow
from storage.models import Delivery
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator
from tests.support.notifier import RecordingNotifier
from tests.support.privacy import services_with_notices

ORGANISATIONS, CONTACTS_EACH = 100, 3
READERS = ORGANISATIONS * CONTACTS_EACH + 1  # and an observer's contact


class Statements:
    """The SQL statements an engine runs (an executemany counts once, as it is one round trip)."""

    def __init__(self) -> None:
        self.seen: list[str] = []

    def __call__(self, conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        self.seen.append(statement)

    def touching(self, table: str) -> list[str]:
        return [s for s in self.seen if table in s]


@contextmanager
def counted(engine: Engine) -> Iterator[Statements]:
    statements = Statements()
    event.listen(engine, "before_cursor_execute", statements)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", statements)


def _roster() -> list[RosterRow]:
    rows = [RosterRow(f"Organisation {n:03}", "core", tuple(f"U{n:03}{c}" for c in range(CONTACTS_EACH)))
            for n in range(ORGANISATIONS)]
    return [*rows, RosterRow("Helsedirektoratet", "observer", ("UHELSEDIR",))]


def _count(sessions: sessionmaker[Session], kind: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Delivery).where(Delivery.kind == kind)) or 0


def test_minutes_to_a_large_roster_are_planned_in_bulk(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
    platform: str
) -> None:
    services = build_services(sessions, clock, notifier, platform=platform, channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                              minutes_review=timedelta(days=3))
    services.roster.import_rows(coordinator(), _roster())
    card = services.meetings.schedule(coordinator(), title="City-wide dialogue", organisations=["Helsedirektoratet"],
                                      starts_at=clock.now() + timedelta(hours=2)).meeting
    clock.set(card.starts_at + timedelta(hours=1))
    with counted(engine) as draft:
        recorded = services.minutes.record(coordinator(), card.number, summary="Everyone was there, in spirit.")
    assert recorded.readers == READERS and _count(sessions, DRAFT) == READERS
    with counted(engine) as final:
        assert services.minutes.review.finalise(coordinator(), card.number).readers == READERS
    assert _count(sessions, POSTED) == READERS + 1  # and the channel
    for statements in (draft, final):
        # One person at a time took two statements a reader (661 for 301); in bulk, a handful.
        assert len(statements.touching("deliveries")) <= 6, statements.touching("deliveries")
        assert len(statements.seen) < 40, len(statements.seen)


def test_a_csv_import_plans_its_privacy_notices_in_bulk(
    engine: Engine, sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
    platform: str
) -> None:
    services = services_with_notices(sessions, clock, notifier, platform)
    with counted(engine) as statements:
        services.roster.import_rows(coordinator(), _roster())
    assert _count(sessions, PRIVACY_NOTICE) == READERS
    # One look-up of the keys already planned and one insert, not two statements a new contact.
    assert len(statements.touching("deliveries")) <= 3, statements.touching("deliveries")
    # Imported again: nobody is told twice.
    services.roster.import_rows(coordinator(), _roster())
    assert _count(sessions, PRIVACY_NOTICE) == READERS
