"""Outgoing messages as database rows, swept and sent: restart-safe, never duplicated.

A use case *plans* a delivery (a row, in its own transaction). The sweep claims rows that are
due, asks the registered composer what the message says now, sends it through the Notifier and
records the platform's reference. Rows caught mid-send by a crash are checked against the
platform before being sent again. Sent messages whose content changed are updated in place, at
most once a second each, which coalesces bursts of changes. A rate limit pauses all sending of
this process until the platform's Retry-After has passed.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, insert, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.messages import OutgoingMessage
from services.people import Destination, MessageRef
from services.ports import DeliveryError, Notifier, RateLimited
from storage.models import Delivery, DeliveryState, Worker

log = logging.getLogger(__name__)

Composer = Callable[[Session, Delivery], OutgoingMessage | None]
# A destination as (platform, kind, id): the unit Slack rate-limits and the order is kept in.
Key = tuple[str, ...]


class NotYet(Exception):  # noqa: N818 - it is an answer, not a failure
    """Raised by a composer when its message cannot be decided yet; the row is tried again later."""

    def __init__(self, delay: timedelta = timedelta(seconds=5)) -> None:
        super().__init__(f"not yet; again in {delay}")
        self.delay = delay
# Told, in the same transaction, when a delivery is settled: sent, failed for good, or skipped.
Settled = Callable[[Session, Delivery], None]

# A worker whose heartbeat is older than this is dead; its claims are in doubt. Workers beat
# every HEARTBEAT from a job of their own, whatever a sweep is doing meanwhile.
HEARTBEAT = timedelta(seconds=2)
WORKER_TIMEOUT = timedelta(seconds=10)
# A safety net: no send takes this long, so an older claim is in doubt even if its worker beats.
CLAIM_LEASE = timedelta(minutes=2)
MAX_ATTEMPTS = 6
# Failures an operator must fix; retried with back-off meanwhile, and logged loudly.
ATTENTION = {
    "not_in_channel": "invite the bot to the channel",
    "channel_not_found": "check DIALOG_CHANNEL and that the bot can see the channel",
    "is_archived": "unarchive the channel or change DIALOG_CHANNEL",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "not_authed": "check SLACK_BOT_TOKEN",
    "token_revoked": "reinstall the app and update SLACK_BOT_TOKEN",
    "account_inactive": "reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "reinstall the app from manifest.json to grant its scopes",
}
# Slack allows about one update per message per second; bursts of changes are coalesced.
UPDATE_GAP = timedelta(seconds=1)
BATCH = 50
PACE_BURST = 3
PACE_INTERVAL = timedelta(seconds=1)
# Looking a message up after a crash reads the conversation back, a costly read the platform
# budgets per workspace (Slack: about 50 a minute, with bursts). A few at once, side by side with
# sending, then one per LOOKUP_INTERVAL.
LOOKUPS_AT_ONCE = 4
LOOKUP_BURST = 10
LOOKUP_INTERVAL = timedelta(seconds=1.2)
# Parameters per statement stay well under every backend's limit (SQLite: 32,766).
IN_CHUNK = 5000


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(15 * 2 ** (attempts - 1), 15 * 60))


class Pacer:
    """At most PACE_BURST posts at once per destination, then one per PACE_INTERVAL (Slack allows
    about one message per second per channel, with short bursts). Per process: replicas share the
    limit through Slack's 429s instead."""

    def __init__(self, clock: Clock, *, burst: int = PACE_BURST,
                 interval: timedelta = PACE_INTERVAL) -> None:
        self._clock = clock
        self._burst = burst
        self._interval = interval
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, ...], tuple[float, datetime]] = {}

    def admit(self, destination: tuple[str, ...]) -> bool:
        """Take a token for `destination` if one is left."""
        now = self._clock.now()
        with self._lock:
            tokens, since = self._buckets.get(destination, (float(self._burst), now))
            refill = (now - since) / self._interval
            tokens = min(float(self._burst), tokens + refill)
            if tokens < 1:
                self._buckets[destination] = (tokens, now)
                return False
            self._buckets[destination] = (tokens - 1, now)
            if len(self._buckets) > 10_000:
                # Full buckets carry no information; forget them.
                self._buckets = {k: v for k, v in self._buckets.items() if v[0] < self._burst - 1}
            return True


