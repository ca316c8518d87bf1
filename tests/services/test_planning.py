"""Planning advice: representation, time of day, who else to invite, the best slots."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
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
    clock.set(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))  # a Monday, 09:00 in Oslo
    taken = local_to_utc(parse_date("2026-03-16"), parse_time("10:00"), OSLO)
    services.meetings.schedule(coordinator(), title="Already booked", starts_at=taken)
    advice = services.planning.suggest_slots(coordinator())
    # The three weeks start 14 days out (the invitation lead), not tomorrow.
    assert (advice.first_day, advice.last_day) == (date(2026, 3, 16), date(2026, 4, 5))
    assert len(advice.slots) == 5
    for slot in advice.slots:
        local = slot.starts_at.astimezone(OSLO)
        assert local.weekday() < 5 and 8 <= local.hour <= 17
        assert slot.organisations == 2
    assert taken not in [s.starts_at for s in advice.slots]
    # One core organisation wants afternoons, one daytime: every slot suits one; soonest first.
    # 08:00 on the 16th is less than 14 days away (invitations would go out late): 09:00 is the first.
    assert [s.starts_at.astimezone(OSLO).strftime("%d %H:%M") for s in advice.slots] == [
        "16 09:00", "16 11:00", "16 12:00", "16 13:00", "16 14:00"]


@pytest.mark.parametrize("preferred", ["afternoon", "daytime"])
def test_afternoon_slots_until_18_only_when_organisations_prefer_afternoons(
    services: Services, clock: ManualClock, preferred: str
) -> None:
    services.roster.import_rows(coordinator(), [
        RosterRow("Bydelsmødrene", "core", ("U1AA",), (), preferred),
        RosterRow("Youth Sports", "core", ("U4AA",), (), preferred),
    ])
    clock.set(datetime(2027, 2, 1, 7, 0, tzinfo=UTC))  # Monday 08:00; the three weeks start on 15 February
    advice = services.planning.suggest_slots(coordinator())
    starts = [s.starts_at.astimezone(OSLO).strftime("%a %d %H:%M") for s in advice.slots]
    assert all(s.suits == 2 for s in advice.slots)
    if preferred == "afternoon":
        # Ends by 18:00: the last start is 17:00, after office hours (08:00-16:00).
        assert (advice.afternoons, advice.until) == (True, time(18, 0))
        assert starts == ["Mon 15 14:00", "Mon 15 15:00", "Mon 15 16:00", "Mon 15 17:00", "Tue 16 14:00"]
    else:
        assert (advice.afternoons, advice.until) == (False, time(16, 0))
        assert starts == ["Mon 15 08:00", "Mon 15 09:00", "Mon 15 10:00", "Mon 15 11:00", "Mon 15 12:00"]


def test_suggested_slots_skip_easter_across_the_spring_change(services: Services, clock: ManualClock) -> None:
    services.roster.import_rows(coordinator(), [RosterRow("Bydelsmødrene", "core", ("U1AA",), (), "afternoon")])
    # Thursday 11 March 2027: 14 days on is Maundy Thursday. Good Friday, the weekend (when the
    # clocks go forward) and Easter Monday follow: the first slots are on Tuesday 30 March.
    clock.set(datetime(2027, 3, 11, 10, 0, tzinfo=UTC))
    advice = services.planning.suggest_slots(coordinator())
    assert advice.first_day == date(2027, 3, 25)
    assert [s.starts_at for s in advice.slots] == [
        datetime(2027, 3, 30, 12, 0, tzinfo=UTC),  # 14:00 summer time
        datetime(2027, 3, 30, 13, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 14, 0, tzinfo=UTC),
        datetime(2027, 3, 30, 15, 0, tzinfo=UTC),  # 17:00, ending at 18:00
        datetime(2027, 3, 31, 12, 0, tzinfo=UTC),
    ]


def test_suggested_slots_skip_christmas_eve_and_new_years_eve(services: Services, clock: ManualClock) -> None:
    services.roster.import_rows(coordinator(), [RosterRow("Bydelsmødrene", "core", ("U1AA",), (), "afternoon")])
    clock.set(datetime(2026, 12, 3, 12, 0, tzinfo=UTC))  # 14 days on is Thursday 17 December, 13:00
    busy = ["2026-12-17", "2026-12-18", "2026-12-21", "2026-12-22", "2026-12-23", "2026-12-28",
            "2026-12-29", "2026-12-30"]
    for n, day in enumerate(busy):  # every afternoon taken but the holidays'
        services.meetings.schedule(coordinator(), title=f"Busy afternoon {n}", duration_minutes=240,
                                   starts_at=local_to_utc(parse_date(day), parse_time("14:00"), OSLO))
    advice = services.planning.suggest_slots(coordinator())
    # 24 December (Christmas Eve), the Christmas days, 31 December and 1 January are passed over.
    assert [s.starts_at.astimezone(OSLO).strftime("%m-%d %H:%M") for s in advice.slots] == [
        "01-04 14:00", "01-04 15:00", "01-04 16:00", "01-04 17:00", "01-05 14:00"]


def test_planning_is_for_coordinators(services: Services) -> None:
    with pytest.raises(NotAllowed):
        services.planning.suggest_slots(person("U1AA"))
    with pytest.raises(NotAllowed):
        services.planning.insights(person("U1AA"), 1)
