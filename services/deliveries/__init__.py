"""Outgoing messages as database rows, swept and sent: restart-safe, never duplicated.

The engine is `Deliveries` (services.deliveries.engine), composed of one part per concern:
planning, sending, recovery after a crash, updates in place, pacing. Everything callers use is
importable from here.
"""

from services.deliveries.common import (
    BATCH,
    CLAIM_LEASE,
    HEARTBEAT,
    IN_CHUNK,
    LOOKUP_BURST,
    LOOKUP_INTERVAL,
    LOOKUPS_AT_ONCE,
    MAX_ATTEMPTS,
    WORKER_TIMEOUT,
    Composer,
    Key,
    NotYet,
    Planned,
    Settled,
    SweepReport,
)
from services.deliveries.engine import Deliveries
from services.deliveries.pacing import Pacer
from services.deliveries.status import Reach, fan_out, had_lately

__all__ = [
    "BATCH", "CLAIM_LEASE", "HEARTBEAT", "IN_CHUNK", "LOOKUPS_AT_ONCE", "LOOKUP_BURST",
    "LOOKUP_INTERVAL", "MAX_ATTEMPTS", "WORKER_TIMEOUT",
    "Composer", "Deliveries", "Key", "NotYet", "Pacer", "Planned", "Reach", "Settled", "SweepReport",
    "fan_out", "had_lately",
]