@dataclass
class SweepReport:
    """What one sweep did, for logs and tests."""

    sent: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)
    failed: list[int] = field(default_factory=list)
    retrying: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)

    @property
    def busy(self) -> bool:
        """Whether the sweep did anything at all."""
        return any((self.sent, self.updated, self.skipped, self.failed, self.retrying, self.recovered))


@dataclass(frozen=True)
class Planned:
    """One delivery to plan in bulk (see `Deliveries.plan_many`); the fields of `Deliveries.plan`."""

    kind: str
    key: str
    destination: Destination
    due_at: datetime
    topic_id: int | None = None
    meeting_id: int | None = None
    meeting_version: int | None = None
    organisation_id: int | None = None
    action_item_id: int | None = None

    @property
    def dedupe_key(self) -> str:
        """Unique per workspace: (subject, kind) and destination."""
        d = self.destination
        return f"{self.key}:{d.platform}:{d.kind}:{d.id}"


class Deliveries:
    """Plans deliveries and sends the ones that are due."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, notifier: Notifier, *,
                 workers: int = 8) -> None:
        self._sessions = sessions
        self._clock = clock
        self._notifier = notifier
        self._workers = max(1, workers)
        self._pool: ThreadPoolExecutor | None = None
        self._executor_lock = threading.Lock()
        self._pacer = Pacer(clock)
        self._lookup_pacer = Pacer(clock, burst=LOOKUP_BURST, interval=LOOKUP_INTERVAL)
        self._lookups_paused_until: datetime | None = None
        # Look-ups running in the pool, which may outlive the sweep that started them, and the
        # destinations they read (counted down by the look-up itself, before its future is done).
        self._lookups: set[Future[None]] = set()
        self._looking: Counter[Key] = Counter()
        self._lookups_lock = threading.Lock()
        self._composers: dict[str, Composer] = {}
        self._settled: list[Settled] = []
        self._wake: Callable[[], None] = lambda: None
        self._paused_until: datetime | None = None
        self._pause_lock = threading.Lock()
        self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"

    def register(self, kind: str, composer: Composer) -> None:
        """Say how to compose deliveries of `kind` from the current state of the database."""
        self._composers[kind] = composer

    def on_settled(self, listener: Settled) -> None:
        """Run `listener` whenever a delivery is sent, fails for good, or is skipped."""
        self._settled.append(listener)

    def on_wake(self, wake: Callable[[], None]) -> None:
        """Install what `wake()` does: the scheduler runs a sweep as soon as it can."""
        self._wake = wake

    def wake(self) -> None:
        """Ask for a sweep soon (after a use case committed new or changed deliveries)."""
        self._wake()

    def plan(
        self,
        session: Session,
        *,
        workspace_id: int,
        kind: str,
        key: str,
        destination: Destination,
        due_at: datetime,
        topic_id: int | None = None,
        meeting_id: int | None = None,
        meeting_version: int | None = None,
        organisation_id: int | None = None,
        action_item_id: int | None = None,
    ) -> Delivery:
        """Add a delivery to the caller's transaction, or return the one already planned under `key`."""
        planned = Planned(kind, key, destination, due_at, topic_id, meeting_id, meeting_version,
                          organisation_id, action_item_id)
        self._check_kind(kind)
        existing = session.scalar(
            select(Delivery).where(
                Delivery.workspace_id == workspace_id, Delivery.dedupe_key == planned.dedupe_key
            )
        )
        if existing is not None:
            return existing
        delivery = Delivery(**self._row(workspace_id, planned))
        session.add(delivery)
        session.flush()
        return delivery

    def plan_many(self, session: Session, *, workspace_id: int, planned: Iterable[Planned]) -> int:
        """Add deliveries to the caller's transaction in bulk, leaving alone those already planned
        under their key (as `plan` does, one by one); returns how many were added."""
        wanted: dict[str, Planned] = {}
        for item in planned:
            self._check_kind(item.kind)
            # The first of two alike wins, as with successive `plan` calls.
            wanted.setdefault(item.dedupe_key, item)
        if not wanted:
            return 0
        # Rows planned earlier in this transaction are found too: make them visible to the query.
        session.flush()
        keys = list(wanted)
        for start in range(0, len(keys), IN_CHUNK):
            chunk = keys[start:start + IN_CHUNK]
            for existing in session.scalars(
                select(Delivery.dedupe_key).where(
                    Delivery.workspace_id == workspace_id, Delivery.dedupe_key.in_(chunk)
                )
            ):
                del wanted[existing]
        rows = [self._row(workspace_id, item) for item in wanted.values()]
        if rows:
            # One executemany (pipelined on PostgreSQL) and no unit-of-work object per row.
            session.execute(insert(Delivery), rows)
        return len(rows)

    def _check_kind(self, kind: str) -> None:
        if kind not in self._composers:
            raise ValueError(f"no composer registered for delivery kind {kind!r}")

    def _row(self, workspace_id: int, planned: Planned) -> dict[str, object]:
        destination = planned.destination
        return dict(
            workspace_id=workspace_id,
            dedupe_key=planned.dedupe_key,
            kind=planned.kind,
            topic_id=planned.topic_id,
            meeting_id=planned.meeting_id,
            meeting_version=planned.meeting_version,
            organisation_id=planned.organisation_id,
            action_item_id=planned.action_item_id,
            dest_platform=destination.platform,
            dest_kind=destination.kind,
            dest_id=destination.id,
            language_hint=destination.language,
            due_at=planned.due_at,
            state=DeliveryState.PENDING,
            attempts=0,
            content_version=1,
            synced_version=0,
            created_at=self._clock.now(),
        )

    def sweep(self) -> SweepReport:
        """Send what is due, recover what a crash left mid-send, and refresh changed messages."""
        report = SweepReport()
        self.heartbeat()
        # Rows a dead worker only claimed go straight back: they were never handed to the platform.
        self._release_unstarted(report)
        started = self._start_lookups(report)
        self._run(self._claim_due, self._send_one, report)
        if started and not (report.sent or report.skipped or report.failed):
            # Nothing else to send: wait for the look-ups, then send what they found missing (and
            # later rows for the same destinations). While there is other work they finish in the
            # background and wake the sweep: a slow read never holds up sending elsewhere.
            wait(started)
            self._run(self._claim_due, self._send_one, report)
        self._run(self._claim_stale, self._update_one, report)
        return report

    def wait_for_lookups(self) -> None:
        """Wait until crash look-ups running in the background are done (for stopping, and tests)."""
        with self._lookups_lock:
            running = list(self._lookups)
        wait(running)

    def heartbeat(self) -> None:
        """Tell other workers this one is alive (and forget workers long gone)."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            beat = session.execute(
                update(Worker).where(Worker.id == self.worker_id).values(heartbeat_at=now)
            )
            if beat.rowcount == 0:
                try:
                    with session.begin_nested():
                        session.add(Worker(id=self.worker_id, started_at=now, heartbeat_at=now))
                except IntegrityError:
                    pass  # the sweep's first beat and the heartbeat job's raced; one row is enough
            session.execute(delete(Worker).where(Worker.heartbeat_at < now - timedelta(days=1)))

    def retire(self) -> None:
        """Say this worker is stopping: a restart need not wait for its heartbeat to go stale."""
        self.wait_for_lookups()
        if self._pool is not None:
            self._pool.shutdown(wait=True)
        with self._sessions.begin() as session:
            session.execute(delete(Worker).where(Worker.id == self.worker_id))

    # -- pacing ----------------------------------------------------------------------------

    def _paused(self) -> bool:
        return self._paused_until is not None and self._clock.now() < self._paused_until

    def _pause(self, retry_after: float) -> None:
        until = self._clock.now() + timedelta(seconds=retry_after)
        with self._pause_lock:
            # Several sends may be told to wait at once: the longest wait wins.
            if self._paused_until is None or until > self._paused_until:
                self._paused_until = until
        log.info("rate limited: sending paused for %.0f s", retry_after)

    def _run(self, claim: Callable[[], list[tuple[int, Key]]], handle: Callable[[int, SweepReport], None],
             report: SweepReport) -> None:
        if self._paused():
            return
        claimed = claim()

        def in_order(delivery_ids: list[int]) -> None:
            for position, delivery_id in enumerate(delivery_ids):
                if self._paused():
                    # Rate limited meanwhile: hand the rest back untouched, due when the pause ends.
                    self._unclaim(delivery_ids[position:])
                    report.retrying.extend(delivery_ids[position:])
                    return
                handle(delivery_id, report)

        # One destination's messages go in order (an invitation before its reminder); different
        # destinations are different Slack channels, each with its own limit, so they go side by side.
        groups: dict[Key, list[int]] = {}
        for delivery_id, destination in claimed:
            groups.setdefault(destination, []).append(delivery_id)
        if self._workers == 1 or len(groups) <= 1:
            for delivery_ids in groups.values():
                in_order(delivery_ids)
            return
        # `workers` runners take destinations in turn: sends stay `workers` at once while the
        # pool's other threads are free for crash look-ups.
        pending = iter(list(groups.values()))
        lock = threading.Lock()

        def runner() -> None:
            while True:
                with lock:
                    delivery_ids = next(pending, None)
                if delivery_ids is None:
                    return
                in_order(delivery_ids)

        runners = [self._executor().submit(runner) for _ in range(min(self._workers, len(groups)))]
        for future in runners:
            future.result()

    def _executor(self) -> ThreadPoolExecutor:
        with self._executor_lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(max_workers=self._workers + LOOKUPS_AT_ONCE,
                                                thread_name_prefix="delivery")
            return self._pool

    def _unclaim(self, delivery_ids: list[int]) -> None:
        with self._sessions.begin() as session:
            for delivery_id in delivery_ids:
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.claimed_by == self.worker_id,
                           Delivery.state == DeliveryState.SENDING)
                    .values(state=DeliveryState.PENDING, claimed_by=None, claimed_at=None,
                            send_started_at=None, attempts=Delivery.attempts - 1,
                            next_attempt_at=self._paused_until)
                )
                session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENT)
                    .values(update_claimed_at=None)
                )

    # -- sending ---------------------------------------------------------------------------

    def _claim_due(self) -> list[tuple[int, Key]]:
        now = self._clock.now()
        with self._sessions.begin() as session:
            query = (
                select(Delivery.id, Delivery.dest_platform, Delivery.dest_kind, Delivery.dest_id)
                .where(
                    Delivery.state == DeliveryState.PENDING,
                    Delivery.due_at <= now,
                    or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                )
                .order_by(Delivery.due_at, Delivery.id)
                # Look further than one batch: rows for a channel that had its share this second
                # must not keep every other destination waiting behind them.
                .limit(BATCH * 4)
            )
            if session.get_bind().dialect.name == "postgresql":
                # Replicas skip each other's rows instead of queueing behind their locks.
                query = query.with_for_update(skip_locked=True)
            with self._lookups_lock:
                looking = set(self._looking)
            claimed: list[tuple[int, Key]] = []
            for delivery_id, *destination in session.execute(query).all():
                if len(claimed) >= BATCH:
                    break
                if tuple(destination) in looking:
                    continue  # an earlier message there is being looked up: keep the order
                if not self._pacer.admit(tuple(destination)):
                    continue  # this channel had its share for now; the row waits for a later sweep
                # The state condition makes the claim exclusive on every backend.
                result = session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.PENDING)
                    .values(
                        state=DeliveryState.SENDING,
                        claimed_at=now,
                        attempted_at=now,
                        claimed_by=self.worker_id,
                        attempts=Delivery.attempts + 1,
                    )
                )
                if result.rowcount == 1:
                    claimed.append((delivery_id, tuple(destination)))
        return claimed

    def _send_one(self, delivery_id: int, report: SweepReport) -> None:
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return
            try:
                message = self._compose(session, delivery)
            except NotYet as later:
                delivery.state = DeliveryState.PENDING
                delivery.claimed_by = delivery.claimed_at = delivery.send_started_at = None
                delivery.attempts -= 1
                delivery.next_attempt_at = self._clock.now() + later.delay
                report.retrying.append(delivery_id)
                return
            destination = _destination(delivery)
            version = delivery.content_version
            if message is None:
                delivery.state = DeliveryState.SKIPPED
                delivery.claimed_at = None
                session.flush()
                self._settle(session, delivery_id)
                report.skipped.append(delivery_id)
                return
            # The send starts now, committed before the platform call: a crash from here on leaves
            # the row in doubt, to be looked up; before it, only claimed, to be released. The
            # conditions make the start exclusive: a claim released meanwhile (this worker was
            # taken for dead) is not sent. The claim's lease counts from now too.
            now = self._clock.now()
            started = session.execute(
                update(Delivery)
                .where(*self._mine(delivery_id), Delivery.state == DeliveryState.SENDING,
                       Delivery.send_started_at.is_(None))
                .values(send_started_at=now, claimed_at=now, attempted_at=now)
                .execution_options(synchronize_session=False)
            ).rowcount == 1
            if not started:
                return
        # The platform call happens outside any transaction: no locks are held while waiting.
        try:
            ref = self._notifier.send(destination, message, delivery_id=delivery_id)
        except RateLimited as exc:
            self._pause(exc.retry_after)
            self._unclaim([delivery_id])
            report.retrying.append(delivery_id)
            return
        except DeliveryError as exc:
            if exc.permanent:
                self._fail(delivery_id, exc.reason)
                report.failed.append(delivery_id)
            elif exc.maybe_sent:
                self._leave_in_doubt(delivery_id, exc.reason)
                report.retrying.append(delivery_id)
            elif self._release(delivery_id, exc.reason):
                report.retrying.append(delivery_id)
            else:
                report.failed.append(delivery_id)
            return
        self._mark_sent(delivery_id, ref, version)
        report.sent.append(delivery_id)

    def _mine(self, delivery_id: int) -> tuple[object, ...]:
        """The condition that the row is still claimed by this worker."""
        return (Delivery.id == delivery_id, Delivery.claimed_by == self.worker_id)

    def _mark_sent(self, delivery_id: int, ref: MessageRef, version: int) -> None:
        with self._sessions.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(*self._mine(delivery_id))
                .values(
                    state=DeliveryState.SENT,
                    sent_at=self._clock.now(),
                    ref_channel=ref.channel,
                    ref_ts=ref.ts,
                    synced_version=version,
                    claimed_at=None,
                    last_error=None,
                )
            )
            if result.rowcount == 1:
                self._settle(session, delivery_id)

    def _fail(self, delivery_id: int, reason: str) -> None:
        log.warning("delivery %s failed for good: %s", delivery_id, reason)
        with self._sessions.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(*self._mine(delivery_id))
                .values(state=DeliveryState.FAILED, last_error=reason, claimed_at=None)
            )
            if result.rowcount == 1:
                self._settle(session, delivery_id)

    def _leave_in_doubt(self, delivery_id: int, reason: str) -> None:
        """Keep the row `sending` but unowned, to be looked for on the platform after a back-off
        (see `_recover_in_doubt`) before anything is sent again."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return
            delivery.last_error = reason
            delivery.claimed_by = None
            delivery.claimed_at = now + _backoff(delivery.attempts)

    def _release(self, delivery_id: int, error: str) -> bool:
        """Put a claimed row back for a later try; False if it has used up its attempts."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return False
            delivery.last_error = error
            delivery.claimed_at = None
            if delivery.attempts >= MAX_ATTEMPTS:
                delivery.state = DeliveryState.FAILED
                log.warning("delivery %s failed after %s attempts: %s", delivery_id,
                            delivery.attempts, error)
                session.flush()
                self._settle(session, delivery_id)
                return False
            delivery.state = DeliveryState.PENDING
            delivery.claimed_by = delivery.send_started_at = None
            delivery.next_attempt_at = now + _backoff(delivery.attempts)
            if error in ATTENTION:
                log.error("delivery %s cannot go out until an operator acts: %s (%s); retrying in %s",
                          delivery_id, error, ATTENTION[error], _backoff(delivery.attempts))
            return True

    def _settle(self, session: Session, delivery_id: int) -> None:
        if not self._settled:
            return
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            for listener in self._settled:
                listener(session, delivery)

    # -- crash recovery --------------------------------------------------------------------

    def _abandoned(self, now: datetime) -> object:
        """Claimed by a worker that stopped beating (killed), or for longer than any send takes."""
        live = select(Worker.id).where(Worker.heartbeat_at > now - WORKER_TIMEOUT)
        return or_(
            and_(Delivery.claimed_by.is_not(None), Delivery.claimed_by.not_in(live)),
            Delivery.claimed_at <= now - CLAIM_LEASE,
        )

    def _release_unstarted(self, report: SweepReport) -> None:
        """Put rows a dead worker claimed but never started sending back to pending, in one
        statement and without asking the platform: nothing of theirs can have gone out, since a
        send starts only once `send_started_at` is committed."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            released = session.execute(
                update(Delivery)
                .where(
                    Delivery.state == DeliveryState.SENDING,
                    Delivery.claimed_by.is_not(None),
                    Delivery.send_started_at.is_(None),
                    self._abandoned(now),
                )
                .values(state=DeliveryState.PENDING, claimed_by=None, claimed_at=None,
                        next_attempt_at=None, attempts=Delivery.attempts - 1)
                .returning(Delivery.id)
                .execution_options(synchronize_session=False)
            ).scalars().all()
        if released:
            log.info("released %d deliveries claimed but never sent by a stopped worker", len(released))
            report.recovered.extend(released)

    def _lookups_paused(self) -> bool:
        paused = self._lookups_paused_until
        return paused is not None and self._clock.now() < paused

    def _start_lookups(self, report: SweepReport) -> list[Future[None]]:
        """Take over rows truly in doubt (their send had started) and look each up on the platform,
        a few at once in the delivery pool, within the look-up budget."""
        if self._lookups_paused():
            return []
        with self._lookups_lock:
            room = LOOKUPS_AT_ONCE - sum(self._looking.values())
        if room <= 0:
            return []
        now = self._clock.now()
        with self._sessions.begin() as session:
            stuck = session.execute(
                select(Delivery.id, Delivery.claimed_at, Delivery.claimed_by, Delivery.dest_platform,
                       Delivery.dest_kind, Delivery.dest_id)
                .where(
                    Delivery.state == DeliveryState.SENDING,
                    or_(
                        # Left to be checked from `claimed_at` on (a reply that never came, or a
                        # look-up that failed). Such rows were always handed over.
                        and_(Delivery.claimed_by.is_(None), Delivery.claimed_at <= now),
                        # Handed to the platform by a worker that died or stalled mid-send.
                        and_(Delivery.send_started_at.is_not(None), self._abandoned(now)),
                    ),
                )
                .order_by(Delivery.id)
                .limit(LOOKUPS_AT_ONCE * 4)
            ).all()
        started: list[Future[None]] = []
        for delivery_id, claimed_at, claimed_by, *destination in stuck:
            if len(started) >= room:
                break
            if not self._lookup_pacer.admit(("lookup",)):
                break  # the budget for reading conversations back is spent for now
            if not self._take_over(delivery_id, claimed_at, claimed_by):
                continue
            if self._workers == 1:
                done: Future[None] = Future()
                self._look_up(delivery_id, report)
                done.set_result(None)
                started.append(done)
                continue
            key = tuple(destination)
            with self._lookups_lock:
                self._looking[key] += 1
            future = self._executor().submit(self._look_up_in_background, delivery_id, key, report)
            with self._lookups_lock:
                self._lookups.add(future)
            future.add_done_callback(self._lookup_done)
            started.append(future)
        return started

    def _lookup_done(self, future: Future[None]) -> None:
        with self._lookups_lock:
            self._lookups.discard(future)

    def _look_up_in_background(self, delivery_id: int, key: Key, report: SweepReport) -> None:
        try:
            released = self._look_up(delivery_id, report)
        except Exception:  # noqa: BLE001 - a pool thread has no one to raise to; the row stays in doubt
            log.exception("looking up delivery %s failed", delivery_id)
            return
        finally:
            with self._lookups_lock:
                self._looking[key] -= 1
                if self._looking[key] <= 0:
                    del self._looking[key]
        if released:
            self.wake()  # it goes out with the next sweep

    def _take_over(self, delivery_id: int, claimed_at: datetime | None, claimed_by: str | None) -> bool:
        """Take over the claim as it was seen; only one sweeper wins it."""
        now = self._clock.now()
        same_owner = (Delivery.claimed_by.is_(None) if claimed_by is None
                      else Delivery.claimed_by == claimed_by)
        same_claim = (Delivery.claimed_at.is_(None) if claimed_at is None
                      else Delivery.claimed_at == claimed_at)
        with self._sessions.begin() as session:
            return session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id, Delivery.state == DeliveryState.SENDING,
                       same_claim, same_owner)
                .values(claimed_at=now, claimed_by=self.worker_id)
                .execution_options(synchronize_session=False)
            ).rowcount == 1

    def _look_up(self, delivery_id: int, report: SweepReport) -> bool:
        """Find out whether a row in doubt went out; True if it was put back to be sent."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return False
            destination = _destination(delivery)
            attempted_at = delivery.send_started_at or delivery.attempted_at or now
            attempts = delivery.attempts
        try:
            # Search from a little before the attempt: clocks of replicas drift.
            found = self._notifier.find_sent(
                destination, delivery_id=delivery_id, since=attempted_at - timedelta(minutes=1)
            )
        except (DeliveryError, RateLimited) as exc:
            log.warning("could not check delivery %s after a crash: %s", delivery_id, exc)
            wait_for = _backoff(1)
            if isinstance(exc, RateLimited):
                # Only look-ups wait: reading history has its own limit, posting is unaffected.
                self._lookups_paused_until = now + timedelta(seconds=exc.retry_after)
                wait_for = timedelta(seconds=exc.retry_after)
            with self._sessions.begin() as session:
                # Still in doubt: checked again later.
                session.execute(
                    update(Delivery).where(*self._mine(delivery_id))
                    .values(claimed_by=None, claimed_at=now + wait_for)
                )
            return False
        released = False
        if found is not None:
            # It did go out: record it. What it rendered is unknown, so synced version 0 makes
            # the next pass refresh it.
            self._mark_sent(delivery_id, found, 0)
            log.info("delivery %s was sent before a crash; recorded, not resent", delivery_id)
        elif attempts >= MAX_ATTEMPTS:
            self._fail(delivery_id, f"not delivered after {attempts} attempts")
            report.failed.append(delivery_id)
            return False
        else:
            with self._sessions.begin() as session:
                released = session.execute(
                    update(Delivery)
                    .where(*self._mine(delivery_id))
                    .values(state=DeliveryState.PENDING, claimed_by=None, claimed_at=None,
                            send_started_at=None, next_attempt_at=None)
                ).rowcount == 1
            log.info("delivery %s was not sent before a crash; sending it again", delivery_id)
        report.recovered.append(delivery_id)
        return released

    # -- updates in place ------------------------------------------------------------------

    def _claim_stale(self) -> list[tuple[int, Key]]:
        now = self._clock.now()
        claimable = (
            Delivery.state == DeliveryState.SENT,
            Delivery.synced_version < Delivery.content_version,
            or_(Delivery.update_claimed_at.is_(None), Delivery.update_claimed_at <= now - CLAIM_LEASE),
            # At most one update per message per UPDATE_GAP, however many changes.
            or_(Delivery.last_update_at.is_(None), Delivery.last_update_at <= now - UPDATE_GAP),
        )
        with self._sessions.begin() as session:
            candidates = session.execute(
                select(Delivery.id, Delivery.dest_platform, Delivery.dest_kind, Delivery.dest_id)
                .where(*claimable).order_by(Delivery.id).limit(BATCH)
            ).all()
            claimed: list[tuple[int, Key]] = []
            for delivery_id, *destination in candidates:
                # The same conditions again: a rival replica may have just taken it.
                result = session.execute(
                    update(Delivery)
                    .where(Delivery.id == delivery_id, *claimable)
                    # Spacing counts from the start of an update: its rendering is as of now.
                    .values(update_claimed_at=now, last_update_at=now)
                )
                if result.rowcount == 1:
                    claimed.append((delivery_id, tuple(destination)))
        return claimed

    def _update_one(self, delivery_id: int, report: SweepReport) -> None:
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.ref_channel is None or delivery.ref_ts is None:
                return
            message = self._compose(session, delivery)
            version = delivery.content_version
            ref = MessageRef(delivery.ref_channel, delivery.ref_ts)
            destination = _destination(delivery)
        try:
            if message is not None:
                self._notifier.update(ref, destination, message)
        except RateLimited as exc:
            self._pause(exc.retry_after)
            self._unclaim([delivery_id])
            report.retrying.append(delivery_id)
            return
        except DeliveryError as exc:
            log.warning("could not update delivery %s: %s", delivery_id, exc.reason)
            with self._sessions.begin() as session:
                if exc.permanent:
                    # Nothing more can be done for this message (deleted, too old to edit).
                    values = dict(synced_version=version, update_claimed_at=None, last_error=exc.reason)
                else:
                    # Keep the claim for a while; the lease then frees it for another try.
                    values = dict(update_claimed_at=self._clock.now() - CLAIM_LEASE + _backoff(1))
                session.execute(update(Delivery).where(Delivery.id == delivery_id).values(**values))
            (report.failed if exc.permanent else report.retrying).append(delivery_id)
            return
        with self._sessions.begin() as session:
            session.execute(
                update(Delivery)
                .where(Delivery.id == delivery_id)
                .values(synced_version=version, update_claimed_at=None)
            )
        report.updated.append(delivery_id)

    def _compose(self, session: Session, delivery: Delivery) -> OutgoingMessage | None:
        composer = self._composers.get(delivery.kind)
        if composer is None:
            log.error("delivery %s has kind %r, which nothing composes; skipping it",
                      delivery.id, delivery.kind)
            return None
        return composer(session, delivery)


def _destination(delivery: Delivery) -> Destination:
    return Destination(delivery.dest_platform, delivery.dest_kind, delivery.dest_id, delivery.language_hint)
