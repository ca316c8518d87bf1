"""Follow-up points in Slack: each with its status, one-click status buttons (the due-date
reminder, the Home tab), "Follow-up from last time" on the next meeting, and the confirmation."""

from __future__ import annotations

from collections.abc import Sequence

from babel.dates import format_date
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts
from handlers.slack.text import babel_locale, escape, truncate
from services.enums import FollowUpStatus, Side
from services.follow_up import StatusOutcome
from services.i18n import N_, Translator
from services.messages import ActionItemView

STATUS_WORDS = {
    FollowUpStatus.OPEN: N_("open"),
    FollowUpStatus.IN_PROGRESS: N_("in progress"),
    FollowUpStatus.DONE: N_("done"),
}
STATUS_BUTTONS = {
    FollowUpStatus.OPEN: (ids.FOLLOW_UP_OPEN, N_("Reopen")),
    FollowUpStatus.IN_PROGRESS: (ids.FOLLOW_UP_IN_PROGRESS, N_("In progress")),
    FollowUpStatus.DONE: (ids.FOLLOW_UP_DONE, N_("Done")),
}
BUTTON_STATUS = {action_id: status for status, (action_id, _) in STATUS_BUTTONS.items()}
_MARKS = {FollowUpStatus.OPEN: "○", FollowUpStatus.IN_PROGRESS: "◐", FollowUpStatus.DONE: "●"}
# The Home tab shows this many points with buttons (two blocks each; Slack allows 100 in all).
HOME_SHOWN = 8


def status_word(t: Translator, status: FollowUpStatus) -> str:
    """A follow-up point's status in words."""
    return t.gettext(STATUS_WORDS[status])


def owner_words(t: Translator, item: ActionItemView) -> str:
    """Who owns a point: the city, an organisation, or a public agency (marked as one)."""
    if item.owner is None:
        return t.gettext("the city")
    if item.owner_side == Side.AGENCY:
        return t.gettext("{name} (public agency)").format(name=escape(item.owner))
    return escape(item.owner)


def point_line(t: Translator, item: ActionItemView) -> str:
    """`○ 3.2 Find volunteers: Caritas, by 30 March 2026 · open`."""
    due = format_date(item.due_on, "long", locale=babel_locale(t.language))
    return (f"{_MARKS[item.status]} *{item.ref}* "
            + t.gettext("{what}: {owner}, by {due}").format(what=escape(item.description),
                                                           owner=owner_words(t, item), due=due)
            + f" · _{status_word(t, item.status)}_")


def status_buttons(t: Translator, item: ActionItemView) -> ActionsBlock:
    """One click to each status the point is not in."""
    return ActionsBlock(block_id=f"follow_up:{item.ref}", elements=[
        ButtonElement(text=t.gettext(label), action_id=action_id, value=item.ref,
                      style="primary" if status == FollowUpStatus.DONE else None)
        for status, (action_id, label) in STATUS_BUTTONS.items() if status != item.status
    ])


def follow_up_from_last_time(t: Translator, items: Sequence[ActionItemView]) -> list[Block]:
    """The next meeting's section on what the last one agreed to follow up, with each status."""
    if not items:
        return []
    lines = "\n".join(point_line(t, item) for item in items)
    return [SectionBlock(text=MarkdownTextObject(
        text=truncate("*" + t.gettext("Follow-up from last time") + "*\n" + lines, 3000)))]


def home_follow_up(t: Translator, follow_up: Sequence[tuple[int, str, ActionItemView]]) -> list[Block]:
    """The Home tab's points still to do, each with its status buttons."""
    if not follow_up:
        return []
    blocks: list[Block] = [HeaderBlock(text=PlainTextObject(text=t.gettext("Follow-up"), emoji=False))]
    for number, title, item in follow_up[:HOME_SHOWN]:
        blocks.append(SectionBlock(text=MarkdownTextObject(
            text=truncate(point_line(t, item) + f"\n_{number}. {escape(title)}_", 3000))))
        blocks.append(status_buttons(t, item))
    if len(follow_up) > HOME_SHOWN:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t.gettext(
            "{count} more; set any point's status with `/dialog followup <meeting-no>.<point-no> "
            "open|progress|done`.").format(count=len(follow_up) - HOME_SHOWN))]))
    return blocks


def status_confirmation(t: Translator, outcome: StatusOutcome) -> Rendered:
    """Told privately to whoever set a point's status."""
    item = outcome.item
    if outcome.changed:
        line = t.gettext("Follow-up point {ref} ({what}) is now {status}.")
    else:
        line = t.gettext("Follow-up point {ref} ({what}) was already {status}.")
    line = line.format(ref=item.ref, what=escape(item.description), status=status_word(t, item.status))
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))
