"""Follow-up that closes: a point's status is set by the owner's contacts or a coordinator (the
city's by coordinators only), survives a correction, silences the reminder once done, and shows up
with its status on the Home tab and as "Follow-up from last time" on the next meeting."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.clock import ManualClock
from services.container import Services
from services.errors import NotAllowed, NotFound
from services.messages import ActionItemDue, MeetingInvitation, MinutesPosted
from services.minutes import THE_CITY, ActionItemInput
from storage.models import FollowUpStatus, Tier
from tests.conftest import CHANNEL
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


@pytest.fixture
def held(services: Services, clock: ManualClock, notifier: RecordingNotifier) -> int:
    """Meeting 1, held, with three points: Caritas's, Red Cross's and the city's."""
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    card = services.meetings.schedule(boss, title="March dialogue",
                                      starts_at=clock.now() + timedelta(hours=2)).meeting
    _sweep(services, clock)
    clock.set(card.starts_at + timedelta(hours=1))
    due = clock.now().date() + timedelta(days=7)
    services.minutes.record(boss, card.number, summary="We agreed on three things to follow up.", action_items=[
        ActionItemInput("Find volunteers for the warm rooms", "Caritas", due),
        ActionItemInput("Count the beds", "Red Cross", due),
        ActionItemInput("Find premises", THE_CITY, due),
    ])
    _sweep(services, clock)
    notifier.posted.clear()
    return card.number


def test_the_owner_s_contacts_and_coordinators_set_the_status(services: Services, held: int) -> None:
    moved = services.follow_up.set_status(person("UCARITAS2"), held, 1, FollowUpStatus.IN_PROGRESS)
    assert (moved.changed, moved.item.status, moved.item.ref, moved.item.owner) == (
        True, FollowUpStatus.IN_PROGRESS, f"{held}.1", "Caritas")
    again = services.follow_up.set_status(person("UCARITAS1"), held, 1, FollowUpStatus.IN_PROGRESS)
    assert not again.changed
    with pytest.raises(NotAllowed):
        services.follow_up.set_status(person("UREDCROSS"), held, 1, FollowUpStatus.DONE)
    with pytest.raises(NotAllowed):
        services.follow_up.set_status(person("USTRANGER"), held, 2, FollowUpStatus.DONE)
    # The city's point: its coordinators follow it up, no organisation's contact can close it.
    with pytest.raises(NotAllowed) as city:
        services.follow_up.set_status(person("UCARITAS1"), held, 3, FollowUpStatus.DONE)
    assert "the city's" in city.value.message.msgid
    assert services.follow_up.set_status(coordinator(), held, 3, FollowUpStatus.DONE).item.owner is None
    assert services.follow_up.set_status(coordinator(), held, 2, FollowUpStatus.DONE).changed
    with pytest.raises(NotFound):
        services.follow_up.set_status(coordinator(), held, 4, FollowUpStatus.DONE)
    with pytest.raises(NotFound):
        services.follow_up.set_status(coordinator(), held + 1, 1, FollowUpStatus.DONE)
    statuses = [item.status for item in services.minutes.form(coordinator(), held).action_items]
    assert statuses == [FollowUpStatus.IN_PROGRESS, FollowUpStatus.DONE, FollowUpStatus.DONE]


