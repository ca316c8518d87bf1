"""The `/dialog` grammar: command text becomes a Command, or InvalidInput with a usage hint."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace

from handlers.common.parsing.commands import (
    AGENDA_ADD,
    AGENDA_USAGE,
    ALIASES,
    ANSWERS,
    COMMENT_USAGE,
    ERASE_USAGE,
    FINAL_WORDS,
    FOLLOW_UP_STATUSES,
    FOLLOW_UP_USAGE,
    MY_DATA_USAGE,
    RECOMMEND_USAGE,
    ROSTER_ACTIONS,
    RSVP_USAGE,
    URGENT_USAGE,
    Agenda,
    Cancel,
    Change,
    Command,
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
from handlers.common.parsing.contacts import MENTION, roster_contacts, unescape
from services.errors import InvalidInput
from services.i18n import N_, Hint, text
from services.i18n import Command as Named
from services.roster import parse_tier
from services.text import clean_line, clean_text

# Slack and phones turn straight quotes into typographic ones; all of these quote a name.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})
_MENTION = MENTION
_TOKENS = re.compile(r'"([^"]*)"|(\S+)')
_NUMBER = re.compile(r"^#?(\d{1,9})$")


def parse_command(raw: str) -> Command:
    """Parse the text after `/dialog`; raise InvalidInput with a usage hint when it is not valid."""
    # Cleaned before parsing, so an invisible character cannot hide a command word either.
    parsed = _parse(clean_text(raw))
    # Names and titles are free text: unescape them (mentions were parsed from the escaped form),
    # then clean them as one line (no zero-width or bidi characters in a name).
    match parsed:
        case Propose():
            return Propose(_line(parsed.title), clean_text(unescape(parsed.details)))
        case Urgent():
            return replace(parsed, title=_line(parsed.title), video_link=_line(parsed.video_link),
                           background=_line(parsed.background))
        case Schedule():
            return replace(parsed, title=_line(parsed.title))
        case RosterAdd() | RosterContact() | RosterRemove():
            return replace(parsed, name=_line(parsed.name))
        case RosterForm() if parsed.name is not None:
            return replace(parsed, name=_line(parsed.name))
        case Recommend():
            return replace(parsed, name=_line(parsed.name), reason=_line(parsed.reason))
        case Invite():
            return replace(parsed, organisation=_line(parsed.organisation))
        case Decline() | Cancel():
            return replace(parsed, reason=_line(parsed.reason))
        case CommentMinutes():
            return replace(parsed, body=clean_text(unescape(parsed.body)).strip())
    return parsed


def _line(value: str) -> str:
    return clean_line(unescape(value))


def _parse(raw: str) -> Command:
    stripped = raw.strip()
    if not stripped:
        return Help()
    word, _, rest = stripped.partition(" ")
    name = ALIASES.get(word.casefold())
    rest = rest.strip()
    if name is None:
        close = difflib.get_close_matches(word.casefold(), [a for a in ALIASES if a != "?"], n=1, cutoff=0.6)
        if close:
            raise InvalidInput(
                text(N_("I don't know the command `{command}`. Did you mean `{suggestion}`? {help} lists "
                        "what I can do."), command=word, suggestion=close[0], help=Hint(Named.HELP))
            )
        raise InvalidInput(
            text(
                N_("I don't know the command `{command}`. Try {help} for what I can do."),
                command=word, help=Hint(Named.HELP),
            )
        )
    if name == "help":
        return Help()
    if name == "topics":
        return ListTopics()
    if name == "support":
        return Support(parse_number(rest, usage=N_("`/dialog support <topic-no>`, e.g. `/dialog support 3`")))
    if name == "propose":
        title, details = split_details(rest)
        return Propose(title.strip(), details.strip())
    if name == "meetings":
        return ListMeetings()
    if name == "rsvp":
        return _rsvp(rest)
    if name == "roster":
        return _roster(rest)
    if name == "schedule":
        return _schedule(rest)
    if name == "invite":
        return _invite(rest)
    if name == "urgent":
        return _urgent(rest)
    if name == "agenda":
        return _agenda(rest)
    if name == "decline":
        return _decline(rest)
    if name == "suggest":
        return Suggest()
    if name == "stats":
        return ShowStats()
    if name == "overview":
        return Overview()
    if name == "recommend":
        return _recommend(rest)
    if name == "my":
        return _my_data(rest)
    if name == "erase":
        return _erase(rest)
    if name == "language":
        # The service reads the value (and refuses what is not a language, listing the choices).
        return SetLanguage(rest)
    if name == "minutes":
        usage = N_("`/dialog minutes <meeting-no> [final]`, e.g. `/dialog minutes 2`")
        number, _, final = rest.partition(" ")
        if final.strip() and final.strip().casefold() not in FINAL_WORDS:
            raise InvalidInput(text(N_("That needs a number, like this: {usage}"), usage=text(usage)))
        return WriteMinutes(parse_number(number, usage=usage), final=bool(final.strip()))
    if name == "followup":
        return _follow_up(rest)
    if name == "comment":
        number, _, body = rest.partition(" ")
        return CommentMinutes(parse_number(number, usage=COMMENT_USAGE), body.strip())
    if name == "change":
        return Change(parse_number(rest, usage=N_("`/dialog change <meeting-no>`, e.g. `/dialog change 2`")))
    # Anything after the number is the reason, passed on to everyone invited.
    number, _, reason = rest.partition(" ")
    usage = N_("`/dialog cancel <meeting-no> [reason]`, e.g. `/dialog cancel 2 Too few could come`")
    return Cancel(parse_number(number, usage=usage), reason.strip())


# A Slack control sequence or link, as Slack sends it (`<…>`) or as typed text arrives escaped
# (`&lt;…&gt;`): a `|` inside one is the link's label separator, never the title/details one.
_BRACKETED = re.compile(r"<[^<>]*>|&lt;.*?&gt;")


def split_details(rest: str) -> tuple[str, str]:
    """`<title> | <details>`: split at the first `|` outside any `<…>`."""
    position = 0
    while True:
        bar = rest.find("|", position)
        if bar < 0:
            return rest, ""
        inside = next((m for m in _BRACKETED.finditer(rest) if m.start() < bar < m.end()), None)
        if inside is None:
            return rest[:bar], rest[bar + 1:]
        position = inside.end()


def tokens(rest: str) -> list[str]:
    """Split command text into words; a "quoted name" (straight or typographic quotes) is one word."""
    return [
        match.group(1) if match.group(1) is not None else match.group(2)
        for match in _TOKENS.finditer(rest.translate(_QUOTES))
    ]


def mentioned_users(words: list[str]) -> tuple[str, ...]:
    """User ids from Slack's escaped mentions (`<@U123>` or `<@U123|name>`); anything else is refused."""
    found = []
    for word in words:
        match = _MENTION.match(word)
        if match is None:
            raise InvalidInput(
                text(N_("“{word}” is not a person. Mention people with @, e.g. @kari."), word=word)
            )
        found.append(match.group(1))
    return tuple(dict.fromkeys(found))


