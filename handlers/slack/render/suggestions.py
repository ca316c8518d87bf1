"""Suggested organisations: the form anyone can fill in, the confirmations, the coordinators'
Home tab section with one-click decisions, and the suggester's message about the decision."""

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
    OverflowMenuElement,
    PlainTextInputElement,
    PlainTextObject,
    SectionBlock,
    StaticSelectElement,
    UserSelectElement,
)

from handlers.slack import ids
from handlers.slack.render.common import OPTIONS_MAX, Rendered, dicts, modal
from handlers.slack.render.planning import perspective
from handlers.slack.text import escape, mention, plain_text, truncate
from services.i18n import Translator
from services.messages import SuggestionDecided
from services.roster_rules import NAME_MAX
from services.suggestions import CONTACT_MAX, REASON_MAX, Decision, SuggestionCard, SuggestionForm

SHOWN_ON_HOME = 10


def suggestion_modal(t: Translator, form: SuggestionForm, private_metadata: str) -> dict[str, Any]:
    """The form behind `/dialog recommend` with no text, and the Home tab's button."""
    blocks: list[Block] = [
        SectionBlock(text=MarkdownTextObject(text=t.gettext(
            "Which organisation should be invited to the dialogue meetings? A coordinator decides, "
            "and you will be told."))),
        InputBlock(block_id=ids.SUGGEST_NAME, label=PlainTextObject(text=t.gettext("Organisation")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=NAME_MAX)),
        InputBlock(block_id=ids.SUGGEST_REASON,
                   label=PlainTextObject(text=t.gettext("Why should they be invited?")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, multiline=True,
                                                 max_length=REASON_MAX)),
        InputBlock(block_id=ids.SUGGEST_PERSPECTIVE, optional=True,
                   label=PlainTextObject(text=t.gettext("Which perspective do they bring?")),
                   element=StaticSelectElement(action_id=ids.INPUT_ACTION, options=[
                       Option(value=key, text=perspective(t, key)) for key in form.perspectives])),
        InputBlock(block_id=ids.SUGGEST_CONTACT, optional=True,
                   label=PlainTextObject(text=t.gettext("How to reach them, if you know")),
                   hint=PlainTextObject(text=t.gettext("A name, an e-mail address or a phone number.")),
                   element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=CONTACT_MAX)),
        InputBlock(block_id=ids.SUGGEST_CONTACT_PERSON, optional=True,
                   label=PlainTextObject(text=t.gettext("Their contact person, if they are in this Slack")),
                   element=UserSelectElement(action_id=ids.INPUT_ACTION)),
    ]
    if form.meetings:
        blocks.append(InputBlock(
            block_id=ids.SUGGEST_MEETING, optional=True,
            label=PlainTextObject(text=t.gettext("For a particular meeting?")),
            element=StaticSelectElement(action_id=ids.INPUT_ACTION, options=[
                Option(value=str(number), text=truncate(f"{number}. {plain_text(title)}", 75))
                for number, title in form.meetings[:OPTIONS_MAX]]),
        ))
    title, submit = t.gettext("Suggest an organisation"), t.gettext("Suggest")
    return modal(t, ids.SUGGEST_VIEW, private_metadata, title, submit, blocks)


