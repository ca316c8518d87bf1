"""Planning advice: representation, time of day, who else to invite, the best slots."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import NotAllowed
from services.roster import RosterRow
from services.timeutil import local_to_utc, parse_date, parse_time
from tests.factories import coordinator, person

OSLO = ZoneInfo("Europe/Oslo")


@pytest.fixture
def roster(services: Services) -> None:
    services.roster.import_rows(coordinator(), [
        RosterRow("Bydelsmødrene", "core", ("U1AA",), ("gender-age", "country-background"), "afternoon"),
        RosterRow("Faith Council", "core", ("U2AA",), ("religion",), "daytime"),
        RosterRow("Harbour Refugee Welcome", "topic", ("U3AA",), ("country-background",), "any", "",
                  ("housing", "asylum")),
        RosterRow("Youth Sports", "topic", ("U4AA",), ("work-education",), "afternoon", "", ("youth",)),
        RosterRow("Health Directorate", "observer", ("U5AA",), ("public-health",), "daytime"),
    ])


@pytest.mark.usefixtures("roster")
def test_insights_name_missing_perspectives_time_misfits_and_matching_organisations(
    services: Services, clock: ManualClock
) -> None:
    services.topics.propose(person("U1AA"), "Housing for newly arrived families")
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    starts = local_to_utc(parse_date("2026-03-25"), parse_time("10:00"), OSLO)  # a daytime meeting
    services.meetings.schedule(coordinator(), title="Spring dialogue", starts_at=starts, topic_numbers=[1],
                               organisations=["Health Directorate"])
    insights = services.planning.insights(coordinator(), 1)
    assert insights.covered == ("country-background", "gender-age", "religion")
    assert insights.missing == ("work-education", "public-health"), "observers do not count as represented"
    assert insights.prefer_other_time == ("Bydelsmødrene",)
    assert [(s.organisation, s.keywords) for s in insights.suggestions] == [("Harbour Refugee Welcome", ("housing",))]
    services.meetings.invite(coordinator(), 1, "Harbour Refugee Welcome")
    assert services.planning.insights(coordinator(), 1).suggestions == ()


@pytest.mark.usefixtures("roster")
def test_suggested_slots_fit_preferences_office_hours_and_avoid_meetings(services: Services, clock: ManualClock) -> None:
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday
    taken = local_to_utc(parse_date("2026-03-03"), parse_time("14:00"), OSLO)
    services.meetings.schedule(coordinator(), title="Already booked", starts_at=taken)
    slots = services.planning.suggest_slots(coordinator())
    assert len(slots) == 5
    for slot in slots:
        local = slot.starts_at.astimezone(OSLO)
        assert local.weekday() < 5 and 8 <= local.hour <= 15
        assert slot.organisations == 2
    assert taken not in [s.starts_at for s in slots]
    # One core organisation wants afternoons, one daytime: every slot suits one; soonest first.
    assert [s.starts_at for s in slots] == sorted(s.starts_at for s in slots)
    assert slots[0].starts_at.astimezone(OSLO) == datetime(2026, 3, 3, 8, 0, tzinfo=OSLO)


def test_planning_is_for_coordinators(services: Services) -> None:
    with pytest.raises(NotAllowed):
        services.planning.suggest_slots(person("U1AA"))
    with pytest.raises(NotAllowed):
        services.planning.insights(person("U1AA"), 1)
