"""Minutes by e-mail: the minutes (final, or a draft for comments), a follow-up point due today,
and a comment on draft minutes passed on to a coordinator."""

from __future__ import annotations

from handlers.email.render.common import (
    finish,
    follow_up_block,
    heading,
    local_time,
    meeting_subject,
    owner_words,
    person_words,
    point_line,
    reader,
)
from handlers.email.render.context import EmailContext
from handlers.email.render.layout import Action, Block, Body, Fact
from handlers.email.render.mime import Email, one_line
from services.enums import MinutesState
from services.messages import ActionItemDue, MinutesCommented, MinutesPosted
from services.people import Destination


def minutes_posted(message: MinutesPosted, destination: Destination, context: EmailContext) -> Email:
    """The minutes to someone invited: summary, main points, topics, follow-up, who came; a draft
    says until when comments are open (or, once final, that they are closed)."""
    minutes = message.minutes
    card = minutes.meeting
    t = reader(destination, context)
    label = t.gettext("Draft minutes: {title}") if message.draft else t.gettext("Minutes: {title}")
    blocks = [Block(facts=(Fact(t.gettext("Meeting"), f"{heading(card)}, "
                                + local_time(card.starts_at, context.zone, t.language)),))]
    if message.draft:
        if minutes.state == MinutesState.FINAL:
            blocks.append(Block(paragraphs=(t.gettext(
                "Comments are closed: these minutes are final, and the final version has been sent."),)))
        else:
            until = (t.gettext("Comments by {when}.").format(
                when=local_time(minutes.review_until, context.zone, t.language))
                if minutes.review_until else "")
            blocks.append(Block(heading=t.gettext("Draft for comments"), paragraphs=tuple(
                p for p in (until, t.gettext("Comments go to the coordinators, who correct the minutes "
                                             "before they are final.")) if p)))
    if minutes.summary:
        blocks.append(Block(heading=t.gettext("Summary"), paragraphs=(minutes.summary,)))
    if minutes.decisions:
        blocks.append(Block(heading=t.gettext("Main points"), paragraphs=(minutes.decisions,)))
    if minutes.discussed:
        blocks.append(Block(heading=t.gettext("Topics discussed"),
                            items=tuple(f"#{number} {title}" for number, title in minutes.discussed)))
    blocks.extend(follow_up_block(t, minutes.action_items, heading=t.gettext("Follow-up")))
    attended = t.ngettext("{count} person attended", "{count} people attended", minutes.attendees).format(
        count=minutes.attendees)
    if minutes.attending_organisations:
        attended += " · " + t.gettext("Organisations present: {names}").format(
            names=", ".join(minutes.attending_organisations))
    if minutes.version > 1:
        attended += " · " + t.gettext("corrected")
    blocks.append(Block(note=attended))
    what = t.gettext("draft minutes for comments") if message.draft else t.gettext("minutes")
    return finish(t, meeting_subject(t, card, what), Body(title=label.format(title=card.title),
                                                          blocks=tuple(blocks)), destination, context)


def action_item_due(message: ActionItemDue, destination: Destination, context: EmailContext) -> Email:
    """The reminder to a follow-up point's organisation on its due date; its status is set on the
    reader's page."""
    item = message.item
    t = reader(destination, context)
    line = t.gettext("Due today for {owner}: {what} (from meeting {number}, {title}).").format(
        owner=owner_words(t, item), what=item.description, number=message.meeting_number,
        title=message.meeting_title)
    actions: tuple[Action, ...] = ()
    if context.links.available and destination.workspace is not None:
        actions = (Action(t.gettext("Update its status on your page"),
                          context.links.page_url(destination.workspace, destination.for_person)),)
    body = Body(title=t.gettext("Follow-up point {ref} is due today").format(ref=item.ref), blocks=(
        Block(paragraphs=(line,), items=(point_line(t, item),), actions=actions),
    ))
    subject = one_line(f"{message.meeting_title}: "
                       + t.gettext("follow-up point {ref} is due today").format(ref=item.ref))
    return finish(t, subject, body, destination, context)


def minutes_commented(message: MinutesCommented, destination: Destination, context: EmailContext) -> Email:
    """A comment on draft minutes, to a coordinator (by e-mail when chat could not reach them)."""
    t = reader(destination, context)
    who = person_words(t, message.author)
    if message.organisations:
        who += " (" + ", ".join(message.organisations) + ")"
    line = t.gettext("{who} commented on the draft minutes of meeting {number} ({title}):").format(
        who=who, number=message.meeting_number, title=message.meeting_title)
    if message.final:
        note = t.gettext("The minutes are final now.")
    elif message.review_until:
        note = t.gettext("They become final on {when}.").format(
            when=local_time(message.review_until, context.zone, t.language))
    else:
        note = None
    body = Body(title=t.gettext("A comment on the draft minutes of meeting {number}").format(
        number=message.meeting_number), blocks=(Block(paragraphs=(line, message.body), note=note),))
    subject = one_line(f"{message.meeting_title}: " + t.gettext("a comment on the draft minutes"))
    return finish(t, subject, body, destination, context)
