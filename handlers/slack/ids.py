"""Every action id, callback id and block id the bot uses, in one place."""

# Buttons
TOPIC_SUPPORT = "topic_support"
RSVP_YES = "rsvp_yes"
RSVP_NO = "rsvp_no"
RSVP_MAYBE = "rsvp_maybe"
# `/dialog cancel` asks first; this button (behind Slack's confirm dialog) does the cancelling.
MEETING_CANCEL = "meeting_cancel"

# Modals
PROPOSE_VIEW = "topic_propose"
PROPOSE_TITLE_BLOCK = "title"
PROPOSE_DETAILS_BLOCK = "details"
INPUT_ACTION = "value"
SCHEDULE_VIEW = "meeting_schedule"
SCHEDULE_TITLE = "title"
SCHEDULE_START = "starts_at"
SCHEDULE_DURATION = "duration"
SCHEDULE_LINK = "video_link"
SCHEDULE_TOPICS = "topics"
SCHEDULE_ORGANISATIONS = "organisations"
SCHEDULE_OBSERVERS = "observers"

# Message metadata that tags every delivery, so a crash can be checked against Slack.
DELIVERY_EVENT = "dialogbot_delivery"
URGENT_VIEW = "meeting_urgent"
URGENT_AUDIENCE_BLOCK = "audience"
# Changing the organisations in the urgent form recounts who will be notified.
URGENT_RECOUNT = "urgent_recount"
AGENDA_VIEW = "meeting_agenda"
AGENDA_TOPICS = "topics"
# Planning advice: invite a suggested organisation with one click (value "<meeting-no>|<name>").
INVITE_SUGGESTED = "invite_suggested"
MINUTES_VIEW = "meeting_minutes"
MINUTES_SUMMARY = "summary"
MINUTES_DECISIONS = "decisions"
MINUTES_DISCUSSED = "discussed"
MINUTES_ATTENDEES = "attendees"
MINUTES_ITEMS = 3
# A link button to the meeting's .ics file; Slack still reports the click, which is just acked.
CALENDAR_LINK = "calendar_link"
