"""The delivery engine: exactly once through failures, rate limits, crashes and rival sweepers."""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import select, update

from services.clock import ManualClock
from services.container import Services, build_services
from services.deliveries import CLAIM_LEASE, MAX_ATTEMPTS, WORKER_TIMEOUT, SweepReport
from services.people import Destination, DestinationKind, MessageRef
from services.ports import DeliveryError, RateLimited
from services.privacy import PrivacySettings
from storage.models import Delivery, DeliveryState, Tier, Topic, Worker
from tests.conftest import CHANNEL, TIMINGS
from tests.factories import PLATFORM, coordinator, person
from tests.support.notifier import RecordingNotifier

# These tests count the rows a use case plans; new contacts' privacy notices are tested apart.
QUIET = PrivacySettings(notices=False)


def _delivery(sessions) -> Delivery:
    with sessions() as session:
        return session.scalars(select(Delivery)).one()


def test_rate_limit_reschedules_after_retry_after_without_using_an_attempt(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.append(RateLimited(30))
    report = services.deliveries.sweep()
    assert report.retrying and not notifier.posted
    row = _delivery(sessions)
    assert (row.state, row.attempts) == (DeliveryState.PENDING, 0)
    assert row.next_attempt_at == clock.now() + timedelta(seconds=30)

    clock.advance(timedelta(seconds=29))
    assert services.deliveries.sweep().sent == []
    clock.advance(timedelta(seconds=1))
    assert len(services.deliveries.sweep().sent) == 1
    assert len(notifier.posted) == 1


def test_permanent_failure_is_recorded_and_not_retried(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.append(DeliveryError("channel_not_found", permanent=True))
    assert services.deliveries.sweep().failed
    row = _delivery(sessions)
    assert (row.state, row.last_error) == (DeliveryState.FAILED, "channel_not_found")
    clock.advance(timedelta(hours=1))
    services.deliveries.sweep()
    assert notifier.posted == []


def test_transient_failures_back_off_then_give_up(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.extend(DeliveryError("internal_error", permanent=False) for _ in range(MAX_ATTEMPTS))
    waits = []
    for _ in range(MAX_ATTEMPTS):
        services.deliveries.sweep()
        row = _delivery(sessions)
        if row.state == DeliveryState.FAILED:
            break
        waits.append(row.next_attempt_at - clock.now())
        clock.set(row.next_attempt_at)
    assert waits == sorted(waits) and waits[0] < waits[-1]
    row = _delivery(sessions)
    assert (row.state, row.attempts) == (DeliveryState.FAILED, MAX_ATTEMPTS)
    assert notifier.posted == []


def test_transient_failure_then_success_sends_once(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.append(DeliveryError("internal_error", permanent=False))
    services.deliveries.sweep()
    clock.set(_delivery(sessions).next_attempt_at)
    assert len(services.deliveries.sweep().sent) == 1
    assert len(notifier.posted) == 1
    assert _delivery(sessions).state == DeliveryState.SENT


def test_lost_reply_is_checked_on_the_platform_not_sent_twice(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.lost_replies = 1
    services.deliveries.sweep()
    assert len(notifier.posted) == 1
    assert _delivery(sessions).state == DeliveryState.SENDING
    clock.advance(CLAIM_LEASE)
    report = services.deliveries.sweep()
    assert report.recovered
    row = _delivery(sessions)
    assert row.state == DeliveryState.SENT
    assert row.message_ref == notifier.posted[0].ref.value
    assert len(notifier.posted) == 1


def test_crash_mid_send_is_resent_only_if_the_platform_never_got_it(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "First topic")
    services.topics.propose(person("U1"), "Second topic")
    # Simulate a crash: both sends had started, only the first reached the platform.
    with sessions.begin() as session:
        session.add(Worker(id="dead", started_at=clock.now(), heartbeat_at=clock.now()))
        session.execute(
            update(Delivery).values(state=DeliveryState.SENDING, claimed_at=clock.now(),
                                    attempted_at=clock.now(), send_started_at=clock.now(),
                                    claimed_by="dead", attempts=1)
        )
        first = session.scalars(select(Delivery).order_by(Delivery.id)).first()

    notifier.send(Destination.channel(notifier.platform, CHANNEL), _announcement(services), delivery_id=first.id)
    # While its worker's heartbeat is fresh the rows are left alone: it may still be sending.
    assert not services.deliveries.sweep().busy
    clock.advance(WORKER_TIMEOUT)
    report = services.deliveries.sweep()
    assert sorted(report.recovered) == [first.id, first.id + 1]
    assert [p.delivery_id for p in notifier.posted] == [first.id, first.id + 1]
    with sessions() as session:
        assert {d.state for d in session.scalars(select(Delivery))} == {DeliveryState.SENT}


def _announcement(services: Services):
    from services.messages import TopicAnnouncement

    return TopicAnnouncement(services.topics.get(person("U1"), 1))


def test_deleted_subject_is_skipped(services: Services, notifier: RecordingNotifier, sessions) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    with sessions.begin() as session:
        session.execute(update(Delivery).values(topic_id=None))
    assert services.deliveries.sweep().skipped
    assert _delivery(sessions).state == DeliveryState.SKIPPED
    assert notifier.posted == []


def test_future_deliveries_wait_for_their_time(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    with sessions.begin() as session:
        session.execute(update(Delivery).values(due_at=clock.now() + timedelta(minutes=5)))
    assert services.deliveries.sweep().sent == []
    clock.advance(timedelta(minutes=5))
    assert len(services.deliveries.sweep().sent) == 1


def test_failed_update_is_retried_later(
    services: Services, notifier: RecordingNotifier, clock: ManualClock
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    services.deliveries.sweep()
    services.topics.support(person("U2"), 1)
    notifier.update_failures.append(RateLimited(5))
    assert services.deliveries.sweep().retrying
    assert services.deliveries.sweep().updated == []
    clock.advance(timedelta(seconds=5))
    assert services.deliveries.sweep().updated
    assert notifier.latest(notifier.posted[0]).topic.supporters == 1


def test_rival_sweepers_send_each_delivery_once(
    sessions, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    replicas = [
        build_services(sessions, clock, notifier, platform=PLATFORM.get(), channel_id=CHANNEL,
                       coordinators=(), default_language="en", timings=TIMINGS,
                       privacy=QUIET)
        for _ in range(3)
    ]
    for n in range(30):
        replicas[0].topics.propose(person("U1"), f"Topic number {n}")
    barrier = threading.Barrier(len(replicas))
    errors: list[BaseException] = []

    def run(replica: Services) -> None:
        barrier.wait()
        try:
            replica.deliveries.sweep()
        except BaseException as exc:  # noqa: BLE001 - surfaced by the assertion below
            errors.append(exc)

    # All announcements go to one channel, which takes a few at a time: let time pass between rounds.
    for _ in range(15):
        threads = [threading.Thread(target=run, args=(r,)) for r in replicas]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        clock.advance(timedelta(seconds=1))
    assert errors == []
    sent_ids = [p.delivery_id for p in notifier.posted]
    assert len(sent_ids) == 30 and len(set(sent_ids)) == 30
    with sessions() as session:
        assert session.scalar(select(Topic.id).where(Topic.number == 30)) is not None
        assert {d.state for d in session.scalars(select(Delivery))} == {DeliveryState.SENT}


def test_a_rate_limit_pauses_the_whole_batch_until_retry_after(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [f"UCARITAS{n}" for n in range(6)])
    services.meetings.urgent(coordinator(), title="Flooding")  # a fan-out to six people at once
    notifier.failures.append(RateLimited(30))
    report = services.deliveries.sweep()
    # Sends already on the wire finish; nothing new starts once Slack said to wait.
    assert report.retrying and len(report.sent) + len(report.retrying) == 8
    with sessions() as session:
        waiting = session.scalars(select(Delivery).where(Delivery.state == DeliveryState.PENDING,
                                                         Delivery.due_at <= clock.now())).all()
    assert waiting and {r.attempts for r in waiting} == {0}
    clock.advance(timedelta(seconds=29))
    assert services.deliveries.sweep().sent == []
    clock.advance(timedelta(seconds=1))
    assert len(services.deliveries.sweep().sent) == len(waiting)
    assert len({p.delivery_id for p in notifier.posted}) == len(notifier.posted) == 8


def test_operator_fixable_errors_are_retried_not_dropped(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.append(DeliveryError("not_in_channel", permanent=False))
    services.deliveries.sweep()
    row = _delivery(sessions)
    assert row.state == DeliveryState.PENDING and row.last_error == "not_in_channel"
    clock.set(row.next_attempt_at)
    assert len(services.deliveries.sweep().sent) == 1


def test_an_outage_only_an_operator_can_mend_never_uses_up_the_attempts(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    # The server down for hours: far more tries than a message has, each answered the same, and
    # the waits between them growing to five minutes (no tight loop through the outage).
    waits = []
    for _ in range(MAX_ATTEMPTS * 2):
        notifier.failures.append(DeliveryError("cannot reach the SMTP server", permanent=False,
                                               operator_hint="check SMTP_HOST"))
        services.deliveries.sweep()
        row = _delivery(sessions)
        assert row.state == DeliveryState.PENDING
        assert row.next_attempt_at - clock.now() <= timedelta(minutes=15)
        assert row.attempts <= 1, "an outage uses up no attempts"
        waits.append(row.next_attempt_at - clock.now())
        clock.set(row.next_attempt_at)
    assert waits == sorted(waits) and waits[-1] == timedelta(minutes=5)
    # Mended: it goes out.
    assert len(services.deliveries.sweep().sent) == 1


def test_a_live_workers_claims_are_never_taken_over(
    sessions, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    def replica() -> Services:
        return build_services(sessions, clock, notifier, platform=PLATFORM.get(), channel_id=CHANNEL,
                              coordinators=(), default_language="en", timings=TIMINGS,
                       privacy=QUIET)

    slow, rival = replica(), replica()
    slow.topics.propose(person("U1"), "Housing for refugees")
    slow.deliveries.heartbeat()
    [(claimed, _)] = slow.deliveries._claim_due()  # mid-send: claimed, not yet sent
    for _ in range(10):  # a long send; the slow worker keeps beating from its own job
        clock.advance(timedelta(seconds=5))
        slow.deliveries.heartbeat()
        assert not rival.deliveries.sweep().recovered
    slow.deliveries._send_one(claimed, SweepReport())
    assert [p.delivery_id for p in notifier.posted] == [claimed]
    assert _delivery(sessions).state == DeliveryState.SENT


def test_a_takeover_makes_the_old_owner_unable_to_record(
    sessions, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    replicas = [build_services(sessions, clock, notifier, platform=PLATFORM.get(), channel_id=CHANNEL,
                               coordinators=(), default_language="en", timings=TIMINGS,
                       privacy=QUIET) for _ in range(2)]
    old, new = replicas
    old.topics.propose(person("U1"), "Housing for refugees")
    old.deliveries.heartbeat()
    [(claimed, _)] = old.deliveries._claim_due()
    clock.advance(WORKER_TIMEOUT + timedelta(seconds=1))  # the old worker stopped beating
    assert new.deliveries.sweep().recovered == [claimed]
    assert _delivery(sessions).state == DeliveryState.SENT

    old.deliveries._mark_sent(claimed, MessageRef("CSTALE/1.0"), 1)  # it wakes up, too late
    assert _delivery(sessions).message_ref != "CSTALE/1.0"


def test_the_sweep_client_never_retries_by_itself() -> None:
    from handlers.slack.app import make_client

    assert make_client("xoxb-1", "http://127.0.0.1:1/api/", retries=False).retry_handlers == []
    assert len(make_client("xoxb-1", "http://127.0.0.1:1/api/", retries=True).retry_handlers) == 2


# -- claimed versus started: only a send that had started is in doubt --------------------------


class _Crash(BaseException):
    """The process dies in the middle of the platform call (nothing below catches it)."""


class LookupCountingNotifier(RecordingNotifier):
    """Counts look-ups; can hold them until told, and die in the middle of a send."""

    def __init__(self) -> None:
        super().__init__()
        self.lookups: list[int] = []
        self.hold_lookups: threading.Event | None = None
        self.crash_after_send = 0

    def send(self, destination, message, *, delivery_id: int):
        ref = super().send(destination, message, delivery_id=delivery_id)
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise _Crash()  # Slack has the message; the process never hears back
        return ref

    def find_sent(self, destination, *, delivery_id: int, since):
        self.lookups.append(delivery_id)
        if self.hold_lookups is not None:
            self.hold_lookups.wait()
        return super().find_sent(destination, delivery_id=delivery_id, since=since)


def _replica(sessions, clock: ManualClock, notifier: RecordingNotifier) -> Services:
    return build_services(sessions, clock, notifier, platform=PLATFORM.get(), channel_id=CHANNEL,
                          coordinators=("UCOORD01",), default_language="en", timings=TIMINGS,
                          privacy=QUIET)


def _fan_out(services: Services, people: int) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, [f"UCARITAS{n:02d}" for n in range(people)])
    services.meetings.urgent(coordinator(), title="Flooding")


def _rows(sessions) -> list[Delivery]:
    with sessions() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_rows_a_dead_worker_only_claimed_are_released_without_a_look_up(
    sessions, clock: ManualClock
) -> None:
    notifier = LookupCountingNotifier()
    dead, restarted = _replica(sessions, clock, notifier), _replica(sessions, clock, notifier)
    _fan_out(dead, 20)
    dead.deliveries.heartbeat()
    claimed = dead.deliveries._claim_due()  # then SIGKILL: claimed, nothing handed over
    assert len(claimed) == 22 and all(r.send_started_at is None for r in _rows(sessions))

    assert not restarted.deliveries.sweep().recovered  # its heartbeat is still fresh
    clock.advance(WORKER_TIMEOUT)
    report = restarted.deliveries.sweep()
    assert sorted(report.recovered) == sorted(i for i, _ in claimed)
    assert notifier.lookups == []
    assert sorted(report.sent) == sorted(i for i, _ in claimed)
    assert sorted(p.delivery_id for p in notifier.posted) == sorted(i for i, _ in claimed)
    # Released claims did not use up attempts: each row was attempted once, by the restarted worker.
    assert {(r.state, r.attempts) for r in _rows(sessions) if r.due_at <= clock.now()} == {
        (DeliveryState.SENT, 1)}


def test_only_rows_whose_send_had_started_are_looked_up(sessions, clock: ManualClock) -> None:
    notifier = LookupCountingNotifier()
    dead, restarted = _replica(sessions, clock, notifier), _replica(sessions, clock, notifier)
    _fan_out(dead, 10)
    dead.deliveries.heartbeat()
    claimed = [i for i, _ in dead.deliveries._claim_due()]
    notifier.crash_after_send = 1
    try:
        dead.deliveries._send_one(claimed[0], SweepReport())  # handed over, then killed
    except _Crash:
        pass
    started = [r.id for r in _rows(sessions) if r.send_started_at is not None]
    assert started == [claimed[0]]

    clock.advance(WORKER_TIMEOUT)
    report = restarted.deliveries.sweep()
    restarted.deliveries.wait_for_lookups()
    assert notifier.lookups == [claimed[0]]
    assert sorted(report.recovered) == sorted(claimed)
    for _ in range(3):  # whatever was left for a later sweep
        restarted.deliveries.sweep()
    posted = [p.delivery_id for p in notifier.posted]
    assert sorted(posted) == sorted(claimed)  # each exactly once: the started one was found, not resent
    rows = [r for r in _rows(sessions) if r.due_at <= clock.now()]
    assert {r.state for r in rows} == {DeliveryState.SENT}
    assert next(r for r in rows if r.id == claimed[0]).message_ref == notifier.posted[0].ref.value


def test_a_claim_released_meanwhile_is_not_started_by_its_stalled_owner(
    sessions, clock: ManualClock
) -> None:
    notifier = LookupCountingNotifier()
    stalled, rival = _replica(sessions, clock, notifier), _replica(sessions, clock, notifier)
    stalled.topics.propose(person("U1"), "Housing for refugees")
    stalled.deliveries.heartbeat()
    [(claimed, _)] = stalled.deliveries._claim_due()
    clock.advance(WORKER_TIMEOUT + timedelta(seconds=1))  # it stopped beating, but is not dead
    assert rival.deliveries.sweep().sent == [claimed]
    stalled.deliveries._send_one(claimed, SweepReport())  # it wakes up: the start is refused
    assert [p.delivery_id for p in notifier.posted] == [claimed]
    assert notifier.lookups == []


def test_send_started_at_is_cleared_whenever_a_row_goes_back_to_pending(
    services: Services, notifier: RecordingNotifier, clock: ManualClock, sessions
) -> None:
    services.topics.propose(person("U1"), "Housing for refugees")
    notifier.failures.append(RateLimited(5))
    services.deliveries.sweep()
    row = _delivery(sessions)
    assert (row.state, row.send_started_at) == (DeliveryState.PENDING, None)
    clock.advance(timedelta(seconds=5))
    notifier.failures.append(DeliveryError("internal_error", permanent=False))
    services.deliveries.sweep()
    row = _delivery(sessions)
    assert (row.state, row.send_started_at) == (DeliveryState.PENDING, None)
    clock.set(row.next_attempt_at)
    notifier.failures.append(DeliveryError("timed out", permanent=False, maybe_sent=True))
    services.deliveries.sweep()
    row = _delivery(sessions)
    # In doubt: the send had started, and that is kept until a look-up settles it.
    assert row.state == DeliveryState.SENDING and row.send_started_at == clock.now()
    clock.advance(CLAIM_LEASE)
    services.deliveries.sweep()  # not found on the platform: pending again, then sent
    row = _delivery(sessions)
    assert row.state == DeliveryState.SENT and len(notifier.posted) == 1


def test_a_slow_look_up_does_not_hold_up_sending_elsewhere(sessions, clock: ManualClock) -> None:
    notifier = LookupCountingNotifier()
    dead, restarted = _replica(sessions, clock, notifier), _replica(sessions, clock, notifier)
    _fan_out(dead, 10)
    dead.deliveries.heartbeat()
    claimed = [i for i, _ in dead.deliveries._claim_due()]
    with sessions.begin() as session:  # the first two sends had started when it was killed
        session.execute(update(Delivery).where(Delivery.id.in_(claimed[:2]))
                        .values(send_started_at=clock.now()))
    clock.advance(WORKER_TIMEOUT)
    notifier.hold_lookups = threading.Event()
    try:
        report = restarted.deliveries.sweep()  # returns while both look-ups still wait on the platform
        assert sorted(notifier.lookups) == claimed[:2]
        assert sorted(report.sent) == sorted(claimed[2:])
    finally:
        notifier.hold_lookups.set()  # a failed assertion must not leave the pool waiting for ever
    restarted.deliveries.wait_for_lookups()
    assert sorted(restarted.deliveries.sweep().sent) == claimed[:2]  # not found: sent now, once
    assert sorted(p.delivery_id for p in notifier.posted) == sorted(claimed)


def test_look_ups_keep_within_their_budget(sessions, clock: ManualClock) -> None:
    from services.deliveries import LOOKUP_BURST, LOOKUP_INTERVAL, LOOKUPS_AT_ONCE

    notifier = LookupCountingNotifier()
    services = _replica(sessions, clock, notifier)
    _fan_out(services, 30)
    with sessions.begin() as session:  # every send's reply was lost: all in doubt
        session.execute(update(Delivery).values(
            state=DeliveryState.SENDING, claimed_by=None, claimed_at=clock.now(),
            send_started_at=clock.now(), attempted_at=clock.now(), attempts=1))
    counts = []
    for _ in range(6):
        services.deliveries.sweep()
        services.deliveries.wait_for_lookups()
        counts.append(len(notifier.lookups))
    steps = [b - a for a, b in zip([0, *counts], counts, strict=False)]
    assert max(steps) <= LOOKUPS_AT_ONCE and counts[-1] == LOOKUP_BURST  # no time passed: budget spent
    clock.advance(LOOKUP_INTERVAL)
    services.deliveries.sweep()
    services.deliveries.wait_for_lookups()
    assert len(notifier.lookups) == LOOKUP_BURST + 1


def test_plan_many_keeps_plans_semantics(services: Services, clock: ManualClock, sessions) -> None:
    from services.deliveries import Planned
    from services.meetings import INVITE
    from tests.factories import workspace

    def invite(user: str, language: str | None) -> Planned:
        return Planned(INVITE, "bulk:1:invite", Destination(PLATFORM.get(), DestinationKind.PERSON, user, language),
                       clock.now())

    with sessions.begin() as session:
        workspace_id = workspace(session).id
        services.deliveries.plan(session, workspace_id=workspace_id, kind=INVITE, key="bulk:1:invite",
                                 destination=Destination.person(person("U1").person), due_at=clock.now())
        # Already planned (earlier in this very transaction), alike in one batch: the first wins.
        added = services.deliveries.plan_many(session, workspace_id=workspace_id, planned=[
            invite("U1", "nb"), invite("U2", "nb"), invite("U2", "en"), invite("U3", None)])
        assert added == 2
    with sessions.begin() as session:
        assert services.deliveries.plan_many(session, workspace_id=workspace_id,
                                             planned=[invite("U3", "en"), invite("U4", None)]) == 1
    rows = {r.dest_id: r.language_hint for r in _rows(sessions)}
    assert rows == {"U1": None, "U2": "nb", "U3": None, "U4": None}
