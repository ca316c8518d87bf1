"""Updates in place: sent messages whose content changed are re-rendered, at most once per their
platform's update gap (`Pacing.update_gap`) each; `refresh` is how a use case says a posted
message changed."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from services.deliveries.common import (
    BATCH,
    CLAIM_LEASE,
    EngineState,
    Key,
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


class Updates(EngineState):
    """Re-renders sent messages whose content changed."""

    def refresh(self, session: Session, *, kinds: Iterable[str], meeting_id: int | None = None,
                topic_id: int | None = None, channel_only: bool = False) -> None:
        """Have the messages of `kinds` about a meeting and/or a topic re-rendered where they were
        posted (`channel_only`: only those posted in a channel), in the caller's transaction."""
        kinds = tuple(kinds)
        if not kinds or (meeting_id is None and topic_id is None):
            raise ValueError("refresh needs the kinds, and a meeting or a topic, to find the messages")
        query = update(Delivery).where(Delivery.kind.in_(kinds))
        if meeting_id is not None:
            query = query.where(Delivery.meeting_id == meeting_id)
        if topic_id is not None:
            query = query.where(Delivery.topic_id == topic_id)
        if channel_only:
            query = query.where(Delivery.dest_kind == DestinationKind.CHANNEL)
        # Rows not sent yet are bumped too, harmlessly: they render the latest content when sent.
        session.execute(query.values(content_version=Delivery.content_version + 1))

    def _claim_stale(self) -> list[tuple[int, Key]]:
        now = self._clock.now()
        platforms = [(platform, notifier.pacing.update_gap) for platform, notifier in self._notifiers.items()
                     if not self._paused(platform)]
        if not platforms:
            return []
        claimable = (
            Delivery.state == DeliveryState.SENT,
            Delivery.synced_version < Delivery.content_version,
            or_(Delivery.update_claimed_at.is_(None), Delivery.update_claimed_at <= now - CLAIM_LEASE),
            # Only platforms this engine has a notifier for, and at most one update per message
            # per its platform's update gap, however many changes.
            or_(*(
                and_(route_platform() == platform,
                     or_(Delivery.last_update_at.is_(None),
                         Delivery.last_update_at <= now - gap))
                for platform, gap in platforms
            )),
        )
        with self._sessions.begin() as session:
            candidates = session.execute(
                select(Delivery.id, route_platform(), route_kind(), route_id())
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
            if delivery is None:
                return
            version = delivery.content_version
            if delivery.message_ref is None:
                # Sent, but with no handle to update it by (recorded after a crash on a platform
                # that cannot search what it was sent): nothing to do, until the next change.
                delivery.synced_version = version
                delivery.update_claimed_at = None
                return
            message = self._compose(session, delivery)
            ref = MessageRef(delivery.message_ref)
            destination = destination_of(delivery, self._language_of(session, delivery))
        try:
            if message is not None:
                self._notifier_for(destination.platform).update(ref, destination, message)
        except RateLimited as exc:
            self._pause(destination.platform, exc.retry_after)
            self._unclaim([delivery_id], destination.platform)
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
                    values = dict(update_claimed_at=self._clock.now() - CLAIM_LEASE + backoff(1))
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
