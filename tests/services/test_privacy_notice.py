"""Told, not surprised: a person made a contact (by a command, the roster form or the CSV import)
gets a privacy notice once, and one click takes them off the roster and tells the coordinators."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services
from services.messages import ContactOptedOut, MeetingInvitation, PrivacyNotice
from services.roster import RosterRow
from storage.models import AuditEntry, Tier
from tests.conftest import COORDINATOR
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier
from tests.support.privacy import services_with_notices


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    return services_with_notices(sessions, clock, notifier, platform, controller="Oslo kommune",
                                 privacy_contact="personvern@oslo.kommune.no", retention=timedelta(days=365))


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def _notices(notifier: RecordingNotifier) -> list[tuple[str, PrivacyNotice]]:
    return [(p.destination.id, p.message) for p in notifier.posted if isinstance(p.message, PrivacyNotice)]


def test_a_new_contact_is_told_once_whichever_way_they_were_added(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UKARI001"])
    _sweep(services, clock)
    [(to, notice)] = _notices(notifier)
    assert to == "UKARI001" and notice.organisations == ("Caritas",)
    assert (notice.controller, notice.privacy_contact, notice.retention) == (
        "Oslo kommune", "personvern@oslo.kommune.no", timedelta(days=365))
    services.roster.add(boss, "Red Cross", Tier.TOPIC)
    services.roster.add_contacts(boss, "Red Cross", ["UKARI001", "UOLA0002"])
    services.roster.import_rows(boss, [RosterRow("Mosque council", "topic", ("UAMINA03",))])
    services.roster.save(boss, RosterRow("Youth club", "topic", ("UKARI001", "UPER0004")))
    _sweep(services, clock)
    told = sorted(to for to, _ in _notices(notifier))
    assert told == ["UAMINA03", "UKARI001", "UOLA0002", "UPER0004"], "each person once, however often added"


def test_opting_out_takes_them_off_every_organisation_and_tells_the_coordinators(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions: sessionmaker[Session]
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UKARI001", "UOLA0002"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UKARI001"])
    services.meetings.schedule(boss, title="March dialogue", starts_at=clock.now() + timedelta(days=20))
    outcome = services.privacy.opt_out(person("UKARI001"))
    assert outcome.organisations == ("Caritas", "Red Cross")
    contacts = {card.name: [c.user_id for c in card.contacts] for card in services.roster.organisations(boss)}
    assert contacts == {"Caritas": ["UOLA0002"], "Red Cross": []}
    clock.advance(timedelta(days=7))
    _sweep(services, clock)
    told = [(p.destination.id, p.message) for p in notifier.posted if isinstance(p.message, ContactOptedOut)]
    assert [(to, m.person.user_id, m.organisations) for to, m in told] == [
        (COORDINATOR, "UKARI001", ("Caritas", "Red Cross"))]
    # The notice was never sent: they opted out before it went out... and no invitation reaches them.
    assert "UKARI001" not in [to for to, _ in _notices(notifier)]
    assert "UKARI001" not in [p.destination.id for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    with sessions() as session:
        assert session.scalar(select(AuditEntry.action).where(AuditEntry.action == "privacy.opt_out"))
    # A second click finds nothing to do, and tells nobody again.
    assert services.privacy.opt_out(person("UKARI001")).organisations == ()
    _sweep(services, clock)
    assert len([p for p in notifier.posted if isinstance(p.message, ContactOptedOut)]) == 1
