"""Sending: claim due rows, compose them as of now, hand them to the platform, mark the outcome."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import case, or_, select, update
from sqlalchemy.orm import Session

from services.deliveries.common import (
    BATCH,
    MAX_ATTEMPTS,
    EngineState,
    Key,
    NotYet,
    SweepReport,
    backoff,
    destination_of,
    route_id,
    route_kind,
    route_platform,
)
from services.people import DestinationKind, MessageRef
from services.ports import DeliveryError, RateLimited
from storage.models import Delivery, DeliveryState

log = logging.getLogger(__name__)

# An outage only an operator can mend is retried this often (sooner at first), for this long.
OPERATOR_RETRY = timedelta(minutes=5)
OPERATOR_PATIENCE = timedelta(days=7)


class Sending(EngineState):
    """Claims, sends and marks deliveries."""

    def _claim_due(self) -> list[tuple[int, Key]]:
        now = self._clock.now()
        # Background kinds (notices) after everything else that is due, whatever their due time.
        last = (case((Delivery.kind.in_(sorted(self._background)), 1), else_=0),) if self._background else ()
        with self._sessions.begin() as session:
            query = (
                select(Delivery.id, Delivery.kind, route_platform(), route_kind(), route_id())
                .where(
                    Delivery.state == DeliveryState.PENDING,
                    # Only platforms this engine has a notifier for: others are another process's.
                    route_platform().in_(self._active_platforms()),
                    Delivery.due_at <= now,
                    or_(Delivery.next_attempt_at.is_(None), Delivery.next_attempt_at <= now),
                )
                .order_by(*last, Delivery.due_at, Delivery.id)
                # Look further than one batch: rows for a destination that had its share this second
                # must not keep every other destination waiting behind them.
                .limit(BATCH * 4)
            )
            if session.get_bind().dialect.name == "postgresql":
                # Replicas skip each other's rows instead of queueing behind their locks.
                query = query.with_for_update(skip_locked=True)
            with self._lookups_lock:
                looking = set(self._looking)
            claimed: list[tuple[int, Key]] = []
            rows = session.execute(query).all()
            # While anything else is due, background rows wait for a later sweep: sent in the same
            # one, each would follow its destination's invitation at once and halve the pace.
            waiting = any(row.kind not in self._background for row in rows)
            for delivery_id, kind, *destination in rows:
                if len(claimed) >= BATCH:
                    break
                if waiting and kind in self._background:
                    continue
                if tuple(destination) in looking:
                    continue  # an earlier message there is being looked up: keep the order
                if not self._pacer_for(destination[0]).admit(tuple(destination)):
                    continue  # this destination had its share for now; the row waits for a later sweep
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
            destination = destination_of(delivery, self._language_of(session, delivery))
            version = delivery.content_version
            if message is None or (destination.is_person and self._suppressed(session, delivery)):
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
            ref = self._notifier_for(destination.platform).send(destination, message,
                                                                delivery_id=delivery_id)
        except RateLimited as exc:
            self._pause(destination.platform, exc.retry_after)
            self._unclaim([delivery_id], destination.platform)
            report.retrying.append(delivery_id)
            return
        except DeliveryError as exc:
            if exc.permanent and self._reroute(delivery_id, exc.reason):
                report.retrying.append(delivery_id)
            elif exc.permanent:
                self._fail(delivery_id, exc.reason)
                report.failed.append(delivery_id)
            elif exc.maybe_sent:
                self._leave_in_doubt(delivery_id, exc.reason)
                report.retrying.append(delivery_id)
            elif self._release(delivery_id, exc.reason, operator_hint=exc.operator_hint):
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
        self._record_sent(delivery_id, message_ref=ref.value,
                          synced_version=version, last_error=None)

    def _mark_sent_unseen(self, delivery_id: int) -> None:
        """Record a send the platform cannot confirm or deny as done, with no reference."""
        self._record_sent(delivery_id, synced_version=Delivery.content_version,
                          last_error="sent at most once: the platform cannot tell whether it arrived")

    def _record_sent(self, delivery_id: int, **values: object) -> None:
        with self._sessions.begin() as session:
            result = session.execute(
                update(Delivery)
                .where(*self._mine(delivery_id))
                .values(state=DeliveryState.SENT, sent_at=self._clock.now(), claimed_at=None, **values)
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

    def _reroute(self, delivery_id: int, reason: str) -> bool:
        """Send a row its person's platform refused for good to them elsewhere (a chat contact's
        e-mail address), as the same row, at once; False if they have nowhere else."""
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if (delivery is None or delivery.claimed_by != self.worker_id or delivery.via_platform is not None
                    or delivery.dest_kind != DestinationKind.PERSON):
                return False
            elsewhere = self._fallback(session, delivery)
            if elsewhere is None or elsewhere.platform not in self._notifiers:
                return False
            delivery.via_platform, delivery.via_id = elsewhere.platform, elsewhere.user_id
            # A new way to reach them: its own tries.
            delivery.attempts = 0
            delivery.state = DeliveryState.PENDING
            delivery.claimed_by = delivery.claimed_at = delivery.send_started_at = None
            delivery.next_attempt_at = None
            delivery.last_error = f"{delivery.dest_platform}: {reason}; sent by {elsewhere.platform} instead"
        log.info("delivery %s failed for good in its platform (%s); sending it by %s instead",
                 delivery_id, reason, elsewhere.platform)
        self.wake()
        return True

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
            delivery.claimed_at = now + backoff(delivery.attempts)

    def _release(self, delivery_id: int, error: str, *, operator_hint: str | None = None) -> bool:
        """Put a claimed row back for a later try; False if it has used up its attempts.
        `operator_hint` (from the platform's error) says what an operator must do meanwhile."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            delivery = session.get(Delivery, delivery_id)
            if delivery is None or delivery.claimed_by != self.worker_id:
                return False
            delivery.last_error = error
            delivery.claimed_at = None
            waited = now - delivery.created_at
            if operator_hint is not None and waited < OPERATOR_PATIENCE:
                # What only an operator can mend (a relay down, a login refused, the bot out of
                # the channel) does not use up the attempts: tried every OPERATOR_RETRY until
                # mended, so an outage loses nothing; a message that stopped mattering meanwhile
                # (an invitation to a meeting begun) is dropped by its composer when its turn comes.
                delivery.attempts = max(0, delivery.attempts - 1)
                delivery.state = DeliveryState.PENDING
                delivery.claimed_by = delivery.send_started_at = None
                # The attempts stand still, so the wait grows with the row's age instead: soon at
                # first, then every OPERATOR_RETRY (never a tight loop through a long outage).
                wait = min(max(waited / 2, backoff(1)), OPERATOR_RETRY)
                delivery.next_attempt_at = now + wait
                log.error("delivery %s cannot go out until an operator acts: %s (%s); retrying in %s",
                          delivery_id, error, operator_hint, wait)
                return True
            if delivery.attempts >= MAX_ATTEMPTS or operator_hint is not None:
                delivery.state = DeliveryState.FAILED
                log.warning("delivery %s failed after %s attempts: %s", delivery_id,
                            delivery.attempts, error)
                session.flush()
                self._settle(session, delivery_id)
                return False
            delivery.state = DeliveryState.PENDING
            delivery.claimed_by = delivery.send_started_at = None
            delivery.next_attempt_at = now + backoff(delivery.attempts)
            return True

    def _settle(self, session: Session, delivery_id: int) -> None:
        if not self._settled:
            return
        delivery = session.get(Delivery, delivery_id)
        if delivery is not None:
            for listener in self._settled:
                listener(session, delivery)
