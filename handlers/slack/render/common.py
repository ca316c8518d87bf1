"""Shared by every renderer: the Rendered message, one-line messages, and the pieces of forms."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from handlers.slack import ids
from handlers.slack.text import mrkdwn, plain_text, truncate
from services.enums import Tier
from services.i18n import Text, Translator
from services.roster import OrganisationCard

OPTIONS_MAX = 100


@dataclass(frozen=True)
class Rendered:
    """A message ready for Slack: blocks, and the plain text shown in notifications."""

    text: str
    blocks: list[dict[str, Any]] = field(default_factory=list)
    # Post as a reply in this message's thread (Slack ts), e.g. minutes under their invitation.
    thread_ts: str | None = None


def dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    """Block objects as the dicts Slack takes."""
    return [block.to_dict() for block in blocks]


def plain(t: Translator, message: Text) -> Rendered:
    """A one-line private message (confirmations and errors)."""
    line = mrkdwn(t, message)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def title_hint(t: Translator, limit: int) -> str:
    """A form's hint under a title field: the limit the service holds it to."""
    return t.gettext("Up to {max} characters; a longer title is refused, never cut.").format(max=limit)


def modal(t: Translator, callback_id: str, private_metadata: str, title: str, submit: str,
          blocks: Sequence[Block]) -> dict[str, Any]:
    """A modal with the usual Cancel button; Slack allows 24 characters of title."""
    return View(
        type="modal", callback_id=callback_id, private_metadata=private_metadata,
        title=PlainTextObject(text=truncate(title, 24)), submit=PlainTextObject(text=submit),
        close=PlainTextObject(text=t.gettext("Cancel")), blocks=list(blocks),
    ).to_dict()


def optional_text(block_id: str, label: str, max_length: int, initial: str | None) -> InputBlock:
    """An optional one-line text field of a form."""
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), optional=True,
                      element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=max_length,
                                                    initial_value=initial))


def organisation_pick(block_id: str, label: str, options: list[Option], chosen: str | None) -> InputBlock:
    """An optional choice of one organisation, preselecting `chosen` when it is offered."""
    initial = next((o for o in options if chosen and o.value == chosen), None)
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label), optional=True,
                      element=StaticSelectElement(action_id=ids.INPUT_ACTION, options=options,
                                                  initial_option=initial))


def organisation_pickers(t: Translator, organisations: Sequence[OrganisationCard], action_id: str, *,
                         recount: bool) -> list[Block]:
    """Pickers for topic organisations and for observers (the core is always invited)."""
    pickers: list[Block] = []
    for block_id, label, tier in (
        (ids.SCHEDULE_ORGANISATIONS, t.gettext("Organisations beyond the core"), Tier.TOPIC),
        (ids.SCHEDULE_OBSERVERS, t.gettext("Observers"), Tier.OBSERVER),
    ):
        # An organisation nobody speaks for is flagged: picking it reaches no one.
        no_contact = " — " + t.gettext("no contact person")
        options = [
            Option(value=o.name, text=truncate(plain_text(o.name), 75) if o.contacts
                   else truncate(plain_text(o.name), 75 - len(no_contact)) + no_contact)
            for o in organisations if o.tier == tier
        ][:OPTIONS_MAX]
        if options:
            pickers.append(InputBlock(
                block_id=block_id, label=PlainTextObject(text=label), optional=True, dispatch_action=recount,
                element=StaticMultiSelectElement(action_id=action_id, options=options),
            ))
    return pickers
