"""Planning deliveries: rows added in the caller's transaction, never twice under one key."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from services.deliveries.common import IN_CHUNK, EngineState, Planned
from services.people import Destination
from storage.models import Delivery, DeliveryState


class Planning(EngineState):
    """Adds deliveries to a use case's transaction."""

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
            dest_kind=str(destination.kind),
            dest_id=destination.id,
            language_hint=destination.language,
            due_at=planned.due_at,
            state=DeliveryState.PENDING,
            attempts=0,
            content_version=1,
            synced_version=0,
            created_at=self._clock.now(),
        )
