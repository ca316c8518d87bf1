"""Meetings: scheduling, invitations, answers, reminders, nudges and cancellation.

Every message a meeting causes is planned as delivery rows when the meeting changes, with the
time it is due. What a message says is composed when it is sent, from the database as it is
then: a reminder is skipped for someone who has since declined, a nudge for an organisation
that has since answered, anything at all once the meeting is cancelled or has started.

`Meetings` (services.meetings.service) is composed of one part per concern: scheduling, agenda,
answers, composing; `meeting_card` is in cards. Everything callers use is importable from here.
"""

from services.meetings.cards import meeting_card
from services.meetings.common import (
    BACKGROUND_MAX,
    CANCELLED,
    CHAIR_MAX,
    CHANGED,
    DURATION_MAX,
    DURATION_MIN,
    INVITE,
    NUDGE,
    OPEN_FLOOR_MIN,
    PROGRESS,
    REASON_MAX,
    REMINDER,
    TALK_MINUTES_MAX,
    TALKS_MAX,
    TITLE_MAX,
    TITLE_MIN,
    TOPIC_DISCUSSED,
    TOPIC_SCHEDULED,
    TOPIC_UNSCHEDULED,
    URGENT_REPEAT_WINDOW,
    ChangeField,
    MeetingTimings,
    NotInvited,
)
from services.meetings.outcomes import (
    AgendaForm,
    AgendaOutcome,
    ChangeForm,
    ChangeOutcome,
    InviteOutcome,
    NudgeOutcome,
    RsvpOutcome,
    ScheduleForm,
    ScheduleOutcome,
    UpcomingMeeting,
    UrgentForm,
)
from services.meetings.service import Meetings

__all__ = [
    "BACKGROUND_MAX", "CANCELLED", "DURATION_MAX", "DURATION_MIN", "INVITE", "NUDGE", "OPEN_FLOOR_MIN",
    "PROGRESS", "REMINDER", "TALKS_MAX", "TALK_MINUTES_MAX", "TITLE_MAX", "TITLE_MIN", "TOPIC_DISCUSSED",
    "TOPIC_SCHEDULED", "TOPIC_UNSCHEDULED", "URGENT_REPEAT_WINDOW", "AgendaForm", "AgendaOutcome",
    "ChangeField", "ChangeForm", "ChangeOutcome", "CHAIR_MAX", "CHANGED", "REASON_MAX",
    "InviteOutcome", "Meetings", "MeetingTimings", "NotInvited", "NudgeOutcome", "RsvpOutcome",
    "ScheduleForm", "ScheduleOutcome",
    "UpcomingMeeting", "UrgentForm", "meeting_card",
]
