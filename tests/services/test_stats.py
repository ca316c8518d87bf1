"""Statistics: participation per organisation, representation per held meeting, proposals by side,
answer times by meeting kind."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import NotAllowed
from services.roster import RosterRow
from storage.models import Answer, Side
from tests.factories import coordinator, person


def test_participation_representation_proposals_and_answer_times(services: Services, clock: ManualClock) -> None:
    boss = coordinator()
    services.roster.import_rows(boss, [
        RosterRow("Caritas", "core", ("UCARITAS1",), ("religion",)),
        RosterRow("Red Cross", "core", ("UREDCROSS",), ("public-health",)),
        RosterRow("Helsedirektoratet", "observer", ("UHDIR",)),
    ])
    services.topics.propose(boss, "City budget")
    services.topics.propose(person("UCARITAS1"), "Shelters")
    services.topics.propose(person("UREDCROSS"), "First aid courses")
    services.topics.propose(person("UHDIR"), "Vaccination in shelters")
    card = services.meetings.schedule(boss, title="March dialogue", starts_at=clock.now() + timedelta(hours=3)).meeting
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))
    clock.advance(timedelta(minutes=30))
    services.meetings.rsvp(person("UCARITAS1"), card.number, Answer.YES)
    clock.advance(timedelta(minutes=60))
    services.meetings.rsvp(person("UREDCROSS"), card.number, Answer.NO)
    urgent = services.meetings.urgent(boss, title="Storm", starts_at=clock.now() + timedelta(hours=5)).meeting
    services.deliveries.sweep()
    clock.advance(timedelta(minutes=10))
    services.meetings.rsvp(person("UCARITAS1"), urgent.number, Answer.YES)
    clock.set(card.starts_at + timedelta(hours=1))
    services.minutes.record(boss, card.number, summary="A good first meeting.",
                            attendees=[person("UCARITAS1").person])

    stats = services.stats.compute(boss)
    rows = {o.name: o for o in stats.organisations}
    assert (rows["Caritas"].invited, rows["Caritas"].answered, rows["Caritas"].held, rows["Caritas"].attended) == (2, 2, 1, 1)
    assert (rows["Red Cross"].answered, rows["Red Cross"].attended, rows["Red Cross"].answer_rate) == (1, 0, 0.5)
    [held] = stats.meetings
    assert held.perspectives_invited == ("public-health", "religion") and held.perspectives_present == ("religion",)
    assert stats.proposals_by_side == {Side.CITY: 1, Side.CIVIL_SOCIETY: 2, Side.AGENCY: 1}
    assert (rows["Helsedirektoratet"].side, rows["Caritas"].side) == (Side.AGENCY, Side.CIVIL_SOCIETY)
    assert stats.median_answer_minutes["urgent"] == pytest.approx(10, abs=0.1)
    assert stats.median_answer_minutes["regular"] == pytest.approx(60.5, abs=1)


def test_statistics_are_for_coordinators(services: Services) -> None:
    with pytest.raises(NotAllowed):
        services.stats.compute(person("UCARITAS1"))
