"""A meeting's chair (the city's political leadership): how it reads in every copy, and the two
fields (a name, and/or a person picked) the scheduling and change forms share."""

from __future__ import annotations

from slack_sdk.models.blocks import InputBlock, PlainTextInputElement, PlainTextObject, UserSelectElement

from handlers.slack import PLATFORM, ids
from handlers.slack.text import escape, mention
from services.i18n import Translator
from services.meetings import CHAIR_MAX
from services.messages import MeetingCard


def chair_text(card: MeetingCard) -> str | None:
    """The chair as mrkdwn: the person picked (a mention) with the name or role as typed after it,
    or the name alone; None when nobody is named."""
    person = card.chair_person
    name = escape(card.chair) if card.chair else None
    if person is not None and person.platform == PLATFORM:
        return mention(person.user_id) + (f" ({name})" if name else "")
    return name


def chair_line(t: Translator, card: MeetingCard) -> str | None:
    """`*Chair:* …` for a meeting's details, when a chair is named."""
    chair = chair_text(card)
    return "*" + t.gettext("Chair") + ":* " + chair if chair else None


def chair_inputs(t: Translator, card: MeetingCard | None = None) -> list[InputBlock]:
    """The optional chair fields of a meeting form, holding `card`'s chair when given."""
    person = card.chair_person if card is not None else None
    return [
        InputBlock(
            block_id=ids.SCHEDULE_CHAIR, label=PlainTextObject(text=t.gettext("Chair (name or role)")),
            optional=True,
            hint=PlainTextObject(text=t.gettext("Who chairs the meeting for the city's political leadership, "
                                                "e.g. the deputy mayor for health and care.")),
            element=PlainTextInputElement(action_id=ids.INPUT_ACTION, max_length=CHAIR_MAX,
                                          initial_value=(card.chair if card is not None else None) or None),
        ),
        InputBlock(
            block_id=ids.SCHEDULE_CHAIR_PERSON, label=PlainTextObject(text=t.gettext("Chair in Slack")),
            optional=True,
            element=UserSelectElement(
                action_id=ids.INPUT_ACTION,
                initial_user=person.user_id if person is not None and person.platform == PLATFORM else None),
        ),
    ]
