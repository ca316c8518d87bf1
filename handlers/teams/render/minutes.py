"""Minutes in Teams: the minutes (draft or final), a comment passed on to the coordinators, and a
follow-up point's due-date reminder."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from microsoft_teams.cards import Action as CardAction
from microsoft_teams.cards import CardElement, ExecuteAction

from handlers.teams.render.common import (
    FOLLOW_UP_DONE,
    FOLLOW_UP_IN_PROGRESS,
    FOLLOW_UP_OPEN,
    POINT_KEY,
    Card,
    md,
    text_block,
)
from handlers.teams.render.parts import bold, finish, heading, note, paragraphs, quoted
from handlers.teams.render.words import local_time, owner_words, person_words, point_line
from services.enums import FollowUpStatus, MinutesState
from services.i18n import N_, Translator
from services.messages import ActionItemDue, ActionItemView, MinutesCommented, MinutesPosted, MinutesView


def _draft(t: Translator, minutes: MinutesView, zone: ZoneInfo) -> list[CardElement]:
    """Under draft minutes: comments by when; once final, that comments are closed."""
    if minutes.state == MinutesState.FINAL:
        return [note(t.gettext("Comments are closed: these minutes are final, and the final version has "
                               "been sent."), separator=True)]
    line = "**" + t.gettext("Draft for comments") + "**"
    if minutes.review_until:
        line += " " + t.gettext("Comments by {when}.").format(
            when=local_time(minutes.review_until, zone, t.language))
    return [text_block(line, separator=True)]


def minutes_posted(t: Translator, message: MinutesPosted, zone: ZoneInfo) -> Card:
    """The minutes: in the channel under the meeting's invitation, or to someone invited. (Where a
    reply goes is the notifier's: it reads `message.reply_to`.)"""
    minutes = message.minutes
    card = minutes.meeting
    label = t.gettext("Draft minutes: {title}") if message.draft else t.gettext("Minutes: {title}")
    title = label.format(title=md(card.title))
    body: list[CardElement] = [
        heading(title),
        text_block(f"**{md(card.title)}**, {local_time(card.starts_at, zone, t.language)}", spacing="None"),
        text_block(paragraphs(minutes.summary)),
    ]
    if minutes.decisions:
        body += [bold(t.gettext("Main points")), text_block(paragraphs(minutes.decisions), spacing="None")]
    if minutes.discussed:
        body += [bold(t.gettext("Topics discussed")), text_block(
            "; ".join(f"{md(name)} _(#{number})_" for number, name in minutes.discussed), spacing="None")]
    if minutes.action_items:
        body += [bold(t.gettext("Follow-up")), text_block(
            "\n\n".join(point_line(t, item) for item in minutes.action_items), spacing="None")]
    attended = t.ngettext("{count} person attended", "{count} people attended", minutes.attendees).format(
        count=minutes.attendees)
    if minutes.attending_organisations:
        attended += " · " + t.gettext("Organisations present: {names}").format(
            names=", ".join(md(name) for name in minutes.attending_organisations))
    if minutes.version > 1:
        attended += " · " + t.gettext("corrected")
    body.append(note(attended))
    if message.draft:
        body += _draft(t, minutes, zone)
    return finish(title, body)


def minutes_commented(t: Translator, message: MinutesCommented, zone: ZoneInfo) -> Card:
    """A comment on draft minutes, to each coordinator: who (and for which organisations), what."""
    who = person_words(t, message.author)
    if message.organisations:
        # Coordinators may see who represents whom; this goes to them alone.
        who += " (" + ", ".join(md(name) for name in message.organisations) + ")"
    line = t.gettext("{who} commented on the draft minutes of meeting {number} ({title}):").format(
        who=who, number=message.meeting_number, title=md(message.meeting_title))
    body: list[CardElement] = [text_block(line), quoted(paragraphs(message.body))]
    if message.final:
        body.append(note(t.gettext("The minutes are final now.")))
    elif message.review_until:
        body.append(note(t.gettext("They become final on {when}.").format(
            when=local_time(message.review_until, zone, t.language))))
    text = t.gettext("A comment on the draft minutes of meeting {number}").format(
        number=message.meeting_number)
    return finish(text, body)


def action_item_due(t: Translator, message: ActionItemDue, zone: ZoneInfo) -> Card:
    """The reminder to a follow-up point's owner on its due date."""
    item = message.item
    template = t.gettext("Due today for {owner}: {what} (from meeting {number}, {title}).")
    values = {"owner": owner_words(t, item), "number": message.meeting_number,
              "title": md(message.meeting_title)}
    body: list[CardElement] = [text_block(template.format(what=f"**{md(item.description)}**", **values)),
                               note(point_line(t, item))]
    return finish(template.format(what=md(item.description), **values), body, status_actions(t, item))


# Each status a point can be set to with one click, and its button's words (as in Slack).
STATUS_ACTIONS = {
    FollowUpStatus.OPEN: (FOLLOW_UP_OPEN, N_("Reopen")),
    FollowUpStatus.IN_PROGRESS: (FOLLOW_UP_IN_PROGRESS, N_("In progress")),
    FollowUpStatus.DONE: (FOLLOW_UP_DONE, N_("Done")),
}
VERB_STATUS = {verb: status for status, (verb, _) in STATUS_ACTIONS.items()}


def status_actions(t: Translator, item: ActionItemView) -> list[CardAction]:
    """One click to each status the point is not in."""
    return [ExecuteAction(title=t.gettext(label), verb=verb, data={POINT_KEY: item.ref})
            for status, (verb, label) in STATUS_ACTIONS.items() if status != item.status]
