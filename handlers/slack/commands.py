"""The `/dialog` slash command: parse, call one service, render."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, Respond
from slack_sdk import WebClient

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
from handlers.slack import PLATFORM
from handlers.slack.context import SlackDeps, bind
from handlers.slack.errors import Listener, ack_now
from handlers.slack.parsing.carried import ModalContext
from handlers.slack.parsing.change_forms import ChangeOrigin
from handlers.slack.parsing.roster_forms import RosterOrigin
from handlers.slack.render.agenda import agenda_confirmation, agenda_modal
from handlers.slack.render.changes import cancel_question, change_modal
from handlers.slack.render.common import plain
from handlers.slack.render.follow_up import status_confirmation
from handlers.slack.render.help import help_message
from handlers.slack.render.languages import language_chosen, language_status
from handlers.slack.render.meetings import (
    invite_confirmation,
    meeting_list,
    rsvp_confirmation,
    schedule_confirmation,
    schedule_modal,
)
from handlers.slack.render.minutes import minutes_modal
from handlers.slack.render.planning import slot_list, with_insights
from handlers.slack.render.privacy import data_requested, erase_question
from handlers.slack.render.review import comment_confirmation, comment_modal, final_confirmation
from handlers.slack.render.roster import roster_added, roster_contacts, roster_list, roster_removed
from handlers.slack.render.roster_form import roster_modal
from handlers.slack.render.stats import stats_message
from handlers.slack.render.suggestions import suggestion_modal, suggestion_received
from handlers.slack.render.topics import (
    decline_confirmation,
    proposal_confirmation,
    propose_modal,
    support_confirmation,
    topic_list,
)
from handlers.slack.render.urgent import urgent_modal
from handlers.slack.reply import private
from services.i18n import N_, text
from services.people import PersonRef
from services.suggestions import SuggestionInput
from services.timeutil import parse_date, parse_time


def dialog(deps: SlackDeps, command: dict[str, Any], respond: Respond, client: WebClient,
           context: BoltContext) -> None:
    """`/dialog …`: parse the text, call one service, answer privately (or open a form)."""
    services = deps.services
    zone = deps.timezone
    parsed = parse_command(command.get("text") or "")
    t = deps.translator(context)
    actor = deps.actor(context)
    origin = ModalContext(command.get("channel_id", ""), command.get("response_url", ""))
    match parsed:
        case SetLanguage() if not parsed.value:
            private(respond, language_status(t, services.languages.setting(actor)))
        case SetLanguage():
            chosen = services.languages.choose(actor, parsed.value)
            # Answered in the language now in use.
            private(respond, language_chosen(deps.speaks(context, chosen.setting.language), chosen))
        case Help():
            private(respond, help_message(t, zone.key))
        case MyData():
            private(respond, data_requested(t, services.privacy.request_export(actor)))
        case Erase():
            whom = PersonRef(PLATFORM, parsed.user) if parsed.user else None
            private(respond, erase_question(t, services.privacy.erasure_question(actor, whom)))
        case Propose() if parsed.wants_modal:
            client.views_open(trigger_id=command["trigger_id"],
                              view=propose_modal(t, origin.dump()))
        case Propose():
            card = services.topics.propose(actor, parsed.title, parsed.details)
            private(respond, proposal_confirmation(t, card, announced=bool(deps.channel_id)))
        case ListTopics():
            private(respond, topic_list(t, services.topics.open_topics(actor)))
        case Support():
            outcome = services.topics.support(actor, parsed.number)
            private(respond, support_confirmation(t, outcome.topic, added=outcome.added))
        case ListMeetings():
            private(respond, meeting_list(t, services.meetings.upcoming(actor), zone))
        case Overview():
            # Slack has the Home tab for it: point there rather than repeat it in a reply.
            private(respond, plain(t, text(N_("Your overview is the bot's Home tab: open Dialogbot in the "
                                              "sidebar and click Home."))))
        case Rsvp():
            outcome = services.meetings.rsvp(actor, parsed.number, parsed.answer)
            private(respond, rsvp_confirmation(t, outcome))
        case ShowRoster():
            private(respond, roster_list(t, services.roster.listing(actor)))
        case RosterAdd():
            card = services.roster.add(actor, parsed.name, parsed.tier, parsed.contacts)
            private(respond, roster_added(t, card))
        case RosterContact():
            outcome = services.roster.add_contacts(actor, parsed.name, parsed.contacts)
            private(respond, roster_contacts(t, outcome))
        case RosterForm():
            form = services.roster.form(actor, parsed.name)
            editing = RosterOrigin(origin, form.organisation.name if form.organisation else None)
            client.views_open(trigger_id=command["trigger_id"], view=roster_modal(t, form, editing.dump()))
        case Recommend() if parsed.wants_modal:
            client.views_open(trigger_id=command["trigger_id"],
                              view=suggestion_modal(t, services.suggestions.form(actor), origin.dump()))
        case Recommend():
            card = services.suggestions.suggest(actor, SuggestionInput(parsed.name, parsed.reason,
                                                                       meeting=parsed.meeting))
            private(respond, suggestion_received(t, card))
        case RosterRemove():
            removed = services.roster.remove(actor, parsed.name)
            private(respond, roster_removed(t, removed))
        case Schedule() if parsed.wants_modal:
            form = services.meetings.schedule_form(actor)
            client.views_open(trigger_id=command["trigger_id"],
                              view=schedule_modal(t, form, origin.dump()))
        case Schedule():
            scheduled = services.meetings.schedule(actor, title=parsed.title, day=parse_date(parsed.day),
                                                   at=parse_time(parsed.at))
            private(respond, with_insights(schedule_confirmation(t, scheduled, zone), t, scheduled.insights))
        case Urgent() if parsed.wants_modal:
            form = services.meetings.urgent_form(actor)
            client.views_open(trigger_id=command["trigger_id"],
                              view=urgent_modal(t, form, origin.dump()))
        case Urgent():
            called = services.meetings.urgent(
                actor, title=parsed.title, day=parse_date(parsed.day) if parsed.day else None,
                at=parse_time(parsed.at) if parsed.at else None, video_link=parsed.video_link,
                background=parsed.background)
            private(respond, with_insights(schedule_confirmation(t, called, zone), t, called.insights))
        case Agenda() if parsed.topic is None:
            form = services.meetings.agenda_form(actor, parsed.number)
            origin = ModalContext(origin.channel_id, origin.response_url, parsed.number)
            client.views_open(trigger_id=command["trigger_id"],
                              view=agenda_modal(t, form, origin.dump()))
        case Agenda():
            added = services.meetings.add_topic(actor, parsed.number, parsed.topic)
            private(respond, with_insights(agenda_confirmation(t, added), t, added.insights))
        case WriteMinutes() if parsed.final:
            private(respond, final_confirmation(t, services.minutes.review.finalise(actor, parsed.number)))
        case WriteMinutes():
            form = services.minutes.form(actor, parsed.number)
            origin = ModalContext(origin.channel_id, origin.response_url, parsed.number)
            client.views_open(trigger_id=command["trigger_id"],
                              view=minutes_modal(t, form, origin.dump()))
        case SetFollowUp():
            outcome = services.follow_up.set_status(actor, parsed.meeting, parsed.position, parsed.status)
            private(respond, status_confirmation(t, outcome))
        case CommentMinutes() if not parsed.body:
            origin = ModalContext(origin.channel_id, origin.response_url, parsed.number)
            client.views_open(trigger_id=command["trigger_id"],
                              view=comment_modal(t, parsed.number, origin.dump()))
        case CommentMinutes():
            commented = services.minutes.review.comment(actor, parsed.number, parsed.body)
            private(respond, comment_confirmation(t, commented, zone))
        case ShowStats():
            private(respond, stats_message(t, services.stats.compute(actor), zone))
        case Suggest():
            private(respond, slot_list(t, services.planning.suggest_slots(actor), zone))
        case Decline():
            card = services.topics.decline(actor, parsed.number, parsed.reason)
            private(respond, decline_confirmation(t, card))
        case Invite():
            outcome = services.meetings.invite(actor, parsed.number, parsed.organisation)
            private(respond, with_insights(invite_confirmation(t, outcome), t, outcome.insights))
        case Cancel():
            # Destructive and told to everyone: ask first; the button does it.
            card = services.meetings.cancellable(actor, parsed.number, parsed.reason)
            private(respond, cancel_question(t, card, zone, parsed.reason))
        case Change():
            change = services.meetings.change_form(actor, parsed.number)
            carried = ChangeOrigin(ModalContext(origin.channel_id, origin.response_url, parsed.number),
                                   background=change.offers_background)
            client.views_open(trigger_id=command["trigger_id"],
                              view=change_modal(t, change, carried.dump()))


def register(app: App, deps: SlackDeps, guard: Callable[[Listener], Listener]) -> None:
    """Listen for `/dialog`."""
    app.command("/dialog")(ack=ack_now, lazy=[guard(bind(dialog, deps))])
