"""`help` in Teams, and the answer to a command that opens a form in Slack: commands as people write
them to the bot (no `/dialog`), with the command words in the reader's language."""

from __future__ import annotations

from functools import partial

from handlers.common.parsing.commands import ENGLISH_NAMES, NORWEGIAN_NAMES
from handlers.teams.render.common import Card, adaptive_card, text_block
from handlers.teams.render.parts import bold, note
from services.i18n import Translator

BOT = "@Dialogbot"
# The Norwegian word for each word of the grammar help shows (handlers/common/parsing/commands.py
# and services/roster_rules.py take both languages' words; English works in Norwegian too).
NORWEGIAN_WORDS: dict[str, str] = {
    "help": "hjelp", "propose": "foreslå", "topics": "tema", "support": "støtt", "meetings": "møter",
    "rsvp": "svar", "roster": "deltakere", "schedule": "planlegg", "invite": "inviter", "urgent": "hast",
    "agenda": "dagsorden", "decline": "avslå", "suggest": "tidsforslag", "minutes": "referat",
    "stats": "statistikk", "recommend": "anbefal", "language": "språk", "followup": "oppfølging",
    "comment": "kommenter", "my data": "mine data", "setup": "oppsett",
    "overview": "oversikt",
    # Words after the command: agenda's `add`, the roster's actions, answers, tiers, statuses.
    "agenda add": "legg-til", "roster add": "ny", "roster contact": "kontakt", "roster remove": "fjern",
    "yes": "ja", "no": "nei", "maybe": "kanskje", "core": "fast", "topic": "tema", "observer": "observatør",
    "open": "åpen", "progress": "pågår", "done": "ferdig", "final": "endelig",
}


# Keys naming a word after its command (`roster add`: the `add` of `roster add`).
_AFTER = {"agenda add": "add", "roster add": "add", "roster contact": "contact", "roster remove": "remove"}


def word(t: Translator, english: str) -> str:
    """A word of the grammar as a reader in `t`'s language writes it."""
    if t.language == "nb" and english in NORWEGIAN_WORDS:
        return NORWEGIAN_WORDS[english]
    return _AFTER.get(english, english)


def choices(t: Translator, *options: str) -> str:
    """`yes|no|maybe`, in the reader's words."""
    return "|".join(word(t, option) for option in options)


def usage(*parts: str) -> str:
    """A command as written to the bot, in bold (Adaptive Cards markdown has no code spans). The
    parts are ours: words of the grammar and translated placeholders, never user text."""
    return "**" + " ".join(part for part in parts if part) + "**"


def _everyone(t: Translator) -> list[tuple[str, str]]:
    w = partial(word, t)
    return [
        (usage(w("propose"), t.gettext("<title> [| <details>]")), t.gettext("propose a topic")),
        (usage(w("topics")), t.gettext("open topics, most supported first")),
        (usage(w("support"), t.gettext("<topic-no>")), t.gettext("support a topic")),
        (usage(w("meetings")), t.gettext("upcoming meetings, your answer, answer buttons")),
        (usage(w("overview")), t.gettext("your meetings, topics and follow-up points (coordinators: also "
                                         "suggestions and what could not be delivered)")),
        (usage(w("rsvp"), t.gettext("<meeting-no>"), choices(t, "yes", "no", "maybe")),
         t.gettext("answer without buttons")),
        (usage(w("roster")), t.gettext("the organisations, by tier")),
        (usage(w("recommend"), t.gettext("\"<organisation>\" <why>")),
         t.gettext("suggest an organisation to invite; a coordinator decides")),
        (usage(w("followup"), t.gettext("<meeting-no>.<point-no>"), choices(t, "open", "progress", "done")),
         t.gettext("set a follow-up point's status, for your organisation (coordinators: any, and the "
                   "city's); also with the buttons on the reminder")),
        (usage(w("comment"), t.gettext("<meeting-no> <comment>")),
         t.gettext("comment on draft minutes; the coordinators are told")),
        (usage(w("language"), "nb|en|auto"), t.gettext("your language: Norwegian, English, or your "
                                                       "organisation's")),
        (usage(w("my data")), t.gettext("everything the bot holds about you, sent to you")),
        (usage(w("help")), t.gettext("this help")),
    ]


