"""The roster form (coordinators): every field the roster CSV has, with perspectives in the reader's
language; its confirmation; the Home tab's way in; and the flag on organisations nobody can reach."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
)

from handlers.slack import PLATFORM, ids
from handlers.slack.parsing.roster_forms import ROSTER_ADDRESSES, WORKSPACE_LANGUAGE
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal
from handlers.slack.render.planning import perspective
from handlers.slack.text import address, escape, mention, plain_text, truncate
from services.i18n import Translator
from services.messages import Unreachable
from services.people import EMAIL
from services.reachability import UnreachableOrganisation
from services.roster import RosterForm, SaveOutcome
from services.roster_rules import NAME_MAX


def tier_label(t: Translator, tier: str) -> str:
    """A tier as a choice in the form."""
    return {
        "core": t.gettext("Core: always invited"),
        "topic": t.gettext("Topic: invited when a topic concerns it"),
        "observer": t.gettext("Observer: listens in"),
    }.get(tier, tier)


def _time_label(t: Translator, value: str) -> str:
    return {"daytime": t.gettext("Daytime"), "afternoon": t.gettext("Afternoon"),
            "any": t.gettext("Any time")}.get(value, value)


def _language_label(t: Translator, value: str) -> str:
    return {WORKSPACE_LANGUAGE: t.gettext("The workspace's language"), "nb": "Norsk (bokmål)",
            "en": "English"}.get(value, value)


def _select(block_id: str, label: str, options: list[Option], chosen: str) -> InputBlock:
    initial = next((o for o in options if o.value == chosen), None)
    return InputBlock(block_id=block_id, label=PlainTextObject(text=label),
                      element=StaticSelectElement(action_id=ids.INPUT_ACTION, options=options,
                                                  initial_option=initial))


def roster_modal(t: Translator, form: RosterForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog roster add` (empty) and `/dialog roster edit "<name>"`."""
    card = form.organisation
    perspectives = [Option(value=key, text=perspective(t, key)) for key in form.perspectives]
    chosen_perspectives = [o for o in perspectives if card is not None and o.value in card.perspectives]
    people = [c for c in card.contacts if c.platform == PLATFORM] if card is not None else []
    contacts = [c.user_id for c in people]
    addresses = [c.user_id for c in card.contacts if c.platform == EMAIL] if card is not None else []
    # The people's own addresses have no field here (`/dialog roster contact` sets them): shown,
    # and kept as they are when the form is saved.
    own = [f"{mention(p.user_id)} {address(a)}" for p in people if (a := card and card.address_of(p))]
    language = (card.language or WORKSPACE_LANGUAGE) if card is not None else WORKSPACE_LANGUAGE
    blocks: list[Block] = [
        InputBlock(block_id=ids.ROSTER_NAME, label=PlainTextObject(text=t.gettext("Name")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=NAME_MAX,
                                                 initial_value=card.name if card is not None else None)),
        _select(ids.ROSTER_TIER, t.gettext("Tier"),
                [Option(value=tier, text=tier_label(t, tier)) for tier in form.tiers],
                card.tier if card is not None else "topic"),
        InputBlock(block_id=ids.ROSTER_CONTACTS, optional=True,
                   label=PlainTextObject(text=t.gettext("Contact people")),
                   hint=PlainTextObject(text=t.gettext("They get the invitations and answer for the "
                                                       "organisation.")),
                   element=UserMultiSelectElement(action_id=ids.INPUT_ACTION,
                                                  initial_users=contacts or None)),
        *([ContextBlock(block_id="contact_own_addresses", elements=[MarkdownTextObject(text=truncate(
            t.gettext("Their own e-mail addresses, for messages Slack cannot deliver: {people}").format(
                people=", ".join(own)), 3000))])] if own else []),
        InputBlock(block_id=ROSTER_ADDRESSES, optional=True,
                   label=PlainTextObject(text=t.gettext("Contacts by e-mail")),
                   hint=PlainTextObject(text=t.gettext(
                       "People outside this Slack workspace: one e-mail address a line, or separated by "
                       "commas. They get the invitations by e-mail and answer from a link.")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True, max_length=3000,
                                                 initial_value="\n".join(addresses) or None)),
        InputBlock(block_id=ids.ROSTER_PERSPECTIVES, optional=True,
                   label=PlainTextObject(text=t.gettext("Perspectives the organisation brings")),
                   element=StaticMultiSelectElement(action_id=ids.INPUT_ACTION, options=perspectives,
                                                    initial_options=chosen_perspectives or None)),
        _select(ids.ROSTER_TIME, t.gettext("Preferred time of day"),
                [Option(value=v, text=_time_label(t, v)) for v in form.times_of_day],
                card.preferred_time if card is not None else "any"),
        _select(ids.ROSTER_LANGUAGE, t.gettext("Language"),
                [Option(value=v, text=_language_label(t, v)) for v in (WORKSPACE_LANGUAGE, *form.languages)],
                language),
        InputBlock(block_id=ids.ROSTER_KEYWORDS, optional=True,
                   label=PlainTextObject(text=t.gettext("Keywords")),
                   hint=PlainTextObject(text=t.gettext("Separated by commas. A topic with one of these words "
                                                       "suggests inviting the organisation.")),
                   element=PlainTextInputElement(
                       action_id=ids.INPUT_ACTION, max_length=1000,
                       initial_value=", ".join(card.keywords) if card and card.keywords else None)),
    ]
    title = t.gettext("Edit organisation") if card is not None else t.gettext("Add an organisation")
    return modal(t, ids.ROSTER_VIEW, private_metadata, title, t.gettext("Save"), blocks)


