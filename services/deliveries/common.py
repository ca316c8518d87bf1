"""What the delivery engine's parts share: limits, the outcome types, and the engine's state."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, case, func
from sqlalchemy.orm import Session, object_session, sessionmaker

from services.clock import Clock
from services.messages import OutgoingMessage
from services.people import Destination, DestinationKind, PersonRef, WorkspaceRef
from services.ports import Notifier
from storage.models import Delivery, Workspace

if TYPE_CHECKING:
    from services.deliveries.pacing import Pacer

Composer = Callable[[Session, Delivery], OutgoingMessage | None]
# A destination as (platform, kind, id): the unit a platform rate-limits and the order is kept in.
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
BATCH = 50
# Looking a message up after a crash reads the conversation back, a costly read the platform
# budgets per workspace (about 50 a minute, with bursts, on the strictest we serve). A few at once,
# side by side with sending, then one per LOOKUP_INTERVAL, per platform.
LOOKUPS_AT_ONCE = 4
LOOKUP_BURST = 10
LOOKUP_INTERVAL = timedelta(seconds=1.2)
# Parameters per statement stay well under every backend's limit (SQLite: 32,766).
IN_CHUNK = 5000


def backoff(attempts: int) -> timedelta:
    """How long to wait before try `attempts` + 1."""
    return timedelta(seconds=min(15 * 2 ** (attempts - 1), 15 * 60))


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


# The language a delivery is written in, decided as it is sent (services/languages.py).
LanguageOf = Callable[[Session, Delivery], str | None]
# Whether a person asked for no more messages where a delivery goes (services/mailing.py): such a
# row is skipped as it comes due, so a choice made after planning counts.
Suppressed = Callable[[Session, Delivery], bool]


def destination_of(delivery: Delivery, language: str | None = None) -> Destination:
    """Where a delivery goes, as the Notifier takes it, written in `language` (None: the row's
    hint, the organisation's language known when it was planned)."""
    session = object_session(delivery)
    workspace = session.get(Workspace, delivery.workspace_id) if session is not None else None
    where = WorkspaceRef(workspace.platform, workspace.external_id) if workspace else None
    if delivery.via_platform is not None and delivery.via_id is not None:
        # Rerouted: the person is reached on the other platform, still in their own language, and
        # the message (its links) stays theirs.
        return Destination(delivery.via_platform, DestinationKind.PERSON, delivery.via_id,
                           language or delivery.language_hint, where,
                           PersonRef(delivery.dest_platform, delivery.dest_id))
    return Destination(delivery.dest_platform, DestinationKind(delivery.dest_kind), delivery.dest_id,
                       language or delivery.language_hint, where)


def route_platform() -> ColumnElement[str]:
    """The platform a row is sent on: where it was rerouted to, else its destination's."""
    return func.coalesce(Delivery.via_platform, Delivery.dest_platform)


def route_id() -> ColumnElement[str]:
    """The id a row is sent to on `route_platform()`."""
    return func.coalesce(Delivery.via_id, Delivery.dest_id)


def route_kind() -> ColumnElement[str]:
    """The destination kind a row is sent to (a rerouted row always reaches a person)."""
    return case((Delivery.via_platform.is_not(None), DestinationKind.PERSON.value), else_=Delivery.dest_kind)


# Whom a chat person's message goes to instead when their platform failed for good: their address
# on another platform (services/mailing.py), or None.
Fallback = Callable[[Session, Delivery], PersonRef | None]


class EngineState:
    """The state the engine's parts share; `Deliveries` sets it up and composes the parts, which
    call each other's methods through it (see `services.deliveries.engine`)."""

    _sessions: sessionmaker[Session]
    _clock: Clock
    _notifiers: dict[str, Notifier]
    _workers: int
    _pool: ThreadPoolExecutor | None
    _executor_lock: threading.Lock
    _pacers_lock: threading.Lock
    _pacers: dict[str, Pacer]
    _lookup_pacer: Pacer
    _lookups_paused_until: dict[str, datetime]
    _lookups: set[Future[None]]
    _looking: Counter[Key]
    _lookups_lock: threading.Lock
    _composers: dict[str, Composer]
    _background: set[str]
    _language_of: LanguageOf
    _suppressed: Suppressed
    _fallback: Fallback
    _settled: list[Settled]
    _wake: Callable[[], None]
    _paused_until: dict[str, datetime]
    _pause_lock: threading.Lock
    worker_id: str

    def _notifier_for(self, platform: str) -> Notifier:
        """The notifier of `platform`; the sweep claims only rows of platforms it has one for."""
        return self._notifiers[platform]
