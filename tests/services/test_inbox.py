"""The inbox: requests stored before the ack, effects exactly once, unfinished requests resumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from services.clock import ManualClock
from services.container import Services
from services.inbox import (
    KEEP_DONE,
    LEASE,
    MAX_ATTEMPTS,
    WORKER_TIMEOUT,
    AlreadyApplied,
    Pending,
    is_transient,
)
from services.people import Actor, WorkspaceRef
from storage.models import InboxEntry, InboxState, Topic, Worker
from tests.conftest import TEAM

PROPOSER = Actor.of("slack", TEAM, "UPROPOSER")


def _topics(services: Services) -> int:
    with services.sessions() as session:
        return session.scalar(select(func.count()).select_from(Topic)) or 0


def test_a_second_copy_of_a_request_is_recognised(services: Services) -> None:
    first = services.inbox.accept("slack", "T:command:trigger-1", "command", '{"text": "propose"}')
    again = services.inbox.accept("slack", "T:command:trigger-1", "command", '{"text": "propose"}')
    other = services.inbox.accept("slack", "T:command:trigger-2", "command", "{}")
    assert (first.duplicate, again.duplicate, other.duplicate) == (False, True, False)
    assert again.id == first.id and other.id != first.id


def test_an_effect_happens_once_however_often_its_request_is_processed(services: Services) -> None:
    entry = services.inbox.accept("slack", "T:command:t1", "command", "{}").id
    with services.inbox.effect_scope(entry):
        services.topics.propose(PROPOSER, "Bike lanes by the schools")
    # The process died before the request was marked done; the next one processes it again.
    with services.inbox.effect_scope(entry), pytest.raises(AlreadyApplied):
        services.topics.propose(PROPOSER, "Bike lanes by the schools again")
    assert _topics(services) == 1
    status = services.inbox.status(entry)
    assert status is not None and status.effected


def test_reads_and_refused_input_leave_no_stamp(services: Services) -> None:
    services.start(WorkspaceRef("slack", TEAM))  # as at start-up: reads then write nothing at all
    entry = services.inbox.accept("slack", "T:command:t1", "command", "{}").id
    with services.inbox.effect_scope(entry):
        services.topics.open_topics(PROPOSER)
        with pytest.raises(Exception, match="title"):
            services.topics.propose(PROPOSER, "x")
    status = services.inbox.status(entry)
    assert status is not None and not status.effected
    # A later, real effect of the same request still happens.
    with services.inbox.effect_scope(entry):
        services.topics.propose(PROPOSER, "Housing for refugees")
    assert _topics(services) == 1


def test_a_savepoint_inside_the_use_case_does_not_stamp_early(services: Services) -> None:
    topic = services.topics.propose(PROPOSER, "Housing for refugees")
    entry = services.inbox.accept("slack", "T:block_actions:t1", "block_actions", "{}").id
    supporter = Actor.of("slack", TEAM, "USUPPORT1")
    with services.inbox.effect_scope(entry):
        # Support adds its row inside a savepoint, then updates the announcement: one stamp.
        assert services.topics.support(supporter, topic.number).added
    with services.inbox.effect_scope(entry), pytest.raises(AlreadyApplied):
        services.topics.support(Actor.of("slack", TEAM, "USUPPORT2"), topic.number)
    assert services.topics.open_topics(supporter)[0].supporters == 1


def test_outside_a_request_nothing_is_stamped(services: Services) -> None:
    services.topics.propose(PROPOSER, "Housing for refugees")
    services.topics.propose(PROPOSER, "Bike lanes by the schools")
    assert _topics(services) == 2


def _beat(services: Services, clock: ManualClock, worker: str) -> None:
    with services.sessions.begin() as session:
        session.merge(Worker(id=worker, started_at=clock.now(), heartbeat_at=clock.now()))


def test_requests_left_by_a_dead_worker_are_resumed_and_live_ones_are_not(
        services: Services, clock: ManualClock) -> None:
    replayed: list[Pending] = []
    services.inbox.on_replay("slack", replayed.append)
    _beat(services, clock, "other-host:1")
    with services.sessions.begin() as session:
        for key, owner in (("dead", "gone-host:9"), ("alive", "other-host:1")):
            session.add(InboxEntry(platform="slack", request_key=key, kind="command", body=key,
                                   state=InboxState.RECEIVED, received_at=clock.now(),
                                   received_by=owner, attempts=0))
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 1
    assert [p.body for p in replayed] == ["dead"]
    # Claimed for this worker: a second pass (or another replica) does not hand it out again.
    assert services.inbox.resume() == 0

    # The other worker stops beating: its request is resumed once its heartbeat is stale.
    clock.advance(WORKER_TIMEOUT + timedelta(seconds=1))
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 1
    assert [p.body for p in replayed] == ["dead", "alive"]


def test_a_request_stuck_longer_than_the_lease_is_resumed_even_if_its_worker_lives(
        services: Services, clock: ManualClock) -> None:
    replayed: list[Pending] = []
    services.inbox.on_replay("slack", replayed.append)
    with services.sessions.begin() as session:
        session.add(InboxEntry(platform="slack", request_key="stuck", kind="command", body="stuck",
                               state=InboxState.RECEIVED, received_at=clock.now(), received_by="other:1",
                               claimed_by="other:1", claimed_at=clock.now(), attempts=1))
    clock.advance(LEASE + timedelta(seconds=1))
    _beat(services, clock, "other:1")  # it beats, but its thread is stuck
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 1 and replayed[0].body == "stuck"


def test_a_request_this_process_holds_is_never_taken_back_however_long_it_waits(
        services: Services, clock: ManualClock) -> None:
    replayed: list[Pending] = []
    services.inbox.on_replay("slack", replayed.append)
    entry = services.inbox.accept("slack", "queued", "command", "{}").id  # waiting for a thread
    clock.advance(LEASE * 3)
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 0
    # Its thread died without finishing it: once forgotten, the lease brings it back.
    services.inbox.forget(entry)
    assert services.inbox.resume() == 1 and replayed[0].id == entry


def test_a_request_that_keeps_failing_is_given_up_not_replayed_for_ever(
        services: Services, clock: ManualClock) -> None:
    replayed: list[Pending] = []
    services.inbox.on_replay("slack", replayed.append)
    with services.sessions.begin() as session:
        session.add(InboxEntry(platform="slack", request_key="poison", kind="command", body="secret words",
                               state=InboxState.RECEIVED, received_at=clock.now(), received_by="gone:1",
                               claimed_by="gone:1", claimed_at=clock.now(), attempts=1))
    for _ in range(10):
        services.inbox.resume()
        for pending in replayed:
            services.inbox.forget(pending.id)  # each replay dies without finishing
        clock.advance(LEASE + timedelta(seconds=1))
        services.deliveries.heartbeat()
    assert len(replayed) == MAX_ATTEMPTS - 1
    with services.sessions() as session:
        entry = session.scalars(select(InboxEntry)).one()
    assert entry.state == InboxState.DONE and entry.body == ""


def test_a_form_sent_again_unchanged_after_it_was_refused_is_processed_again(services: Services) -> None:
    first = services.inbox.accept("slack", "V1:values", "view_submission", "{}", again_if_ineffective=True)
    services.inbox.finish(first.id)  # refused for its errors: no effect
    again = services.inbox.accept("slack", "V1:values", "view_submission", "{}", again_if_ineffective=True)
    assert (again.id, again.duplicate) == (first.id, False)
    with services.inbox.effect_scope(again.id):
        services.topics.propose(PROPOSER, "Housing for refugees")
    services.inbox.finish(again.id)
    third = services.inbox.accept("slack", "V1:values", "view_submission", "{}", again_if_ineffective=True)
    assert third.duplicate  # it had its effect: the same form again is the same request


def test_a_done_request_keeps_its_key_but_not_what_was_typed(services: Services) -> None:
    entry = services.inbox.accept("slack", "typed", "command", '{"text": "propose private words"}').id
    services.inbox.finish(entry)
    with services.sessions() as session:
        row = session.get(InboxEntry, entry)
        assert row is not None and row.request_key == "typed" and row.body == ""


def test_a_database_error_is_retried_after_a_back_off_then_given_up(
        services: Services, clock: ManualClock) -> None:
    replayed: list[Pending] = []
    services.inbox.on_replay("slack", replayed.append)
    services.deliveries.heartbeat()
    entry = services.inbox.accept("slack", "flaky", "command", "{}").id
    assert services.inbox.retry_later(entry, "OperationalError")
    assert services.inbox.resume() == 0  # not before the back-off
    clock.advance(timedelta(seconds=6))
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 1
    with services.sessions.begin() as session:
        session.execute(update(InboxEntry).values(attempts=99))
    assert not services.inbox.retry_later(entry, "OperationalError")
    status = services.inbox.status(entry)
    assert status is not None
    with services.sessions() as session:
        assert session.get(InboxEntry, entry).state == InboxState.DONE


def test_done_requests_are_forgotten_after_a_day(services: Services, clock: ManualClock) -> None:
    services.inbox.on_replay("slack", lambda pending: None)
    entry = services.inbox.accept("slack", "done", "command", '{"text": "propose private words"}').id
    services.inbox.finish(entry)
    services.inbox.resume()
    assert services.inbox.status(entry) is not None
    clock.advance(KEEP_DONE + timedelta(minutes=1))
    services.inbox.resume()
    assert services.inbox.status(entry) is None


def test_only_database_failures_count_as_transient() -> None:
    assert is_transient(OperationalError("BEGIN IMMEDIATE", {}, Exception("database is locked")))
    assert not is_transient(ValueError("a bug"))