def roster_saved(t: Translator, outcome: SaveOutcome) -> Rendered:
    """Told privately after the roster form is saved."""
    card = outcome.organisation
    name = escape(card.name)
    if outcome.created:
        line = t.gettext("{organisation} is on the roster.").format(organisation=name)
    elif outcome.changed:
        line = t.gettext("{organisation} is updated.").format(organisation=name)
    else:
        line = t.gettext("Nothing changed for {organisation}.").format(organisation=name)
    if not card.contacts:
        line += " " + t.gettext("It has no contact person yet, so its invitations reach nobody.")
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def unreachable_note(t: Translator, unreachable: Sequence[UnreachableOrganisation]) -> list[Block]:
    """A warning in the scheduling (and urgent) form: organisations whose invitation reaches nobody."""
    if not unreachable:
        return []
    reasons = {
        Unreachable.NO_CONTACT: t.gettext("no contact person"),
        Unreachable.NOT_DELIVERED: t.gettext("the last messages to its contacts failed"),
        Unreachable.UNSUBSCRIBED: t.gettext("its contacts asked for no more e-mail"),
    }
    names = ", ".join(f"*{escape(u.name)}* ({reasons.get(u.reason, '')})" for u in unreachable[:30])
    if len(unreachable) > 30:
        names += " " + t.gettext("…and {count} more.").format(count=len(unreachable) - 30)
    line = ":warning: " + t.gettext("Nobody can be reached at: {names}. Fix their contacts with the roster "
                                    "form.").format(names=names)
    return [ContextBlock(block_id="unreachable", elements=[MarkdownTextObject(text=truncate(line, 3000))])]


def roster_home_blocks(t: Translator, organisations: Sequence[str]) -> list[Block]:
    """A coordinator's Home tab: add an organisation, or pick one to edit."""
    elements: list[Any] = [ButtonElement(text=t.gettext("Add an organisation"), action_id=ids.ROSTER_OPEN,
                                         value="new")]
    options = [Option(value=name, text=truncate(plain_text(name), 75))
               for name in organisations if len(name) <= 150][:OPTIONS_MAX]
    if options:
        elements.append(StaticSelectElement(action_id=ids.ROSTER_EDIT_PICK, options=options,
                                            placeholder=t.gettext("Edit an organisation…")))
    return [HeaderBlock(text=PlainTextObject(text=t.gettext("Roster"), emoji=False)),
            ActionsBlock(block_id="roster_actions", elements=elements)]
