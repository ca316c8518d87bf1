"""The inbox: requests stored before the ack, effects exactly once, unfinished requests resumed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError

from services.clock import ManualClock
from services.container import Services
from services.inbox import KEEP_DONE, LEASE, WORKER_TIMEOUT, AlreadyApplied, Pending, is_transient
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
    services.deliveries.heartbeat()
    entry = services.inbox.accept("slack", "stuck", "command", "{}").id  # taken by this worker
    assert services.inbox.resume() == 0
    clock.advance(LEASE + timedelta(seconds=1))
    services.deliveries.heartbeat()
    assert services.inbox.resume() == 1 and replayed[0].id == entry


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
