"""How a Teams message is named in the core's opaque `MessageRef`: its conversation and activity id."""

from __future__ import annotations

from typing import NamedTuple

from services.people import MESSAGE_REF_LENGTH, MessageRef

# Teams' conversation ids hold ':', '@', ';' and '=' ("19:…@thread.tacv2;messageid=…", "a:1…"), and
# personal chats' activity ids hold ':' ("1:17…"); neither ever holds '|', and the activity id is
# the short, last part, so the last '|' splits the pair.
SEPARATOR = "|"


class TeamsMessage(NamedTuple):
    """A posted Teams message: the conversation it was posted to, and its activity id there."""

    conversation_id: str
    activity_id: str


def to_ref(conversation_id: str, activity_id: str) -> MessageRef:
    """The opaque reference the core stores for a Teams message."""
    if not conversation_id or not activity_id or SEPARATOR in activity_id:
        raise ValueError(f"not a Teams message: {conversation_id!r}, {activity_id!r}")
    value = f"{conversation_id}{SEPARATOR}{activity_id}"
    if len(value) > MESSAGE_REF_LENGTH:
        raise ValueError(f"a Teams message reference of {len(value)} characters is longer than the "
                         f"{MESSAGE_REF_LENGTH} the database keeps (conversation {conversation_id[:40]}…)")
    return MessageRef(value)


def from_ref(ref: MessageRef) -> TeamsMessage:
    """The conversation and activity id inside a reference made by `to_ref`."""
    conversation_id, separator, activity_id = ref.value.rpartition(SEPARATOR)
    if not separator or not conversation_id or not activity_id:
        raise ValueError(f"not a Teams message reference: {ref.value!r}")
    return TeamsMessage(conversation_id, activity_id)
