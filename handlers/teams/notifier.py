"""The Teams side of deliveries: render a service's message as an Adaptive Card and post or update it
through the Bot Connector, in the conversation stored for its destination.

A person is reached in their personal chat with the bot, a channel by a new post in it (a reply,
such as the minutes under the meeting's invitation, goes into that post's thread). Both need the
conversation reference Teams gave when the app was installed (`references`); without one nothing
can be sent: a person's row fails for good, with a reason that tells coordinators how to mend it
(and the delivery engine sends it to their e-mail address when it knows one), a channel's waits for
an operator.

Teams cannot be searched for what the bot sent: `find_sent` cannot tell, and a message in doubt is
taken as sent (at most once). Each message still carries its delivery id in `channelData`, so one
seen in Teams can be traced to its row.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from microsoft_agents.activity import Activity, Attachment, ConversationReference

from handlers.teams import PLATFORM
from handlers.teams.connector import Connector, ConnectorError
from handlers.teams.refs import SEPARATOR, from_ref, to_ref
from handlers.teams.render.common import CARD_CONTENT_TYPE, Card
from services.messages import OutgoingMessage
from services.people import MESSAGE_REF_LENGTH, Destination, MessageRef
from services.ports import CANNOT_TELL, CannotTell, DeliveryError, Pacing, RateLimited

log = logging.getLogger(__name__)

# Teams allows a bot 7 operations a second in one conversation, 8 in 2 s, 60 in 30 s and 1800 an
# hour (learn.microsoft.com/microsoftteams/platform/bots/how-to/rate-limit). Three at once, then
# one every 2.5 s, stays within all four (at most 3 + 3600/2.5 = 1443 an hour), leaving room for
# the shared channel card's updates, at most one a second each.
PACING = Pacing(burst=3, interval=timedelta(seconds=2.5), update_gap=timedelta(seconds=1))

# Where the delivery id rides in each message's channelData (Teams ignores keys it does not know).
DELIVERY_KEY = "dialogbot"

NOT_INSTALLED = ("the Dialogbot app is not installed for this person in Teams; install it for them "
                 "(Teams admin center → Manage apps → Dialogbot → Install for users) or add their "
                 "e-mail address")
UNINSTALLED = ("the Dialogbot app is no longer installed for this person in Teams (they removed it, or "
               "an admin did); install it for them again (Teams admin center → Manage apps → Dialogbot → "
               "Install for users) or add their e-mail address")
BLOCKED = ("this person has blocked Dialogbot in Teams; they can unblock it in their chat with the bot, "
           "or add their e-mail address")
DELETED = "the message was deleted in Teams"
SETUP_HINT = "write @Dialogbot setup in the dialogue channel"
REINSTALL_HINT = ("add the Dialogbot app to the team again, then write @Dialogbot setup in the dialogue "
                  "channel")
CREDENTIALS_HINT = "check TEAMS_APP_ID, TEAMS_APP_PASSWORD and TEAMS_TENANT_ID (the bot's Azure registration)"
ADMIN_HINT = "a Teams admin has blocked the Dialogbot app: allow it in the Teams admin center (Manage apps)"
# Bot Framework error codes about the conversation itself, not the bot's credentials.
_GONE = {"BotNotInConversationRoster", "ConversationNotFound"}
# The longest activity id Teams gives ("1:1700000000000" in chats, a timestamp in channels), with room.
_ACTIVITY_ID_ROOM = 64


class TeamsNotifier:
    """Implements the services' Notifier port on the Bot Connector."""

    platform = PLATFORM
    pacing = PACING
    resend_in_doubt = False

    def __init__(self, connector: Connector,
                 references: Callable[[Destination], ConversationReference | None],
                 render: Callable[[OutgoingMessage, Destination], Card]) -> None:
        self._connector = connector
        self._references = references
        self._render = render

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        """Post `message` in the destination's conversation (a reply in its thread when it is one)."""
        reference = self._reference(destination)
        activity = card_activity(self._render(message, destination), delivery_id=delivery_id)
        reply_to: MessageRef | None = getattr(message, "reply_to", None)
        root_id = ""
        if reply_to is not None:
            conversation_id, root_id = from_ref(reply_to)
            thread = _thread(conversation_id, root_id)
            reference = _in_conversation(reference, thread)
        _check_room(reference.conversation.id)
        try:
            if root_id:
                activity_id = self._connector.reply(reference, root_id, activity)
            else:
                activity_id = self._connector.send(reference, activity)
        except ConnectorError as error:
            raise _translate(error, destination) from None
        try:
            return to_ref(reference.conversation.id, activity_id)
        except ValueError as error:
            # Posted, but its reference cannot be kept: taken as sent, never posted twice.
            raise DeliveryError(str(error), permanent=False, maybe_sent=True) from None

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        """Replace a posted message with a fresh rendering (the channel's live tally)."""
        reference = self._reference(destination)
        conversation_id, activity_id = from_ref(ref)
        activity = card_activity(self._render(message, destination), delivery_id=None)
        try:
            self._connector.update(_in_conversation(reference, conversation_id), activity_id, activity)
        except ConnectorError as error:
            raise _translate(error, destination) from None

    def find_sent(self, destination: Destination, *, delivery_id: int,
                  since: datetime) -> MessageRef | None | CannotTell:
        """Teams cannot be searched for a bot's messages."""
        return CANNOT_TELL

    def _reference(self, destination: Destination) -> ConversationReference:
        reference = self._references(destination)
        if reference is not None:
            return reference
        if destination.is_person:
            raise DeliveryError(NOT_INSTALLED, permanent=True)
        raise DeliveryError("no Teams conversation is known for the dialogue channel", permanent=False,
                            operator_hint=SETUP_HINT)


