"""The Slack side of deliveries: render a service's message and post, update or find it."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from handlers.slack import PLATFORM, ids
from handlers.slack.refs import from_ref, to_ref
from handlers.slack.render.agenda import speaker_told
from handlers.slack.render.changes import meeting_changed
from handlers.slack.render.common import Rendered
from handlers.slack.render.meetings import (
    meeting_cancelled,
    meeting_invitation,
    meeting_nudge,
    meeting_reminder,
)
from handlers.slack.render.minutes import action_item_due, minutes_posted
from handlers.slack.render.privacy import contact_opted_out, personal_data_ready, privacy_notice
from handlers.slack.render.review import minutes_commented
from handlers.slack.render.suggestions import suggestion_decided
from handlers.slack.render.topics import topic_announcement, topic_changed
from handlers.slack.render.urgent import urgent_progress
from services.i18n import Translator, translator
from services.messages import (
    ActionItemDue,
    ContactOptedOut,
    MeetingCancelled,
    MeetingChanged,
    MeetingInvitation,
    MeetingNudge,
    MeetingReminder,
    MinutesCommented,
    MinutesPosted,
    OutgoingMessage,
    PersonalDataReady,
    PrivacyNotice,
    SpeakerTold,
    SuggestionDecided,
    TopicAnnouncement,
    TopicChanged,
    UrgentProgress,
)
from services.people import Destination, MessageRef
from services.ports import DeliveryError, Pacing, RateLimited

log = logging.getLogger(__name__)

# Errors about the message or its recipient itself: trying again cannot help. Errors an operator
# can fix (the bot not in the channel, a revoked token, a missing scope) are retried with back-off
# instead, so nothing is lost while someone mends the configuration (ATTENTION).
PERMANENT = {
    "msg_too_long", "no_text", "invalid_blocks", "invalid_arguments", "invalid_metadata_format",
    "invalid_metadata_schema", "user_not_found", "user_disabled", "cannot_dm_bot",
    "cant_update_message", "message_not_found", "edit_window_closed", "restricted_action",
}

# Failures an operator must fix, and how: the engine retries them with back-off meanwhile, and
# logs the hint loudly.
ATTENTION = {
    "not_in_channel": "invite the bot to the channel",
    "channel_not_found": "check DIALOG_CHANNEL and that the bot can see the channel",
    "is_archived": "unarchive the channel or change DIALOG_CHANNEL",
    "invalid_auth": "check SLACK_BOT_TOKEN",
    "not_authed": "check SLACK_BOT_TOKEN",
    "token_revoked": "reinstall the app and update SLACK_BOT_TOKEN",
    "account_inactive": "reinstall the app and update SLACK_BOT_TOKEN",
    "missing_scope": "reinstall the app from manifest.json to grant its scopes",
}
# Slack allows about one message per second per channel, with short bursts, and about one update
# per message per second (bursts of changes are coalesced).
PACING = Pacing(burst=3, interval=timedelta(seconds=1), update_gap=timedelta(seconds=1))


def render(message: OutgoingMessage, translator: Translator, zone: ZoneInfo,
           public_url: str = "") -> Rendered:
    """How a service's message looks in Slack."""
    match message:
        case TopicAnnouncement():
            return topic_announcement(translator, message)
        case MeetingInvitation():
            return meeting_invitation(translator, message, zone, public_url)
        case MeetingReminder():
            return meeting_reminder(translator, message, zone)
        case MeetingNudge():
            return meeting_nudge(translator, message, zone)
        case MeetingCancelled():
            return meeting_cancelled(translator, message, zone)
        case MeetingChanged():
            return meeting_changed(translator, message, zone)
        case UrgentProgress():
            return urgent_progress(translator, message, zone)
        case TopicChanged():
            return topic_changed(translator, message, zone)
        case MinutesPosted():
            return minutes_posted(translator, message, zone)
        case SuggestionDecided():
            return suggestion_decided(translator, message)
        case ActionItemDue():
            return action_item_due(translator, message, zone)
        case MinutesCommented():
            return minutes_commented(translator, message, zone)
        case SpeakerTold():
            return speaker_told(translator, message, zone)
        case PersonalDataReady():
            return personal_data_ready(translator, message, zone, public_url)
        case PrivacyNotice():
            return privacy_notice(translator, message)
        case ContactOptedOut():
            return contact_opted_out(translator, message)
    raise TypeError(f"no Slack rendering for {type(message).__name__}")


