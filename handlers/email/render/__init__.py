"""E-mails from the services' messages: plain text and HTML in the reader's language, with the
meeting's .ics where it belongs (as handlers/slack/render/ does for Block Kit)."""

from __future__ import annotations

from handlers.email.render.context import CalendarMethod, EmailContext
from handlers.email.render.meetings import (
    answer_recorded,
    meeting_cancelled,
    meeting_changed,
    meeting_invitation,
    meeting_nudge,
    meeting_reminder,
    speaker_told,
)
from handlers.email.render.mime import Email
from handlers.email.render.minutes import action_item_due, minutes_commented, minutes_posted
from handlers.email.render.people import (
    contact_opted_out,
    personal_data_ready,
    personal_link,
    privacy_notice,
    suggestion_decided,
    topic_changed,
    urgent_progress,
)
from services.messages import (
    ActionItemDue,
    AnswerRecorded,
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
    PersonalLink,
    PrivacyNotice,
    SpeakerTold,
    SuggestionDecided,
    TopicChanged,
    UrgentProgress,
)
from services.people import Destination

__all__ = ["CalendarMethod", "Email", "EmailContext", "render_email"]


def render_email(message: OutgoingMessage, destination: Destination, context: EmailContext) -> Email:
    """`message` as an e-mail to the person at `destination`, in `destination.language`.

    Messages to people only: a channel's post (a topic's announcement) has no e-mail form and
    raises TypeError, which the delivery engine records as the row's failure. A coordinator's
    messages (an opt-out, a comment, an urgent call's progress) are rendered too: a chat person's
    message that failed for good goes to their address when the roster has one."""
    match message:
        case MeetingInvitation():
            return meeting_invitation(message, destination, context)
        case MeetingReminder():
            return meeting_reminder(message, destination, context)
        case MeetingNudge():
            return meeting_nudge(message, destination, context)
        case MeetingCancelled():
            return meeting_cancelled(message, destination, context)
        case MeetingChanged():
            return meeting_changed(message, destination, context)
        case AnswerRecorded():
            return answer_recorded(message, destination, context)
        case SpeakerTold():
            return speaker_told(message, destination, context)
        case MinutesPosted():
            return minutes_posted(message, destination, context)
        case ActionItemDue():
            return action_item_due(message, destination, context)
        case MinutesCommented():
            return minutes_commented(message, destination, context)
        case TopicChanged():
            return topic_changed(message, destination, context)
        case SuggestionDecided():
            return suggestion_decided(message, destination, context)
        case PrivacyNotice():
            return privacy_notice(message, destination, context)
        case PersonalDataReady():
            return personal_data_ready(message, destination, context)
        case PersonalLink():
            return personal_link(message, destination, context)
        case ContactOptedOut():
            return contact_opted_out(message, destination, context)
        case UrgentProgress():
            return urgent_progress(message, destination, context)
    raise TypeError(f"no e-mail rendering for {type(message).__name__}: it is posted to a channel, "
                    "and e-mail reaches people only")
