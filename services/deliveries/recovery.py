"""Crash recovery: rows a stopped worker left claimed go back, and rows whose send had started
are looked up on the platform before anything is sent again."""

from __future__ import annotations

import logging
from concurrent.futures import Future
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update

from services.deliveries.common import (
    CLAIM_LEASE,
    LOOKUPS_AT_ONCE,
    MAX_ATTEMPTS,
    WORKER_TIMEOUT,
    EngineState,
    Key,
    SweepReport,
    backoff,
    destination_of,
    route_id,
    route_kind,
    route_platform,
)
from services.ports import CANNOT_TELL, DeliveryError, RateLimited
from storage.models import Delivery, DeliveryState, Worker

log = logging.getLogger(__name__)


class Recovery(EngineState):
    """Finds out what a crash left in doubt."""

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
                    route_platform().in_(list(self._notifiers)),
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

    def _lookup_platforms(self) -> list[str]:
        """The platforms whose history may be read now (not waiting out a rate limit on reads)."""
        now = self._clock.now()
        return [platform for platform in self._notifiers
                if (until := self._lookups_paused_until.get(platform)) is None or now >= until]

    def _start_lookups(self, report: SweepReport) -> list[Future[None]]:
        """Take over rows truly in doubt (their send had started) and look each up on the platform,
        a few at once in the delivery pool, within the look-up budget."""
        platforms = self._lookup_platforms()
        if not platforms:
            return []
        with self._lookups_lock:
            room = LOOKUPS_AT_ONCE - sum(self._looking.values())
        if room <= 0:
            return []
        now = self._clock.now()
        with self._sessions.begin() as session:
            stuck = session.execute(
                select(Delivery.id, Delivery.claimed_at, Delivery.claimed_by, route_platform(),
                       route_kind(), route_id())
                .where(
                    Delivery.state == DeliveryState.SENDING,
                    route_platform().in_(platforms),
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
            if not self._lookup_pacer.admit(("lookup", destination[0])):
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
            destination = destination_of(delivery, self._language_of(session, delivery))
            attempted_at = delivery.send_started_at or delivery.attempted_at or now
            attempts = delivery.attempts
        try:
            # Search from a little before the attempt: clocks of replicas drift.
            found = self._notifier_for(destination.platform).find_sent(
                destination, delivery_id=delivery_id, since=attempted_at - timedelta(minutes=1)
            )
        except (DeliveryError, RateLimited) as exc:
            log.warning("could not check delivery %s after a crash: %s", delivery_id, exc)
            wait_for = backoff(1)
            if isinstance(exc, RateLimited):
                # Only look-ups wait: reading history has its own limit, posting is unaffected.
                self._lookups_paused_until[destination.platform] = now + timedelta(seconds=exc.retry_after)
                wait_for = timedelta(seconds=exc.retry_after)
            with self._sessions.begin() as session:
                # Still in doubt: checked again later.
                session.execute(
                    update(Delivery).where(*self._mine(delivery_id))
                    .values(claimed_by=None, claimed_at=now + wait_for)
                )
            return False
        released = False
        resends = getattr(self._notifier_for(destination.platform), "resend_in_doubt", False)
        if found is CANNOT_TELL and resends and attempts >= MAX_ATTEMPTS:
            # Never confirmed, however often tried: a failure to report, not a send to assume.
            self._fail(delivery_id, f"not confirmed after {attempts} attempts")
            report.failed.append(delivery_id)
            return False
        if found is CANNOT_TELL and resends:
            # The platform cannot search what it was sent, but says a second copy is harmless
            # (e-mail: the copy carries the same Message-ID, which mail systems use to drop
            # duplicates, and an invitation lost would be worse): at least once.
            with self._sessions.begin() as session:
                released = session.execute(
                    update(Delivery)
                    .where(*self._mine(delivery_id))
                    .values(state=DeliveryState.PENDING, claimed_by=None, claimed_at=None,
                            send_started_at=None, next_attempt_at=None,
                            last_error="in doubt after a crash: sent again, as the same message")
                ).rowcount == 1
            log.warning("delivery %s may have been sent before a crash and %s cannot tell; sending it "
                        "again as the same message", delivery_id, destination.platform)
        elif found is CANNOT_TELL:
            # The platform cannot search what it was sent (Teams). The policy is at most
            # once: a row in doubt there is taken as sent and never sent again, since a message
            # missing is better than a message twice. Recorded without a reference, it is never
            # updated in place.
            self._mark_sent_unseen(delivery_id)
            log.warning("delivery %s may have been sent before a crash and %s cannot tell; "
                        "recorded as sent, not resent", delivery_id, destination.platform)
        elif found is not None:
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
