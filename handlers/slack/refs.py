"""How a Slack message is named in the core's opaque `MessageRef`: its channel and `ts`."""

from __future__ import annotations

from typing import NamedTuple

from services.people import MessageRef


class SlackMessage(NamedTuple):
    """A posted Slack message: the conversation it is in and its timestamp id there."""

    channel: str
    ts: str


def to_ref(channel: str, ts: str) -> MessageRef:
    """The opaque reference the core stores for a Slack message."""
    # Channel ids never contain ':', so the first one splits the pair (the 0003 migration wrote
    # the references Slack rows already had in this shape).
    return MessageRef(f"{channel}:{ts}")


def from_ref(ref: MessageRef) -> SlackMessage:
    """The channel and `ts` inside a reference made by `to_ref`."""
    channel, separator, ts = ref.value.partition(":")
    if not separator or not channel or not ts:
        raise ValueError(f"not a Slack message reference: {ref.value!r}")
    return SlackMessage(channel, ts)
