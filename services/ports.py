"""What the domain needs from the outside world, as interfaces the platforms implement."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from services.messages import OutgoingMessage
from services.people import Destination, MessageRef


class DeliveryError(Exception):
    """Sending failed; `permanent` failures are not retried.

    `maybe_sent` means the platform may have taken the message before the failure (a timeout, a
    dropped connection): it must be looked for before any retry, or it could arrive twice.
    """

    def __init__(self, reason: str, *, permanent: bool, maybe_sent: bool = False) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.maybe_sent = maybe_sent


class RateLimited(Exception):
    """The platform asked us to wait `retry_after` seconds before trying again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:g}s")
        self.retry_after = retry_after


class Notifier(Protocol):
    """Sends and updates messages on one platform."""

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        """Post `message`, tagged with `delivery_id` so it can be found again; return its reference."""
        ...

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        """Replace a posted message with a fresh rendering of `message`."""
        ...

    def find_sent(self, destination: Destination, *, delivery_id: int, since: datetime) -> MessageRef | None:
        """Look for a message tagged with `delivery_id` posted since `since` (crash recovery)."""
        ...
