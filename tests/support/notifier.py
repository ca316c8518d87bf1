"""An in-memory Notifier for service tests: records what would have been sent."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from services.messages import OutgoingMessage
from services.people import Destination, MessageRef
from services.ports import CANNOT_TELL, CannotTell, DeliveryError, Pacing, RateLimited


@dataclass
class Posted:
    destination: Destination
    message: OutgoingMessage
    delivery_id: int
    ref: MessageRef
    updates: list[OutgoingMessage] = field(default_factory=list)


# Slack's limits: what the engine's tests were written against.
DEFAULT_PACING = Pacing(burst=3, interval=timedelta(seconds=1), update_gap=timedelta(seconds=1))


class RecordingNotifier:
    """Records sends and updates; can be told to fail the next calls. `searchable=False` makes it
    a platform that cannot search what it was sent: `find_sent` answers CANNOT_TELL."""

    def __init__(self, platform: str = "slack", *, pacing: Pacing = DEFAULT_PACING,
                 searchable: bool = True) -> None:
        self.platform = platform
        self.pacing = pacing
        self.searchable = searchable
        self.posted: list[Posted] = []
        self.failures: list[Exception] = []
        self.update_failures: list[Exception] = []
        self.lost_replies = 0  # sends that reach the platform but whose answer never comes back
        self.refuse: dict[str, Exception] = {}  # destination id -> what sending there raises
        self._ts = itertools.count(1)
        self._lock = threading.Lock()

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        with self._lock:
            if self.failures:
                raise self.failures.pop(0)
            if destination.id in self.refuse:
                raise self.refuse[destination.id]
            channel = "D" + destination.id if destination.is_person else destination.id
            ref = MessageRef(f"{channel}/1700000000.{next(self._ts):06d}")
            self.posted.append(Posted(destination, message, delivery_id, ref))
            if self.lost_replies:
                self.lost_replies -= 1
                raise DeliveryError("connection dropped after the platform took the message",
                                    permanent=False, maybe_sent=True)
            return ref

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        with self._lock:
            if self.update_failures:
                raise self.update_failures.pop(0)
            for posted in self.posted:
                if posted.ref == ref:
                    posted.updates.append(message)
                    return
            raise DeliveryError("message_not_found", permanent=True)

    def find_sent(self, destination: Destination, *, delivery_id: int,
                  since: datetime) -> MessageRef | None | CannotTell:
        with self._lock:
            if not self.searchable:
                return CANNOT_TELL
            # Found by where it went, as a platform searches: not by the language it was written in.
            place = (destination.platform, destination.kind, destination.id)
            for posted in self.posted:
                sent_to = posted.destination
                if posted.delivery_id == delivery_id and (sent_to.platform, sent_to.kind, sent_to.id) == place:
                    return posted.ref
            return None

    def latest(self, posted: Posted) -> OutgoingMessage:
        """The message as it reads now, after updates."""
        return posted.updates[-1] if posted.updates else posted.message


__all__ = ["DEFAULT_PACING", "DeliveryError", "Posted", "RateLimited", "RecordingNotifier"]