def _my_data(rest: str) -> MyData:
    if rest.casefold() != "data":
        raise InvalidInput(text(N_("Ask for your data like this: {usage}"), usage=text(MY_DATA_USAGE)))
    return MyData()


def _erase(rest: str) -> Erase:
    words = tokens(rest)
    if len(words) > 1:
        raise InvalidInput(text(N_("Erase one person at a time: {usage}"), usage=text(ERASE_USAGE)))
    return Erase(mentioned_users(words)[0] if words else None)


def _rsvp(rest: str) -> Rsvp:
    parts = rest.split()
    if len(parts) != 2 or parts[1].casefold() not in ANSWERS:
        raise InvalidInput(text(N_("Answer like this: {usage}"), usage=text(RSVP_USAGE)))
    return Rsvp(parse_number(parts[0], usage=RSVP_USAGE), ANSWERS[parts[1].casefold()])


def _roster(rest: str) -> Command:
    words = tokens(rest)
    if not words:
        return ShowRoster()
    action = ROSTER_ACTIONS.get(words[0].casefold())
    usage = text(
        N_("`/dialog roster add \"<name>\" core|topic|observer [@person …] [address@example.org …] "
           "[@person=address@example.org …]` (`/dialog roster add` alone: a form), `/dialog roster edit "
           "\"<name>\"` (a form), `/dialog roster contact \"<name>\" @person|address@example.org …` "
           "(`@person address@example.org`: their own address) or `/dialog roster remove \"<name>\"`")
    )
    if action == "add" and len(words) == 1:
        return RosterForm()
    if action is None or len(words) < 2:
        raise InvalidInput(text(N_("Edit the roster like this: {usage}"), usage=usage))
    name = words[1]
    rest_words = words[2:]
    if action in ("remove", "edit"):
        if rest_words:
            raise InvalidInput(text(N_("Put names with spaces in quotes: {usage}"), usage=usage))
        return RosterRemove(name) if action == "remove" else RosterForm(name)
    if action == "contact":
        return RosterContact(name, roster_contacts(rest_words, pairs_by_position=True))
    if not rest_words:
        raise InvalidInput(text(N_("Say which tier: {usage}"), usage=usage))
    return RosterAdd(name, parse_tier(rest_words[0]), roster_contacts(rest_words[1:]))


def _recommend(rest: str) -> Recommend:
    """`"<organisation>" <why>`, optionally after the meeting's number; a name with spaces is quoted."""
    remaining = rest.translate(_QUOTES).strip()
    if not remaining:
        return Recommend()
    meeting = None
    first = _TOKENS.match(remaining)
    if first is not None and first.group(2) and _NUMBER.match(first.group(2)) \
            and remaining[first.end():].strip():
        meeting = parse_number(first.group(2), usage=RECOMMEND_USAGE)
        remaining = remaining[first.end():].strip()
    named = _TOKENS.match(remaining)
    if named is None or not (named.group(1) or named.group(2) or "").strip():
        raise InvalidInput(text(N_("Suggest an organisation like this: {usage}"),
                                usage=text(RECOMMEND_USAGE)))
    name = named.group(1) if named.group(1) is not None else named.group(2)
    return Recommend(name.strip(), remaining[named.end():].strip(), meeting)


