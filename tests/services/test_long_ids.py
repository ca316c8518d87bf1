"""Ids as long as the platforms' (e-mail addresses, Teams ids: up to 255 characters) fit every
column and key that carries them, on PostgreSQL too, where a too-narrow column is an error."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from storage.models import AuditEntry, Delivery, Tier
from tests.factories import coordinator, person

LONG = "29:" + "a" * 252  # 255 characters, shaped like a Teams member id


def test_a_255_character_id_is_invited_told_of_changes_and_can_export_its_data(
    services: Services, clock: ManualClock, sessions
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, [LONG])
    card = services.meetings.schedule(boss, title="Winter shelter capacity",
                                      starts_at=clock.now() + timedelta(days=2)).meeting
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=2))
    services.meetings.change(boss, card.number, title=card.title, starts_at=card.starts_at + timedelta(hours=2),
                             duration_minutes=card.duration_minutes, video_link=card.video_link)
    services.privacy.request_export(person(LONG))
    services.privacy.export(boss, person(LONG).person)

    with sessions() as session:
        keys = session.scalars(select(Delivery.dedupe_key).where(Delivery.dest_id == LONG)).all()
        audited = session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.subject.contains(LONG)))
    assert any(LONG in key for key in keys) and len(keys) >= 2
    assert max(map(len, keys)) > 255  # longer than the id alone: the old 200 could not hold it
    assert audited >= 1
