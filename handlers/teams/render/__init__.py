"""Teams rendering: the services' outgoing messages as Adaptive Cards (`render_message`), pure
functions of the message, the reader's language and the dialogue's zone."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.teams.render.common import Card
from handlers.teams.render.meetings import (
    meeting_cancelled,
    meeting_changed,
    meeting_invitation,
    meeting_nudge,
    meeting_reminder,
    speaker_told,
)
from handlers.teams.render.minutes import action_item_due, minutes_commented, minutes_posted
from handlers.teams.render.notices import (
    contact_opted_out,
    personal_data_ready,
    privacy_notice,
    suggestion_decided,
)
from handlers.teams.render.topics import topic_announcement, topic_changed
from handlers.teams.render.urgent import urgent_progress
from services.i18n import Translator
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

__all__ = ["Card", "render_message"]


def render_message(t: Translator, message: OutgoingMessage, zone: ZoneInfo, *, personal: bool,
                   public_url: str = "") -> Card:
    """How a service's message looks in Teams. `personal`: a person's own copy (their chat with the
    bot), else the shared channel's post; `public_url`: the bot's address for links (calendar,
    downloads), empty when it has none. Raises TypeError for a message Teams does not show."""
    match message:
        case TopicAnnouncement():
            return topic_announcement(t, message)
        case MeetingInvitation():
            return meeting_invitation(t, message, zone, personal=personal, public_url=public_url)
        case MeetingReminder():
            return meeting_reminder(t, message, zone)
        case MeetingNudge():
            return meeting_nudge(t, message, zone)
        case MeetingCancelled():
            return meeting_cancelled(t, message, zone)
        case MeetingChanged():
            return meeting_changed(t, message, zone)
        case UrgentProgress():
            return urgent_progress(t, message, zone)
        case TopicChanged():
            return topic_changed(t, message, zone)
        case MinutesPosted():
            return minutes_posted(t, message, zone)
        case MinutesCommented():
            return minutes_commented(t, message, zone)
        case ActionItemDue():
            return action_item_due(t, message, zone)
        case SpeakerTold():
            return speaker_told(t, message, zone)
        case SuggestionDecided():
            return suggestion_decided(t, message)
        case PrivacyNotice():
            return privacy_notice(t, message)
        case PersonalDataReady():
            return personal_data_ready(t, message, zone, public_url)
        case ContactOptedOut():
            return contact_opted_out(t, message)
    raise TypeError(f"no Teams rendering for {type(message).__name__}")
