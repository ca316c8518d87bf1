"""Duplicates: parallel identical requests make one thing (PostgreSQL too), a repeated urgent
call is recognised, and a draft meeting does not exist for non-coordinators."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import Conflict, NotFound
from storage.models import Answer, Meeting, Organisation, Tier, Topic
from tests.factories import coordinator, person

TRIALS = 5


def _race(*calls: Callable[[], object]) -> list[object]:
    """Run `calls` at the same moment on their own threads; each result or exception, in order."""
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(index: int, call: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # noqa: BLE001 - the loser's answer is what we check
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results


def _count(services: Services, model: type) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(model)) or 0


def test_two_identical_schedules_at_once_make_one_meeting(services: Services, clock: ManualClock) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1"])
    for trial in range(TRIALS):
        starts = clock.now() + timedelta(days=20 + trial)

        def schedule(starts=starts) -> object:
            return services.meetings.schedule(boss, title="Budget hearing", starts_at=starts)

        results = _race(schedule, schedule)
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
        assert "already scheduled" in next(str(r.message.msgid) for r in results if isinstance(r, Conflict))
    assert _count(services, Meeting) == TRIALS


def test_two_identical_proposals_at_once_make_one_topic(services: Services) -> None:
    for trial in range(TRIALS):
        def propose(user: str, trial=trial) -> Callable[[], object]:
            return lambda: services.topics.propose(person(user), f"Youth clubs in the east, round {trial}")

        results = _race(propose("UALICE001"), propose("UBOB00001"))
        assert sum(isinstance(r, Conflict) for r in results) == 1, results
    assert _count(services, Topic) == TRIALS


def test_a_losing_roster_add_is_told_the_organisation_is_already_there(services: Services) -> None:
    boss = coordinator()
    for trial in range(TRIALS):
        def add(trial=trial) -> object:
            return services.roster.add(boss, f"Islamic Council {trial}", Tier.CORE, [])

        results = _race(add, add)
        [loser] = [r for r in results if isinstance(r, Exception)]
        assert isinstance(loser, Conflict), loser
    assert _count(services, Organisation) == TRIALS


def test_the_same_urgent_call_moments_later_is_recognised_not_sent_again(
        services: Services, clock: ManualClock) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1"])
    first = services.meetings.urgent(boss, title="Flooding in Nordvik").meeting
    clock.advance(timedelta(seconds=1))
    with pytest.raises(Conflict) as refused:
        services.meetings.urgent(boss, title="flooding  in nordvik")
    rendered = str(refused.value.message.params)
    assert str(first.number) in rendered and refused.value.field == "title"
    # Another crisis is another title; and after the window the same title is a new call.
    services.meetings.urgent(boss, title="Power cut in Sentrum")
    clock.advance(timedelta(minutes=11))
    services.meetings.urgent(boss, title="Flooding in Nordvik")
    assert _count(services, Meeting) == 3


def test_a_draft_does_not_exist_for_a_contact_until_its_invitations_go_out(
        services: Services, clock: ManualClock) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1"])
    draft = services.meetings.schedule(boss, title="Secret draft budget cuts",
                                       starts_at=clock.now() + timedelta(days=30)).meeting
    contact = person("UCARITAS1")
    with pytest.raises(NotFound) as hidden:
        services.meetings.rsvp(contact, draft.number, Answer.YES)
    with pytest.raises(NotFound) as missing:
        services.meetings.rsvp(contact, 999, Answer.YES)
    assert hidden.value.message.msgid == missing.value.message.msgid
    assert "Secret" not in str(hidden.value.message.params)
    # Once the invitations are out, the same answer is taken.
    clock.advance(timedelta(days=17))
    assert services.meetings.rsvp(contact, draft.number, Answer.YES).answer == "yes"
