"""`/dialog help`."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from handlers.common.parsing.commands import ENGLISH_NAMES, NORWEGIAN_NAMES
from handlers.slack.render.common import Rendered, dicts
from handlers.slack.text import literal
from services.i18n import Translator


def help_message(t: Translator, zone: str = "Europe/Oslo") -> Rendered:
    """What `/dialog` can do, for everyone and for coordinators; times are read in `zone`."""
    everyone = [
        (t.gettext("`/dialog propose <title> [| <details>]`"),
         t.gettext("propose a topic (no text: a form)")),
        (t.gettext("`/dialog topics`"), t.gettext("open topics, most supported first")),
        (t.gettext("`/dialog support <topic-no>`"), t.gettext("support a topic")),
        (t.gettext("`/dialog meetings`"), t.gettext("upcoming meetings, your answer, answer buttons")),
        (t.gettext("`/dialog overview`"), t.gettext("your overview: the bot's Home tab")),
        (t.gettext("`/dialog rsvp <meeting-no> yes|no|maybe`"), t.gettext("answer without buttons")),
        (t.gettext("`/dialog roster`"), t.gettext("the organisations, by tier")),
        (t.gettext("`/dialog recommend \"<organisation>\" <why>`"),
         t.gettext("suggest an organisation to invite; a coordinator decides (no text: a form)")),
        (t.gettext("`/dialog followup <meeting-no>.<point-no> open|progress|done`"),
         t.gettext("set a follow-up point's status, for your organisation (coordinators: any, and the "
                   "city's); also with the buttons on the Home tab and the reminder")),
        (t.gettext("`/dialog comment <meeting-no> [comment]`"),
         t.gettext("comment on draft minutes; the coordinators are told (no text: a form)")),
        (t.gettext("`/dialog language nb|en`"),
         t.gettext("your language, Norwegian or English (also on the Home tab)")),
        (t.gettext("`/dialog my data`"), t.gettext("everything the bot holds about you, sent to you")),
        (t.gettext("`/dialog erase`"), t.gettext("erase your data, after a question")),
        (t.gettext("`/dialog help`"), t.gettext("this help")),
    ]
    coordinators = [
        (t.gettext("`/dialog schedule <YYYY-MM-DD> <HH:MM> <title>`"),
         t.gettext("schedule a meeting (no text: a form); invitations go out ahead of it")),
        (t.gettext("`/dialog invite <meeting-no> \"<organisation>\"`"),
         t.gettext("invite one more organisation")),
        (t.gettext("`/dialog urgent [[<YYYY-MM-DD>] <HH:MM>] <title> [| <meeting link> [| <background>]]`"),
         t.gettext("call an urgent meeting: invitations go out at once, with the link and background, and "
                   "your progress report (who answered, who is silent, who cannot be reached, a nudge "
                   "button) comes in your DM with the bot (a time alone means today; no text: a form)")),
        (t.gettext("`/dialog change <meeting-no>`"),
         t.gettext("change the title, time, length, video link or chair in a form; every copy follows and "
                   "those already invited are told what changed")),
        (t.gettext("`/dialog cancel <meeting-no> [reason]`"),
         t.gettext("cancel a meeting and tell the invitees, with the reason")),
        (t.gettext("`/dialog agenda <meeting-no>`"), t.gettext("topics and up to two talks, in a form")),
        (t.gettext("`/dialog agenda <meeting-no> add <topic-no>`"), t.gettext("put a topic on the agenda")),
        (t.gettext("`/dialog suggest`"),
         t.gettext("the best times for the core organisations, far enough ahead to invite on time")),
        (t.gettext("`/dialog stats`"), t.gettext("attendance, answer rates, representation, proposals")),
        (t.gettext("`/dialog minutes <meeting-no>`"),
         t.gettext("write the minutes: to the channel, everyone invited and who follows up what (first "
                   "as a draft for comments when a review period is set)")),
        (t.gettext("`/dialog minutes <meeting-no> final`"),
         t.gettext("make draft minutes final now; they go to everyone invited")),
        (t.gettext("`/dialog decline <topic-no> <reason>`"),
         t.gettext("decline a topic; the proposer is told why")),
        (t.gettext("`/dialog roster add \"<name>\" core|topic|observer [@person …] [address@example.org …]`"),
         t.gettext("add an organisation with its contacts: people here, or e-mail addresses "
                   "(`@person=address@example.org`: someone here with their own address)")),
        (t.gettext("`/dialog roster add` · `/dialog roster edit \"<name>\"`"),
         t.gettext("the roster form: tier, contacts, perspectives, time of day, language, keywords "
                   "(also on the Home tab)")),
        (t.gettext("`/dialog roster contact \"<name>\" @person|address@example.org …`"),
         t.gettext("add contacts (`@person address@example.org`: their own address, for what Slack "
                   "cannot deliver)")),
        (t.gettext("`/dialog roster remove \"<name>\"`"), t.gettext("take an organisation off the roster")),
        (t.gettext("`/dialog erase @person`"),
         t.gettext("erase someone's data on request, after a question (`bot.py person export` gives "
                   "it as JSON)")),
    ]
    intro = t.gettext(
        "Dialogbot runs the dialogue meetings between the city's political leadership and "
        "civil society. Both sides propose topics."
    )
    if t.language == "nb":
        other = t.gettext("The English command words work too: {names}.").format(
            names=", ".join(f"`{name}`" for name in ENGLISH_NAMES))
    else:
        other = t.gettext("Norwegian works too: {names}.").format(
            names=", ".join(f"`{name}`" for name in NORWEGIAN_NAMES))
    clock = t.gettext("Times you type are read in {zone} (the dialogue's time zone), whatever your own "
                      "zone; the bot shows each reader times in their own.").format(zone=zone)

    def listing(rows: list[tuple[str, str]]) -> str:
        return "\n".join(f"• {literal(usage)}: {what}" for usage, what in rows)

    blocks = [
        SectionBlock(text=MarkdownTextObject(text=intro)),
        SectionBlock(text=MarkdownTextObject(text=listing(everyone))),
        SectionBlock(text=MarkdownTextObject(text="*" + t.gettext("For coordinators") + "*\n"
                                             + listing(coordinators))),
        ContextBlock(elements=[MarkdownTextObject(text=other), MarkdownTextObject(text=clock)]),
    ]
    return Rendered(intro, dicts(blocks))
