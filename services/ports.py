"""What the domain needs from the outside world, as interfaces the platforms implement."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import Final, Protocol

from services.messages import OutgoingMessage
from services.people import Destination, MessageRef


class DeliveryError(Exception):
    """Sending failed; `permanent` failures are not retried.

    `maybe_sent` means the platform may have taken the message before the failure (a timeout, a
    dropped connection): it must be looked for before any retry, or it could arrive twice.

    `operator_hint`, when the platform knows one, says what an operator must do before the message
    can go out (the bot lacks access, its credentials were revoked): such failures are retried with
    back-off meanwhile, and logged loudly with the hint.
    """

    def __init__(self, reason: str, *, permanent: bool, maybe_sent: bool = False,
                 operator_hint: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent
        self.maybe_sent = maybe_sent
        self.operator_hint = operator_hint

    @property
    def needs_operator(self) -> bool:
        """Whether only an operator can make this delivery possible."""
        return self.operator_hint is not None


class RateLimited(Exception):
    """The platform asked us to wait `retry_after` seconds before trying again."""

    def __init__(self, retry_after: float) -> None:
        super().__init__(f"rate limited; retry after {retry_after:g}s")
        self.retry_after = retry_after


@dataclass(frozen=True)
class Pacing:
    """A platform's limits on posting: at most `burst` messages at once per destination, then one
    per `interval`; and at most one update per message per `update_gap` (bursts of changes are
    coalesced into one update)."""

    burst: int
    interval: timedelta
    update_gap: timedelta


class CannotTell(Enum):
    """`find_sent`'s third answer: the platform cannot search what it was sent (e-mail, Teams)."""

    CANNOT_TELL = "cannot tell"


CANNOT_TELL: Final = CannotTell.CANNOT_TELL


class Notifier(Protocol):
    """Sends and updates messages on one platform.

    A notifier whose `find_sent` answers CANNOT_TELL may also say `resend_in_doubt = True`: a
    message in doubt after a crash is then sent again (at least once) instead of taken as sent
    (at most once), because the platform recognises a second copy (e-mail's Message-ID).
    """

    @property
    def platform(self) -> str:
        """The platform this notifier serves: the `platform` of the destinations it takes."""
        ...

    @property
    def pacing(self) -> Pacing:
        """How fast the platform lets us post and update."""
        ...

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        """Post `message`, tagged with `delivery_id` so it can be found again; return its reference."""
        ...

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        """Replace a posted message with a fresh rendering of `message`."""
        ...

    def find_sent(self, destination: Destination, *, delivery_id: int,
                  since: datetime) -> MessageRef | None | CannotTell:
        """Look for a message tagged with `delivery_id` posted since `since` (crash recovery):
        its reference, None if it was not posted, or CANNOT_TELL if the platform cannot search."""
        ...
