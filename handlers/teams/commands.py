"""A message to the bot in Teams: the same grammar as Slack's `/dialog`, one service call, an answer.

People write `propose <title>` in their chat with the bot, or `@Dialogbot propose …` in a channel.
A command that opens a form in Slack answers with a card whose button opens it as a Teams dialog
(handlers/teams/dialogs.py); destructive ones (cancel, erase) ask first, with a button that does it.
"""

from __future__ import annotations

from handlers.common.parsing.commands import (
    Agenda,
    Cancel,
    Change,
    CommentMinutes,
    Decline,
    Erase,
    Help,
    Invite,
    ListMeetings,
    ListTopics,
    MyData,
    Overview,
    Propose,
    Recommend,
    RosterAdd,
    RosterContact,
    RosterForm,
    RosterRemove,
    Rsvp,
    Schedule,
    SetFollowUp,
    SetLanguage,
    ShowRoster,
    ShowStats,
    Suggest,
    Support,
    Urgent,
    WriteMinutes,
)
from handlers.common.parsing.grammar import parse_command
from handlers.teams import dialogs
from handlers.teams.context import TeamsDeps
from handlers.teams.render import replies
from handlers.teams.render.common import Card, adaptive_card, text_block
from handlers.teams.render.overview import overview_card
from handlers.teams.replies import cancel_question, erase_question, rsvp_recorded, support_recorded
from services.i18n import N_, Translator, text, translator
from services.people import Actor
from services.suggestions import SuggestionInput
from services.timeutil import parse_date, parse_time

# What to write instead of a form, per command (English; the words are the same in Norwegian).
_EXAMPLES = {
    Recommend: 'recommend "<organisation>" <why>',
    Change: "change <meeting-no>",
    CommentMinutes: "comment <meeting-no> <comment>",
    RosterForm: 'roster add "<organisation>" core|topic|observer @person',
}


def run_command(deps: TeamsDeps, actor: Actor, t: Translator, words: str) -> Card:
    """Run the command in `words` for `actor`; the answer to show them."""
    services = deps.services
    zone = deps.zone
    parsed = parse_command(words)
    match parsed:
        case SetLanguage() if not parsed.value:
            return replies.language_status(t, services.languages.setting(actor))
        case SetLanguage():
            chosen = services.languages.choose(actor, parsed.value)
            # Answered in the language now in use.
            return replies.language_chosen(translator(chosen.setting.language), chosen)
        case Help():
            return replies.help_message(t, zone.key)
        case MyData():
            return replies.data_requested(t, services.privacy.request_export(actor))
        case Propose() if not parsed.wants_modal:
            card = services.topics.propose(actor, parsed.title, parsed.details)
            return replies.proposal_confirmation(t, card, announced=True)
        case ListTopics():
            return replies.topic_list(t, services.topics.open_topics(actor))
        case Support():
            outcome = services.topics.support(actor, parsed.number)
            return Card(support_recorded(t, outcome.topic, added=outcome.added))
        case ListMeetings():
            return replies.meeting_list(t, services.meetings.upcoming(actor), zone)
        case Overview():
            return overview_card(t, services.home.view(actor), zone)
        case Rsvp():
            return Card(rsvp_recorded(t, services.meetings.rsvp(actor, parsed.number, parsed.answer)))
        case ShowRoster():
            return replies.roster_list(t, services.roster.listing(actor))
        case RosterAdd():
            added = services.roster.add(actor, parsed.name, parsed.tier, parsed.contacts)
            return replies.roster_added(t, added)
        case RosterContact():
            contacts = services.roster.add_contacts(actor, parsed.name, parsed.contacts)
            return replies.roster_contacts(t, contacts)
        case RosterRemove():
            return replies.roster_removed(t, services.roster.remove(actor, parsed.name))
        case Recommend() if not parsed.wants_modal:
            card = services.suggestions.suggest(actor, SuggestionInput(parsed.name, parsed.reason,
                                                                       meeting=parsed.meeting))
            return replies.suggestion_received(t, card)
        case Schedule() if not parsed.wants_modal:
            scheduled = services.meetings.schedule(actor, title=parsed.title, day=parse_date(parsed.day),
                                                   at=parse_time(parsed.at))
            confirmation = replies.schedule_confirmation(t, scheduled, zone)
            return replies.with_insights(confirmation, t, scheduled.insights)
        case Urgent() if not parsed.wants_modal:
            called = services.meetings.urgent(
                actor, title=parsed.title, day=parse_date(parsed.day) if parsed.day else None,
                at=parse_time(parsed.at) if parsed.at else None, video_link=parsed.video_link,
                background=parsed.background)
            return replies.with_insights(replies.schedule_confirmation(t, called, zone), t, called.insights)
        case Agenda() if parsed.topic is not None:
            added = services.meetings.add_topic(actor, parsed.number, parsed.topic)
            return replies.with_insights(replies.agenda_confirmation(t, added), t, added.insights)
        case WriteMinutes() if parsed.final:
            return replies.final_confirmation(t, services.minutes.review.finalise(actor, parsed.number))
        case SetFollowUp():
            outcome = services.follow_up.set_status(actor, parsed.meeting, parsed.position, parsed.status)
            return replies.status_confirmation(t, outcome)
        case CommentMinutes() if parsed.body:
            commented = services.minutes.review.comment(actor, parsed.number, parsed.body)
            return replies.comment_confirmation(t, commented, zone)
        case ShowStats():
            return replies.stats_message(t, services.stats.compute(actor), zone)
        case Suggest():
            return replies.slot_list(t, services.planning.suggest_slots(actor), zone)
        case Decline():
            declined = services.topics.decline(actor, parsed.number, parsed.reason)
            return replies.decline_confirmation(t, declined)
        case Cancel():
            # Told to everyone and not undone: asked first; the card's button does it.
            reason = parsed.reason or ""
            card = services.meetings.cancellable(actor, parsed.number, reason)
            return cancel_question(t, card, zone, reason)
        case Erase():
            whom = deps.person(parsed.user) if parsed.user else None
            return erase_question(t, services.privacy.erasure_question(actor, whom))
        case Invite():
            outcome = services.meetings.invite(actor, parsed.number, parsed.organisation)
            return replies.with_insights(replies.invite_confirmation(t, outcome), t, outcome.insights)
    form = _form_of(parsed)
    if form is not None:
        return _open_form(t, *form)
    # A question first in Slack (cancel, erase) or a form Teams does not have: say what works instead.
    return replies.not_in_teams_yet(t, _EXAMPLES.get(type(parsed), "help"))


def _form_of(parsed: object) -> tuple[str, int | None] | None:
    """The dialog a command without its text opens, and for which meeting."""
    match parsed:
        case Propose():
            return "propose", None
        case Schedule():
            return "schedule", None
        case Urgent():
            return "urgent", None
        case Agenda():
            return "agenda", parsed.number
        case WriteMinutes():
            return "minutes", parsed.number
    return None


def _open_form(t: Translator, form: str, meeting: int | None) -> Card:
    """A card with the button that opens the form as a Teams dialog."""
    line = t.render(text(N_("Open the form with the button below.")))
    return Card(line, adaptive_card([text_block(line)], [dialogs.open_action(t, form, meeting=meeting)],
                                    fallback=line))