def _schedule(rest: str) -> Schedule:
    if not rest:
        return Schedule()
    parts = rest.split(maxsplit=2)
    if len(parts) < 3:
        raise InvalidInput(
            text(N_("Schedule like this: {usage}"),
                 usage=text(N_("`/dialog schedule <YYYY-MM-DD> <HH:MM> <title>`, e.g. "
                               "`/dialog schedule 2026-03-14 14:00 Housing`"))),
        )
    return Schedule(parts[0], parts[1], parts[2])


def _agenda(rest: str) -> Agenda:
    parts = rest.split()
    if len(parts) == 1:
        return Agenda(parse_number(parts[0], usage=AGENDA_USAGE))
    if len(parts) == 3 and parts[1].casefold() in AGENDA_ADD:
        return Agenda(parse_number(parts[0], usage=AGENDA_USAGE), parse_number(parts[2], usage=AGENDA_USAGE))
    raise InvalidInput(text(N_("Build the agenda like this: {usage}"), usage=text(AGENDA_USAGE)))


def _decline(rest: str) -> Decline:
    number, _, reason = rest.partition(" ")
    usage = N_("`/dialog decline <topic-no> <reason>`, e.g. `/dialog decline 4 Covered by the hearing`")
    return Decline(parse_number(number, usage=usage), reason.strip())


_LOOKS_LIKE_DATE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")


_LOOKS_LIKE_TIME = re.compile(r"^\d{1,2}[:.]\d{2}$")


# A link as Slack sends it in escaped command text: `<https://…>` or `<https://…|label>`.
_SLACK_LINK = re.compile(r"^<([^<>|]+)(?:\|[^<>]*)?>$")


def _urgent(rest: str) -> Urgent:
    # `<when and title> | <link> | <background>`, by position: the second part is always the
    # link (empty: `title || background`), the rest the background, so neither is guessed at.
    head, tail = split_details(rest)
    link, background = split_details(tail)
    link = link.strip()
    found = _SLACK_LINK.match(link)
    if found is not None:
        link = found.group(1)
    head = head.strip()
    if not head and (link or background.strip()):
        raise InvalidInput(text(N_("Call an urgent meeting like this: {usage}"), usage=text(URGENT_USAGE)))
    extra = {"video_link": link, "background": background.strip()}
    parts = head.split(maxsplit=2)
    if parts and _LOOKS_LIKE_TIME.match(parts[0]):
        # A time alone: the service takes it as today, in its zone.
        title = head.split(maxsplit=1)[1] if len(parts) > 1 else ""
        if not title:
            raise InvalidInput(
                text(N_("Call an urgent meeting like this: {usage}"), usage=text(URGENT_USAGE)))
        return Urgent(title, "", parts[0], **extra)
    if parts and _LOOKS_LIKE_DATE.match(parts[0]):
        if len(parts) < 3:
            raise InvalidInput(
                text(N_("Call an urgent meeting like this: {usage}"), usage=text(URGENT_USAGE)))
        return Urgent(parts[2], parts[0], parts[1], **extra)
    return Urgent(head, **extra)


_POINT = re.compile(r"^#?(\d{1,9})[.,:](\d{1,3})$")


def _follow_up(rest: str) -> SetFollowUp:
    """`<meeting-no>.<point-no> open|progress|done`."""
    parts = rest.split()
    point = _POINT.match(parts[0]) if parts else None
    if len(parts) != 2 or point is None or parts[1].casefold() not in FOLLOW_UP_STATUSES:
        raise InvalidInput(text(N_("Set a follow-up point's status like this: {usage}"),
                                usage=text(FOLLOW_UP_USAGE)))
    return SetFollowUp(int(point.group(1)), int(point.group(2)), FOLLOW_UP_STATUSES[parts[1].casefold()])


def _invite(rest: str) -> Invite:
    usage = N_("`/dialog invite <meeting-no> \"<organisation>\"`, e.g. `/dialog invite 2 \"Red Cross\"`")
    words = tokens(rest)
    if len(words) != 2:
        raise InvalidInput(text(N_("Invite like this: {usage}"), usage=text(usage)))
    return Invite(parse_number(words[0], usage=usage), words[1])


def parse_number(value: str, *, usage: str) -> int:
    """A topic or meeting number as people type it (`3` or `#3`)."""
    match = _NUMBER.match(value.strip())
    if not match or int(match.group(1)) == 0:
        raise InvalidInput(
            text(N_("That needs a number, like this: {usage}"), usage=text(usage))
        )
    return int(match.group(1))