def _coordinators(t: Translator) -> list[tuple[str, str]]:
    w = partial(word, t)
    return [
        (usage(BOT, w("setup")),
         t.gettext("written in a channel, makes it the dialogue channel: proposals, invitations and "
                   "minutes are posted there")),
        (usage(w("schedule"), t.gettext("<YYYY-MM-DD> <HH:MM> <title>")),
         t.gettext("schedule a meeting; invitations go out ahead of it")),
        (usage(w("invite"), t.gettext("<meeting-no> \"<organisation>\"")),
         t.gettext("invite one more organisation")),
        (usage(w("urgent"),
               t.gettext("[[<YYYY-MM-DD>] <HH:MM>] <title> [| <meeting link> [| <background>]]")),
         t.gettext("call an urgent meeting: invitations go out at once, with the link and background, and "
                   "your progress report (who answered, who is silent, who cannot be reached, a nudge "
                   "button) comes in your chat with the bot (a time alone means today)")),
        (usage(w("agenda"), t.gettext("<meeting-no>"), w("agenda add"), t.gettext("<topic-no>")),
         t.gettext("put a topic on the agenda")),
        (usage(w("suggest")),
         t.gettext("the best times for the core organisations, far enough ahead to invite on time")),
        (usage(w("stats")), t.gettext("attendance, answer rates, representation, proposals")),
        (usage(w("minutes"), t.gettext("<meeting-no>"), w("final")),
         t.gettext("make draft minutes final now; they go to everyone invited")),
        (usage(w("decline"), t.gettext("<topic-no> <reason>")),
         t.gettext("decline a topic; the proposer is told why")),
        (usage(w("roster"), w("roster add"), t.gettext("\"<name>\""), choices(t, "core", "topic", "observer"),
               t.gettext("[@person …] [address@example.org …]")),
         t.gettext("add an organisation with its contacts: people here, or e-mail addresses "
                   "(**@person=address@example.org**: someone here with their own address)")),
        (usage(w("roster"), w("roster contact"), t.gettext("\"<name>\" @person|address@example.org …")),
         t.gettext("add contacts (**@person address@example.org**: their own address, for what Teams "
                   "cannot deliver)")),
        (usage(w("roster"), w("roster remove"), t.gettext("\"<name>\"")),
         t.gettext("take an organisation off the roster")),
    ]


def _listing(rows: list[tuple[str, str]]) -> str:
    # One markdown list: Teams shows a bullet per line.
    return "\n".join(f"- {usage_text}: {what}" for usage_text, what in rows)


def help_message(t: Translator, zone: str) -> Card:
    """What the bot does in Teams, for everyone and for coordinators; typed times are read in `zone`."""
    intro = t.gettext(
        "Dialogbot runs the dialogue meetings between the city's political leadership and "
        "civil society. Both sides propose topics."
    )
    how = t.gettext("Write a command to the bot in your chat with it, e.g. {example}; in a channel, mention "
                    "the bot first: {mentioned}.").format(example=usage(word(t, "topics")),
                                                          mentioned=usage(BOT, word(t, "topics")))
    if t.language == "nb":
        other = t.gettext("The English command words work too: {names}.").format(
            names=", ".join(usage(name) for name in ENGLISH_NAMES))
    else:
        other = t.gettext("Norwegian works too: {names}.").format(
            names=", ".join(usage(name) for name in NORWEGIAN_NAMES))
    clock = t.gettext("Times you type are read in {zone} (the dialogue's time zone), whatever your own "
                      "zone; the bot shows each reader times in their own.").format(zone=zone)
    body = [
        text_block(intro),
        text_block(how),
        text_block(_listing(_everyone(t))),
        bold(t.gettext("For coordinators")),
        text_block(_listing(_coordinators(t))),
        note(other),
        note(clock),
    ]
    return Card(text=intro, card=adaptive_card(body, fallback=intro))


def not_in_teams_yet(t: Translator, example: str) -> Card:
    """A command that opens a form in Slack: Teams has no forms yet, so say how to write it whole.
    `example` is the caller's own usage text (never what the person typed)."""
    line = t.gettext("Teams has no forms from Dialogbot yet: write this command with its text, e.g. "
                     "{example}. {help} lists what works here.").format(
        example=usage(example), help=usage(word(t, "help")))
    return Card(text=line, card=adaptive_card([text_block(line)], fallback=line))