def test_a_point_done_is_not_reminded_and_the_reminder_shows_the_status(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    services.follow_up.set_status(person("UREDCROSS"), held, 2, FollowUpStatus.DONE)
    clock.advance(timedelta(days=7, hours=12))
    _sweep(services, clock)
    reminded = [p for p in notifier.posted if isinstance(p.message, ActionItemDue)]
    assert sorted(p.destination.id for p in reminded) == ["UCARITAS1", "UCARITAS2", "UCOORD01"]
    caritas = next(p for p in reminded if p.destination.id == "UCARITAS1")
    assert caritas.message.item.ref == f"{held}.1"
    services.follow_up.set_status(person("UCARITAS1"), held, 1, FollowUpStatus.DONE)
    _sweep(services, clock)
    assert notifier.latest(caritas).item.status == FollowUpStatus.DONE, "the reminder's buttons follow"


def test_a_correction_keeps_the_status_of_the_points_it_keeps(
    services: Services, clock: ManualClock, held: int
) -> None:
    services.follow_up.set_status(person("UCARITAS1"), held, 1, FollowUpStatus.DONE)
    later = clock.now().date() + timedelta(days=14)
    services.minutes.record(coordinator(), held, summary="Corrected: Red Cross's point moved up.", action_items=[
        ActionItemInput("Count the beds", "Red Cross", later),
        ActionItemInput("Find volunteers for the  warm rooms", "Caritas", later),
        ActionItemInput("A new point altogether", THE_CITY, later),
    ])
    items = services.minutes.form(coordinator(), held).action_items
    assert [(i.position, i.description, i.status) for i in items] == [
        (1, "Count the beds", FollowUpStatus.OPEN),
        (2, "Find volunteers for the warm rooms", FollowUpStatus.DONE),
        (3, "A new point altogether", FollowUpStatus.OPEN),
    ]


def test_the_next_meeting_carries_follow_up_from_last_time(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    services.follow_up.set_status(person("UCARITAS1"), held, 1, FollowUpStatus.IN_PROGRESS)
    services.follow_up.set_status(coordinator(), held, 3, FollowUpStatus.DONE)
    card = services.meetings.schedule(coordinator(), title="April dialogue",
                                      starts_at=clock.now() + timedelta(hours=3)).meeting
    assert [(i.ref, i.status) for i in card.follow_up] == [
        (f"{held}.1", FollowUpStatus.IN_PROGRESS), (f"{held}.2", FollowUpStatus.OPEN),
        (f"{held}.3", FollowUpStatus.DONE)]
    _sweep(services, clock)
    invitations = [p for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    channel = next(p for p in invitations if not p.destination.is_person)
    personal = next(p for p in invitations if p.destination.id == "UREDCROSS")
    assert [i.description for i in personal.message.meeting.follow_up] == [
        "Find volunteers for the warm rooms", "Count the beds", "Find premises"]
    # Red Cross closes its point: the channel's invitation shows it.
    services.follow_up.set_status(person("UREDCROSS"), held, 2, FollowUpStatus.DONE)
    _sweep(services, clock)
    assert notifier.latest(channel).meeting.follow_up[1].status == FollowUpStatus.DONE
    # Held in turn, its minutes form lists what the previous meeting left to follow up.
    clock.set(card.starts_at + timedelta(minutes=30))
    form = services.minutes.form(coordinator(), card.number)
    assert [i.ref for i in form.follow_up_before] == [f"{held}.1", f"{held}.2", f"{held}.3"]
    # The meeting before the first has nothing to carry.
    assert services.minutes.form(coordinator(), held).follow_up_before == ()


def test_the_home_tab_lists_points_still_to_do(services: Services, held: int) -> None:
    services.follow_up.set_status(person("UREDCROSS"), held, 2, FollowUpStatus.DONE)
    mine = services.home.view(person("UCARITAS1")).follow_up
    assert [(number, item.ref, item.status) for number, _, item in mine] == [(held, f"{held}.1", FollowUpStatus.OPEN)]
    assert services.home.view(person("UREDCROSS")).follow_up == (), "done: off the list"
    # Coordinators follow up for the city.
    assert [item.ref for _, _, item in services.home.view(coordinator()).follow_up] == [f"{held}.3"]


def test_every_copy_showing_a_point_follows_its_status_and_the_minutes(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    start = clock.now()
    march = services.meetings.schedule(boss, title="March dialogue", starts_at=start + timedelta(hours=2)).meeting
    april = services.meetings.schedule(boss, title="April dialogue", starts_at=start + timedelta(days=5)).meeting
    may = services.meetings.schedule(boss, title="May dialogue", starts_at=start + timedelta(days=9)).meeting
    _sweep(services, clock)

    def invitations(number: int) -> list:
        return [p for p in notifier.posted
                if isinstance(p.message, MeetingInvitation) and p.message.meeting.number == number]

    assert len(invitations(april.number)) == 3 and invitations(april.number)[0].message.meeting.follow_up == ()
    # March is held after April's invitations went out: every copy of them, DMs too, now carries its points.
    clock.set(march.starts_at + timedelta(hours=1))
    due = clock.now().date() + timedelta(days=7)
    services.minutes.record(boss, march.number, summary="Two things to follow up.", action_items=[
        ActionItemInput("Find volunteers for the warm rooms", "Caritas", due),
        ActionItemInput("Count the beds", "Red Cross", due),
    ])
    _sweep(services, clock)
    assert {p.destination.id: [i.ref for i in notifier.latest(p).meeting.follow_up]
            for p in invitations(april.number)} == {
        CHANNEL: ["1.1", "1.2"], "UCARITAS1": ["1.1", "1.2"], "UREDCROSS": ["1.1", "1.2"]}
    minutes = [p for p in notifier.posted if isinstance(p.message, MinutesPosted)]
    assert sorted(p.destination.id for p in minutes) == [CHANNEL, "UCARITAS1", "UREDCROSS"]

    # Red Cross closes its point: the minutes (channel and each DM) and April's invitations (channel
    # and each DM) follow.
    services.follow_up.set_status(person("UREDCROSS"), march.number, 2, FollowUpStatus.DONE)
    _sweep(services, clock)
    for copy in minutes:
        assert [i.status for i in notifier.latest(copy).minutes.action_items] == [
            FollowUpStatus.OPEN, FollowUpStatus.DONE], copy.destination.id
    for copy in invitations(april.number):
        assert [i.status for i in notifier.latest(copy).meeting.follow_up] == [
            FollowUpStatus.OPEN, FollowUpStatus.DONE], copy.destination.id

    # Once April is held, May carries April's points, not March's: a change to March's leaves May alone.
    clock.set(april.starts_at + timedelta(hours=1))
    services.minutes.record(boss, april.number, summary="Nothing new to follow up this time.")
    _sweep(services, clock)
    seen = {p.delivery_id: len(p.updates) for p in invitations(may.number)}
    assert all(notifier.latest(p).meeting.follow_up == () for p in invitations(may.number))
    services.follow_up.set_status(person("UCARITAS1"), march.number, 1, FollowUpStatus.DONE)
    _sweep(services, clock)
    assert {p.delivery_id: len(p.updates) for p in invitations(may.number)} == seen
    assert notifier.latest(minutes[0]).minutes.action_items[0].status == FollowUpStatus.DONE
