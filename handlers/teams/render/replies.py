"""The answers to commands written to the bot in Teams, one per service call (the same as Slack's
`/dialog` answers), each a `Card`: Adaptive Cards markdown, every piece of user text escaped."""

from __future__ import annotations

from handlers.teams.render.replies_account import (
    comment_confirmation,
    data_requested,
    final_confirmation,
    language_chosen,
    language_status,
    status_confirmation,
)
from handlers.teams.render.replies_help import help_message, not_in_teams_yet
from handlers.teams.render.replies_meetings import (
    agenda_confirmation,
    invite_confirmation,
    meeting_list,
    schedule_confirmation,
)
from handlers.teams.render.replies_planning import slot_list, stats_message, with_insights
from handlers.teams.render.replies_roster import roster_added, roster_contacts, roster_list, roster_removed
from handlers.teams.render.replies_topics import (
    decline_confirmation,
    proposal_confirmation,
    suggestion_received,
    topic_list,
)

__all__ = [
    "agenda_confirmation",
    "comment_confirmation",
    "data_requested",
    "decline_confirmation",
    "final_confirmation",
    "help_message",
    "invite_confirmation",
    "language_chosen",
    "language_status",
    "meeting_list",
    "not_in_teams_yet",
    "proposal_confirmation",
    "roster_added",
    "roster_contacts",
    "roster_list",
    "roster_removed",
    "schedule_confirmation",
    "slot_list",
    "stats_message",
    "status_confirmation",
    "suggestion_received",
    "topic_list",
    "with_insights",
]