def suggestion_received(t: Translator, card: SuggestionCard) -> Rendered:
    """Told privately to whoever suggested an organisation."""
    line = t.gettext("Thank you. Your suggestion of *{organisation}* goes to the coordinators; you will "
                     "be told what they decide.").format(organisation=escape(card.name))
    return Rendered(line.replace("*", ""), dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def decision_confirmation(t: Translator, decision: Decision) -> Rendered:
    """Told privately to the coordinator who decided."""
    name = escape(decision.suggestion.name)
    if decision.organisation is None:
        line = t.gettext("You dismissed the suggestion of {organisation}.").format(organisation=name)
    elif decision.added:
        line = t.gettext("{organisation} is on the roster now.").format(organisation=name)
    else:
        line = t.gettext("{organisation} was already on the roster.").format(organisation=name)
    if decision.invited_to is not None:
        line += " " + t.gettext("It is invited to meeting {number}.").format(number=decision.invited_to)
    if decision.meeting_passed is not None:
        line += " " + t.gettext("Meeting {number}, which it was suggested for, is no longer ahead, so it "
                                "was not invited.").format(number=decision.meeting_passed)
    if decision.organisation is not None:
        line += " " + t.gettext("Change its tier, contacts and perspectives with the roster form.")
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def suggestion_decided(t: Translator, message: SuggestionDecided) -> Rendered:
    """The suggester's message: what a coordinator decided."""
    name = escape(message.organisation)
    if not message.accepted:
        line = t.gettext("A coordinator has looked at your suggestion of {organisation} and decided not to "
                         "add it to the roster this time. Thank you for suggesting it.").format(
            organisation=name)
    elif message.meeting_number is not None:
        line = t.gettext("Your suggestion {organisation} was added to the roster and invited to meeting "
                         "{number} ({title}). Thank you!").format(
            organisation=name, number=message.meeting_number, title=escape(message.meeting_title or ""))
    else:
        line = t.gettext("Your suggestion {organisation} was added to the roster. Thank you!").format(
            organisation=name)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def suggest_button_blocks(t: Translator) -> list[Block]:
    """Everyone's Home tab: a way to suggest an organisation."""
    return [SectionBlock(
        block_id="suggest_organisation",
        text=MarkdownTextObject(text=t.gettext("Do you know an organisation that should take part?")),
        accessory=ButtonElement(text=t.gettext("Suggest an organisation"), action_id=ids.SUGGEST_OPEN,
                                value="open"),
    )]


def _card_text(t: Translator, card: SuggestionCard) -> str:
    lines = [f"*{escape(card.name)}*"
             + (f" · {perspective(t, card.perspective)}" if card.perspective else "")]
    lines.append(f"_{escape(card.reason)}_")
    contacts = [escape(card.contact)] if card.contact else []
    if card.contact_person is not None:
        contacts.append(mention(card.contact_person.user_id))
    if contacts:
        lines.append(t.gettext("Contact: {contact}").format(contact=", ".join(contacts)))
    by = t.gettext("Suggested by {person}").format(person=mention(card.suggested_by.user_id))
    if card.meeting is not None:
        by += " · " + t.gettext("for meeting {number} ({title})").format(
            number=card.meeting[0], title=escape(card.meeting[1]))
    lines.append(by)
    return truncate("\n".join(lines), 3000)


def suggestion_home_blocks(t: Translator, suggestions: Sequence[SuggestionCard]) -> list[Block]:
    """A coordinator's Home tab: the suggestions waiting, each with Add to roster and Dismiss."""
    if not suggestions:
        return []
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=t.gettext("Suggested organisations"),
                                                            emoji=False))]
    for card in suggestions[:SHOWN_ON_HOME]:
        blocks.append(SectionBlock(block_id=f"suggestion:{card.id}",
                                   text=MarkdownTextObject(text=_card_text(t, card))))
        blocks.append(ActionsBlock(block_id=f"suggestion_actions:{card.id}", elements=[
            ButtonElement(text=t.gettext("Add to roster"), action_id=ids.SUGGESTION_ACCEPT,
                          value=str(card.id), style="primary"),
            ButtonElement(text=t.gettext("Dismiss"), action_id=ids.SUGGESTION_DISMISS, value=str(card.id)),
            OverflowMenuElement(action_id=ids.SUGGESTION_ACCEPT_AS, options=[
                Option(value=f"{card.id}|core", text=t.gettext("Add as a core organisation")),
                Option(value=f"{card.id}|observer", text=t.gettext("Add as an observer")),
            ]),
        ]))
    if len(suggestions) > SHOWN_ON_HOME:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
            "…and {count} more, shown as these are decided.").format(
                count=len(suggestions) - SHOWN_ON_HOME))]))
    return blocks
