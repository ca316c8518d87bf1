"""Requests the bot acknowledged, kept until they are done: persist first, act after.

A platform adapter stores each request it is about to acknowledge (`accept`) before it answers,
then processes it (the use case, then `finish`). If the process dies in between, the row is
still there: `due` hands it to the next process, which processes it again (`resume`).

"Again" must not mean "twice". While a request is processed, `effect_scope` is active: the first
transaction of the use case that writes anything also stamps the row's `effected_at`, in the same
commit. A second processing of the same request finds the stamp and its write fails with
`AlreadyApplied` (rolled back), so an effect happens exactly once however often the request is
replayed; the adapter then tells the person that their request went through before the restart.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, event, or_, select, update
from sqlalchemy.exc import IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import ORMExecuteState, Session, sessionmaker

from services.clock import Clock
from storage.db import waiting_at_most
from storage.models import InboxEntry, InboxState, Worker

log = logging.getLogger(__name__)

# A request claimed longer ago than this is taken to be lost (its thread stuck or gone), even if
# the process that claimed it still beats. No use case takes a minute.
LEASE = timedelta(minutes=2)
# Matches the delivery engine's notion of a dead worker (same heartbeat table).
WORKER_TIMEOUT = timedelta(seconds=10)
MAX_ATTEMPTS = 5
# A done request keeps only its key (its body is cleared), to recognise a platform's retries.
KEEP_DONE = timedelta(days=1)
PURGE_EVERY = timedelta(minutes=10)
# How long storing a request may wait for SQLite's write lock (seconds).
ACCEPT_WAIT = 2.0
BATCH = 50


class AlreadyApplied(Exception):  # noqa: N818 - it is an answer, not a failure
    """The request being processed had its effect in an earlier attempt (before a restart)."""


@dataclass(frozen=True)
class Accepted:
    """A stored request: its row id, and whether it had been stored before (a platform retry)."""

    id: int
    duplicate: bool


@dataclass(frozen=True)
class Pending:
    """A request to process again, as the adapter stored it."""

    id: int
    platform: str
    kind: str
    body: str
    effected: bool


@dataclass
class _Scope:
    entry_id: int
    # Set once this attempt's first write committed together with the stamp.
    stamped: bool = False
    writes: int = 0


_scope: ContextVar[_Scope | None] = ContextVar("inbox_scope", default=None)
Replayer = Callable[[Pending], None]


class Inbox:
    """Stores acknowledged requests and makes each one's effect happen exactly once."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, worker_id: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self.worker_id = worker_id
        self._replayers: dict[str, Replayer] = {}
        # Requests this process holds (queued or running): never taken for lost, however long
        # they wait for a thread.
        self._in_flight: set[int] = set()
        self._lock = threading.Lock()
        self._last_purge = clock.now() - PURGE_EVERY
        event.listen(sessions, "do_orm_execute", _note_dml)
        event.listen(sessions, "after_flush", _note_flush)
        event.listen(sessions, "before_commit", self._stamp)
        event.listen(sessions, "after_commit", _after_commit)
        event.listen(sessions, "after_rollback", _forget_writes)

    def on_replay(self, platform: str, replayer: Replayer) -> None:
        """Say how requests stored by `platform` are processed again after a restart."""
        self._replayers[platform] = replayer

    # -- the request's life ----------------------------------------------------------------

    def accept(self, platform: str, key: str, kind: str, body: str, *,
               again_if_ineffective: bool = False) -> Accepted:
        """Store a request before it is acknowledged; a second copy (a platform retry) is noted.

        With `again_if_ineffective`, a copy of a request that is done without having had any
        effect (a form refused for its errors, sent again unchanged) is processed again.
        """
        now = self._clock.now()
        try:
            # Platforms wait only seconds for the answer (Slack: 3 s): better a quick 503 (the
            # platform retries, or people see the error and retry) than a 200 so late that the
            # platform has given up and said it failed.
            with waiting_at_most(ACCEPT_WAIT), self._sessions.begin() as session:
                # Stored already claimed by this worker, which processes it next: one write less.
                entry = InboxEntry(platform=platform, request_key=key[:255], kind=kind[:32], body=body,
                                   state=InboxState.RECEIVED, received_at=now,
                                   received_by=self.worker_id, claimed_by=self.worker_id,
                                   claimed_at=now, attempts=1)
                session.add(entry)
                session.flush()
                accepted = Accepted(entry.id, duplicate=False)
        except IntegrityError:
            accepted = self._again(platform, key[:255], body, now, again_if_ineffective)
        if not accepted.duplicate:
            self._hold(accepted.id)
        return accepted

    def _again(self, platform: str, key: str, body: str, now: datetime, reopen: bool) -> Accepted:
        with self._sessions.begin() as session:
            existing = session.scalar(select(InboxEntry).where(
                InboxEntry.platform == platform, InboxEntry.request_key == key))
            if existing is None:
                raise LookupError(f"request {key!r} clashed with a row that is gone")
            if reopen and existing.state == InboxState.DONE and existing.effected_at is None:
                existing.state = InboxState.RECEIVED
                existing.body = body
                existing.received_at = existing.claimed_at = now
                existing.received_by = existing.claimed_by = self.worker_id
                existing.attempts = 1
                existing.done_at = existing.next_attempt_at = None
                return Accepted(existing.id, duplicate=False)
            return Accepted(existing.id, duplicate=True)

    def _hold(self, entry_id: int) -> None:
        with self._lock:
            self._in_flight.add(entry_id)

    def forget(self, entry_id: int) -> None:
        """This process no longer holds the request (it ended one way or another)."""
        with self._lock:
            self._in_flight.discard(entry_id)

    @contextlib.contextmanager
    def effect_scope(self, entry_id: int) -> Iterator[None]:
        """While active, the first writing commit also stamps the request as having had its effect."""
        token = _scope.set(_Scope(entry_id))
        try:
            yield
        finally:
            scope = _scope.get()
            _scope.reset(token)
            if scope is not None and scope.writes > 1:
                # Only the first commit is guarded; a second one could happen twice after a crash.
                log.warning("request %s committed %d writing transactions; only the first is "
                            "exactly-once", entry_id, scope.writes)

    def status(self, entry_id: int) -> Pending | None:
        """The stored request, or None if it is gone."""
        with self._sessions() as session:
            entry = session.get(InboxEntry, entry_id)
            return None if entry is None else _pending(entry)

    def finish(self, entry_id: int) -> None:
        """The request is done: nothing about it is replayed any more, and what was typed is dropped."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            session.execute(
                update(InboxEntry).where(InboxEntry.id == entry_id)
                .values(state=InboxState.DONE, done_at=now, claimed_by=None, last_error=None, body="")
            )
        self.forget(entry_id)

    def retry_later(self, entry_id: int, reason: str) -> bool:
        """Processing failed for a reason that may pass (the database): try again after a back-off.

        Returns False, and finishes the request, once it has used up its attempts.
        """
        now = self._clock.now()
        self.forget(entry_id)
        with self._sessions.begin() as session:
            entry = session.get(InboxEntry, entry_id)
            if entry is None or entry.state == InboxState.DONE:
                return False
            entry.last_error = reason[:500]
            entry.claimed_by = None
            entry.claimed_at = None
            if entry.attempts >= MAX_ATTEMPTS:
                _give_up(entry, now, reason)
                return False
            entry.next_attempt_at = now + timedelta(seconds=min(5 * 2 ** (entry.attempts - 1), 300))
            return True

    # -- after a restart -------------------------------------------------------------------

    def due(self, limit: int = BATCH) -> list[Pending]:
        """Claim requests that a dead (or stuck) worker left unfinished, for processing here."""
        now = self._clock.now()
        live = select(Worker.id).where(Worker.heartbeat_at > now - WORKER_TIMEOUT)
        # This worker is alive whatever the table says (its first heartbeat may still be on the
        # way): its own rows are only lost once they outlive the lease.
        dead = and_(InboxEntry.claimed_by.not_in(live), InboxEntry.claimed_by != self.worker_id)
        never_taken_dead = and_(InboxEntry.received_by.not_in(live), InboxEntry.received_by != self.worker_id)
        lost = or_(
            # Claimed by a worker that died, or stuck for longer than any use case takes.
            and_(InboxEntry.claimed_by.is_not(None), or_(dead, InboxEntry.claimed_at <= now - LEASE)),
            # Never claimed: the worker that stored it died before it got to it (or lost it), or a
            # database error sent it back to wait for its next attempt.
            and_(InboxEntry.claimed_by.is_(None),
                 or_(never_taken_dead, InboxEntry.received_at <= now - LEASE,
                     InboxEntry.next_attempt_at.is_not(None))),
        )
        with self._lock:
            held = list(self._in_flight)
        found: list[Pending] = []
        with self._sessions.begin() as session:
            query = (
                select(InboxEntry)
                .where(InboxEntry.state == InboxState.RECEIVED, lost,
                       InboxEntry.platform.in_(list(self._replayers)),
                       or_(InboxEntry.next_attempt_at.is_(None), InboxEntry.next_attempt_at <= now))
                .order_by(InboxEntry.received_at, InboxEntry.id)
                .limit(limit)
            )
            if held:
                query = query.where(InboxEntry.id.not_in(held))
            if session.get_bind().dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            for entry in session.scalars(query).all():
                if entry.attempts >= MAX_ATTEMPTS:
                    # Tried that often, it is what stops the process (or a bug): never again.
                    _give_up(entry, now, entry.last_error or "interrupted every time")
                    continue
                entry.claimed_by = self.worker_id
                entry.claimed_at = now
                entry.attempts += 1
                entry.next_attempt_at = None
                found.append(_pending(entry))
        for pending in found:
            self._hold(pending.id)
        return found

    def resume(self) -> int:
        """Process again what was acknowledged but left unfinished; returns how many were handed on."""
        handed = 0
        for pending in self.due():
            log.info("resuming request %s (%s) left unfinished before a restart", pending.id, pending.kind)
            try:
                self._replayers[pending.platform](pending)
                handed += 1
            except Exception as exc:  # noqa: BLE001 - one bad request must not block the others
                log.exception("could not resume request %s", pending.id)
                self.retry_later(pending.id, type(exc).__name__)
        self._purge()
        return handed

    def _purge(self) -> None:
        now = self._clock.now()
        if now - self._last_purge < PURGE_EVERY:
            return  # a scan every few seconds would hold SQLite's write lock for nothing
        self._last_purge = now
        cutoff = now - KEEP_DONE
        with self._sessions.begin() as session:
            session.execute(delete(InboxEntry).where(InboxEntry.state == InboxState.DONE,
                                                     InboxEntry.done_at < cutoff))

    # -- the exactly-once stamp ------------------------------------------------------------

    def _stamp(self, session: Session) -> None:
        scope = _scope.get()
        # A savepoint's release also calls this hook; only the real commit carries the stamp.
        if scope is None or session.in_nested_transaction() or session.info.get("stamping") is scope:
            return
        # Objects added but not yet flushed count too: the commit flushes them after this hook.
        if not (session.info.get("wrote") or session.new or session.dirty or session.deleted):
            return
        scope.writes += 1
        if scope.stamped:
            return
        result = session.execute(
            update(InboxEntry)
            .where(InboxEntry.id == scope.entry_id, InboxEntry.effected_at.is_(None))
            .values(effected_at=self._clock.now())
        )
        if result.rowcount != 1:
            raise AlreadyApplied(f"request {scope.entry_id} already had its effect")
        session.info["stamping"] = scope


def is_transient(error: BaseException) -> bool:
    """Whether `error` is the database failing (locked, unreachable, read-only) rather than a bug."""
    return isinstance(error, OperationalError | InterfaceError)


def _give_up(entry: InboxEntry, now: datetime, reason: str) -> None:
    entry.state = InboxState.DONE
    entry.done_at = now
    entry.claimed_by = None
    entry.body = ""
    entry.last_error = reason[:500]
    log.error("request %s (%s) given up after %d attempts: %s", entry.id, entry.kind, entry.attempts, reason)


def _pending(entry: InboxEntry) -> Pending:
    return Pending(entry.id, entry.platform, entry.kind, entry.body, entry.effected_at is not None)


def _note_dml(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["wrote"] = True


def _note_flush(session: Session, _context: object) -> None:
    if session.new or session.dirty or session.deleted:
        session.info["wrote"] = True


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return
    scope = session.info.pop("stamping", None)
    if scope is not None:
        scope.stamped = True
    session.info.pop("wrote", None)


def _forget_writes(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint rolled back; what the transaction wrote before it still stands
    session.info.pop("wrote", None)
    session.info.pop("stamping", None)


