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
# Who chairs a meeting: a name as typed, and/or a person picked (scheduling and change forms).
SCHEDULE_CHAIR = "chair"
SCHEDULE_CHAIR_PERSON = "chair_person"
# `/dialog change <meeting-no>`: title, time, length, link and chair in one form.
CHANGE_VIEW = "meeting_change"

# Message metadata that tags every delivery, so a crash can be checked against Slack.
DELIVERY_EVENT = "dialogbot_delivery"
URGENT_VIEW = "meeting_urgent"
URGENT_AUDIENCE_BLOCK = "audience"
# Changing the organisations in the urgent form recounts who will be notified.
URGENT_RECOUNT = "urgent_recount"
# The urgent form's short background (its link is SCHEDULE_LINK, as in the scheduling form).
SCHEDULE_BACKGROUND = "background"
# The progress report's one-click nudge of the silent organisations (value: the meeting number).
URGENT_NUDGE = "urgent_nudge"
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
# The Home tab's language picker (its block has the same id).
LANGUAGE_PICK = "language_pick"
# Suggesting an organisation (anyone), and deciding on a suggestion (coordinators, Home tab).
SUGGEST_VIEW = "organisation_suggest"
SUGGEST_OPEN = "organisation_suggest_open"
SUGGESTION_ACCEPT = "suggestion_accept"
SUGGESTION_ACCEPT_AS = "suggestion_accept_as"
SUGGESTION_DISMISS = "suggestion_dismiss"
SUGGEST_NAME = "name"
SUGGEST_REASON = "reason"
SUGGEST_PERSPECTIVE = "perspective"
SUGGEST_CONTACT = "contact"
SUGGEST_CONTACT_PERSON = "contact_person"
SUGGEST_MEETING = "meeting"
# The roster form (coordinators): opened empty or holding an organisation.
ROSTER_VIEW = "roster_edit"
ROSTER_OPEN = "roster_open"
ROSTER_EDIT_PICK = "roster_edit_pick"
ROSTER_NAME = "name"
ROSTER_TIER = "tier"
ROSTER_CONTACTS = "contacts"
ROSTER_PERSPECTIVES = "perspectives"
ROSTER_TIME = "preferred_time"
ROSTER_LANGUAGE = "language"
ROSTER_KEYWORDS = "keywords"
# Follow-up points: one click sets a point's status (value: the point, "<meeting-no>.<point-no>").
FOLLOW_UP_OPEN = "follow_up_open"
FOLLOW_UP_IN_PROGRESS = "follow_up_in_progress"
FOLLOW_UP_DONE = "follow_up_done"
# Draft minutes: the Comment button opens a form (value: the meeting number); coordinators make
# them final at once, and fetch the minutes for the case archive (links that open in the browser).
MINUTES_COMMENT_OPEN = "minutes_comment_open"
MINUTES_COMMENT_VIEW = "minutes_comment"
MINUTES_COMMENT_BODY = "comment"
MINUTES_FINAL = "minutes_final"
MINUTES_ARCHIVE = "minutes_archive"
MINUTES_ARCHIVE_LINK = "minutes_archive_link"
# Data protection: the privacy notice's opt-out, the confirmed Erase button (value: the bound
# confirmation), and the link to download one's data (acked only), served at this path.
PRIVACY_OPT_OUT = "privacy_opt_out"
PRIVACY_ERASE = "privacy_erase"
PRIVACY_DOWNLOAD = "privacy_download"
PERSONAL_DATA_PATH = "/p/data/"