def card_activity(card: Card, *, delivery_id: int | None) -> Activity:
    """The message activity for `card`: the Adaptive Card as an attachment, its text as the
    notification's preview (Teams would show a message's text above the card as well); a card-less
    message is its text. The delivery id, if any, goes in channelData."""
    if card.card is not None:
        activity = Activity(type="message", summary=card.text,
                            attachments=[Attachment(content_type=CARD_CONTENT_TYPE, content=card.card)])
    else:
        # Teams reads some HTML in a message's text: what people typed is shown, never taken as a tag.
        shown = card.text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        activity = Activity(type="message", text=shown, text_format="markdown")
    if delivery_id is not None:
        activity.channel_data = {DELIVERY_KEY: {"deliveryId": delivery_id}}
    return activity


def _thread(conversation_id: str, root_id: str) -> str:
    """The conversation of a channel post's thread: the channel's id naming the root message
    (Teams' own form); a chat, or a thread already, stays as it is."""
    if conversation_id.startswith("19:") and ";messageid=" not in conversation_id:
        return f"{conversation_id};messageid={root_id}"
    return conversation_id


def _in_conversation(reference: ConversationReference, conversation_id: str) -> ConversationReference:
    if reference.conversation.id == conversation_id:
        return reference
    conversation = reference.conversation.model_copy(update={"id": conversation_id})
    return reference.model_copy(update={"conversation": conversation})


def _check_room(conversation_id: str) -> None:
    """Refuse before posting a message whose reference could not be stored."""
    if len(conversation_id) + len(SEPARATOR) + _ACTIVITY_ID_ROOM > MESSAGE_REF_LENGTH:
        raise DeliveryError(f"the Teams conversation id is too long ({len(conversation_id)} characters) "
                            f"for a message reference of at most {MESSAGE_REF_LENGTH}", permanent=True)


def _translate(error: ConnectorError, destination: Destination) -> Exception:
    """The Connector's failure as the delivery engine's: wait, retry, give up, or call an operator."""
    status, code = error.status, error.code
    reason = error.description
    if status == 429:
        return RateLimited(error.retry_after if error.retry_after else 1.0)
    if error.credentials or status == 401:
        return DeliveryError(reason, permanent=False, operator_hint=CREDENTIALS_HINT)
    if code == "BotDisabledByAdmin":
        return DeliveryError(reason, permanent=False, operator_hint=ADMIN_HINT)
    if code == "ActivityNotFoundInConversation":
        return DeliveryError(DELETED, permanent=True)
    if code == "ConversationBlockedByUser" or code in _GONE or (status == 404 and code is None):
        if destination.is_person:
            why = BLOCKED if code == "ConversationBlockedByUser" else UNINSTALLED
            return DeliveryError(why, permanent=True)
        return DeliveryError(reason, permanent=False, operator_hint=REINSTALL_HINT)
    if status == 403:
        # Forbidden for another reason: the bot's registration or permissions, not the person.
        return DeliveryError(reason, permanent=False, operator_hint=CREDENTIALS_HINT)
    if status in (502, 504):
        # A gateway's error: the Connector behind it may have posted the message all the same.
        return DeliveryError(reason, permanent=False, maybe_sent=True)
    if status is not None and (status >= 500 or status in (408, 412)):
        # Microsoft asks bots to retry these; the Connector did not take the message.
        return DeliveryError(reason, permanent=False)
    if status is not None:
        # The message itself is refused (400 BadArgument, 413 MessageSizeTooBig): trying again cannot help.
        return DeliveryError(reason, permanent=True)
    # No answer: in doubt only if the request had gone out.
    return DeliveryError(reason, permanent=False, maybe_sent=error.written)
