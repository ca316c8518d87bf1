"""What the bot's own buttons and forms carry back: button values, and where a modal was opened
(its private_metadata)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from handlers.common.parsing.commands import RSVP_USAGE
from handlers.common.parsing.grammar import parse_number
from services.i18n import N_
from services.text import drop_controls


def topic_number_from_button(value: str) -> int:
    """The topic number carried by a Support button."""
    return parse_number(value, usage=N_("`/dialog support <topic-no>`, e.g. `/dialog support 3`"))


def meeting_number_from_button(value: str) -> int:
    """The meeting number carried by an RSVP button."""
    return parse_number(value, usage=RSVP_USAGE)


def cancel_from_button(value: str) -> tuple[int, str]:
    """The meeting number and the reason (empty if none) carried by a Cancel meeting button."""
    number, _, reason = drop_controls(value).partition("|")
    return parse_number(number, usage=N_("`/dialog cancel <meeting-no> [reason]`")), reason


def suggested_invite(value: str) -> tuple[int, str]:
    """The meeting number and organisation name carried by an Invite suggestion button."""
    number, _, organisation = drop_controls(value).partition("|")
    return parse_number(number, usage=N_("`/dialog invite <meeting-no> \"<organisation>\"`")), organisation



@dataclass(frozen=True)
class ModalContext:
    """Where the modal was opened from, so the result can be told privately there."""

    channel_id: str = ""
    response_url: str = ""
    meeting: int | None = None

    def dump(self) -> str:
        return json.dumps({"channel_id": self.channel_id, "response_url": self.response_url,
                           "meeting": self.meeting})

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        meeting = data.get("meeting")
        return cls(str(data.get("channel_id") or ""), str(data.get("response_url") or ""),
                   meeting if isinstance(meeting, int) else None)