def _translate(error: SlackApiError | SlackClientError | OSError) -> Exception:
    if isinstance(error, SlackApiError):
        response = error.response
        if response.status_code == 429:
            headers = {key.lower(): value for key, value in (response.headers or {}).items()}
            try:
                return RateLimited(float(headers.get("retry-after") or 1))
            except ValueError:
                return RateLimited(1.0)
        code = str(response.get("error") or f"http_{response.status_code}")
        # A server error may come after Slack stored the message; an ok:false answer never does.
        return DeliveryError(code, permanent=code in PERMANENT, maybe_sent=response.status_code >= 500,
                             operator_hint=ATTENTION.get(code))
    # Timeouts and dropped connections: the message may or may not have arrived.
    return DeliveryError(f"{type(error).__name__}: {error}", permanent=False, maybe_sent=True)


class SlackNotifier:
    """Implements the services' Notifier port on Slack's Web API."""

    platform = PLATFORM
    pacing = PACING

    def __init__(self, client: WebClient, default_language: str, zone: ZoneInfo,
                 public_url: str = "") -> None:
        self._client = client
        self._default_language = default_language
        self._zone = zone
        self._public_url = public_url

    def _translator(self, destination: Destination) -> Translator:
        # The services decided the language as the message was composed (services/languages.py);
        # Slack's locale is not asked: it is English for everyone whose language Slack lacks.
        return translator(destination.language or self._default_language)

    def send(self, destination: Destination, message: OutgoingMessage, *, delivery_id: int) -> MessageRef:
        """Post to a channel, or to a person's DM with the bot by posting to their user id."""
        rendered = render(message, self._translator(destination), self._zone, self._public_url)
        try:
            threading = {"thread_ts": rendered.thread_ts} if rendered.thread_ts else {}
            response = self._client.chat_postMessage(
                channel=destination.id,
                text=rendered.text,
                blocks=rendered.blocks,
                **threading,
                unfurl_links=False,
                unfurl_media=False,
                metadata={"event_type": ids.DELIVERY_EVENT, "event_payload": {"delivery_id": delivery_id}},
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise _translate(exc) from exc
        return to_ref(str(response["channel"]), str(response["ts"]))

    def update(self, ref: MessageRef, destination: Destination, message: OutgoingMessage) -> None:
        """Re-render a posted message in place."""
        rendered = render(message, self._translator(destination), self._zone, self._public_url)
        try:
            posted = from_ref(ref)
            self._client.chat_update(
                channel=posted.channel, ts=posted.ts, text=rendered.text, blocks=rendered.blocks
            )
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise _translate(exc) from exc

    def find_sent(self, destination: Destination, *, delivery_id: int, since: datetime) -> MessageRef | None:
        """Read the conversation back since `since`, looking for the delivery's metadata tag."""
        try:
            channel = destination.id
            if destination.is_person:
                opened = self._client.conversations_open(users=destination.id)
                channel = str(opened["channel"]["id"])
            cursor = None
            while True:
                page = self._client.conversations_history(
                    channel=channel,
                    oldest=f"{since.timestamp():.6f}",
                    include_all_metadata=True,
                    limit=200,
                    **({"cursor": cursor} if cursor else {}),
                )
                for message in page.get("messages") or []:
                    metadata = message.get("metadata") or {}
                    payload = metadata.get("event_payload") or {}
                    if (
                        metadata.get("event_type") == ids.DELIVERY_EVENT
                        and payload.get("delivery_id") == delivery_id
                    ):
                        return to_ref(channel, str(message["ts"]))
                cursor = (page.get("response_metadata") or {}).get("next_cursor")
                if not cursor:
                    return None
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise _translate(exc) from exc
