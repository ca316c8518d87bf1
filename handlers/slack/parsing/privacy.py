"""What the Erase button carries: the confirmation the service issued, bound to whom it erases and
who asked. Slack's signature says who clicked; the service refuses anyone but the asker."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from services.errors import InvalidInput
from services.i18n import N_, text
from services.people import PersonRef
from services.privacy import ErasureConfirmation

_BROKEN = N_("That button no longer works. Ask again to erase.")


def confirmation_value(confirmation: ErasureConfirmation) -> str:
    """The button's value (well under Slack's 2,000 characters: two ids and a time)."""
    return json.dumps({"p": confirmation.person.platform, "u": confirmation.person.user_id,
                       "bp": confirmation.by.platform, "b": confirmation.by.user_id,
                       "t": int(confirmation.until.timestamp())}, separators=(",", ":"))


def confirmation_from_button(value: str) -> ErasureConfirmation:
    """The confirmation a button carries back; anything else is refused."""
    try:
        data = json.loads(value)
        fields = [data[k] for k in ("p", "u", "bp", "b")]
        until = datetime.fromtimestamp(int(data["t"]), UTC)
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        raise InvalidInput(text(_BROKEN)) from None
    if not all(isinstance(f, str) and f for f in fields):
        raise InvalidInput(text(_BROKEN))
    return ErasureConfirmation(PersonRef(fields[0], fields[1]), PersonRef(fields[2], fields[3]), until)
