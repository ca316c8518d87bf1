"""Turn what Slack sends (command text, button values, modal state) into typed values."""

from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, replace
from typing import Any

from handlers.slack import ids
from services.enums import Answer, Tier
from services.errors import InvalidInput
from services.i18n import N_, text
from services.roster import parse_tier
from services.text import clean_line, clean_text, drop_controls


@dataclass(frozen=True)
class Help:
    pass


@dataclass(frozen=True)
class Propose:
    title: str
    details: str

    @property
    def wants_modal(self) -> bool:
        return not self.title and not self.details


@dataclass(frozen=True)
class ListTopics:
    pass


@dataclass(frozen=True)
class Support:
    number: int


@dataclass(frozen=True)
class ListMeetings:
    pass


@dataclass(frozen=True)
class Rsvp:
    number: int
    answer: Answer


@dataclass(frozen=True)
class ShowRoster:
    pass


@dataclass(frozen=True)
class RosterAdd:
    name: str
    tier: Tier
    contacts: tuple[str, ...]


@dataclass(frozen=True)
class RosterContact:
    name: str
    contacts: tuple[str, ...]


@dataclass(frozen=True)
class RosterRemove:
    name: str


@dataclass(frozen=True)
class Schedule:
    """`schedule` with no text opens the form (`day` empty)."""

    day: str = ""
    at: str = ""
    title: str = ""

    @property
    def wants_modal(self) -> bool:
        return not self.day


@dataclass(frozen=True)
class Urgent:
    """`urgent` with no text opens the form; a start is optional (default: now + notice)."""

    title: str = ""
    day: str = ""
    at: str = ""

    @property
    def wants_modal(self) -> bool:
        return not self.title


@dataclass(frozen=True)
class Agenda:
    """`agenda <meeting-no>` opens the form; `agenda <meeting-no> add <topic-no>` adds a topic."""

    number: int
    topic: int | None = None


@dataclass(frozen=True)
class WriteMinutes:
    number: int


@dataclass(frozen=True)
class ShowStats:
    pass


@dataclass(frozen=True)
class Suggest:
    pass


@dataclass(frozen=True)
class Decline:
    number: int
    reason: str


@dataclass(frozen=True)
class Invite:
    number: int
    organisation: str


@dataclass(frozen=True)
class Cancel:
    number: int


Command = (
    Help | Propose | ListTopics | Support | ListMeetings | Rsvp | ShowRoster | RosterAdd
    | RosterContact | RosterRemove | Schedule | Urgent | Invite | Cancel | Agenda | Decline | Suggest
    | WriteMinutes | ShowStats
)

# Each subcommand in English and Norwegian Bokmål (with ASCII spellings for keyboards without æøå).
ALIASES: dict[str, str] = {
    "help": "help", "hjelp": "help", "?": "help",
    "propose": "propose", "foreslå": "propose", "foresla": "propose",
    "topics": "topics", "tema": "topics", "temaer": "topics",
    "support": "support", "støtt": "support", "stott": "support",
    "meetings": "meetings", "møter": "meetings", "moter": "meetings",
    "rsvp": "rsvp", "svar": "rsvp",
    "roster": "roster", "deltakere": "roster",
    "schedule": "schedule", "planlegg": "schedule",
    "invite": "invite", "inviter": "invite",
    "cancel": "cancel", "avlys": "cancel",
    "urgent": "urgent", "hast": "urgent", "hastemøte": "urgent", "hastemote": "urgent",
    "agenda": "agenda", "dagsorden": "agenda",
    "decline": "decline", "avslå": "decline", "avsla": "decline",
    "suggest": "suggest", "tidsforslag": "suggest",
    "minutes": "minutes", "referat": "minutes",
    "stats": "stats", "statistikk": "stats",
}
# The Norwegian name of each subcommand, as help and the README list them (ALIASES has them all,
# with ASCII spellings besides).
NORWEGIAN_NAMES = (
    "hjelp", "foreslå", "tema", "støtt", "møter", "svar", "deltakere", "planlegg", "inviter", "avlys",
    "hast", "dagsorden", "avslå", "tidsforslag", "referat", "statistikk",
)
ENGLISH_NAMES = tuple(dict.fromkeys(name for name in ALIASES.values()))
URGENT_USAGE = N_(
    "`/dialog urgent [[<YYYY-MM-DD>] <HH:MM>] <title>`, e.g. `/dialog urgent Flooding in Groruddalen` "
    "or `/dialog urgent 14:05 Flooding in Groruddalen` (today)"
)
AGENDA_ADD = {"add", "legg-til", "leggtil", "ny"}
AGENDA_USAGE = N_("`/dialog agenda <meeting-no>` (a form) or `/dialog agenda <meeting-no> add <topic-no>`")
ROSTER_ACTIONS = {
    "add": "add", "ny": "add", "legg-til": "add",
    "contact": "contact", "kontakt": "contact",
    "remove": "remove", "fjern": "remove",
}
ANSWERS = {
    "yes": Answer.YES, "ja": Answer.YES,
    "no": Answer.NO, "nei": Answer.NO,
    "maybe": Answer.MAYBE, "kanskje": Answer.MAYBE,
}
# Slack and phones turn straight quotes into typographic ones; all of these quote a name.
_QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "″": '"'})
_MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
_TOKENS = re.compile(r'"([^"]*)"|(\S+)')

RSVP_USAGE = N_("`/dialog rsvp <meeting-no> yes|no|maybe`, e.g. `/dialog rsvp 2 yes`")
_NUMBER = re.compile(r"^#?(\d{1,9})$")


def unescape(value: str) -> str:
    """Undo Slack's escaping of `&`, `<` and `>` in typed text, so it is stored as people typed it
    (and escaped once, on the way out)."""
    return value.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def parse_command(raw: str) -> Command:
    """Parse the text after `/dialog`; raise InvalidInput with a usage hint when it is not valid."""
    # Cleaned before parsing, so an invisible character cannot hide a command word either.
    parsed = _parse(clean_text(raw))
    # Names and titles are free text: unescape them (mentions were parsed from the escaped form),
    # then clean them as one line (no zero-width or bidi characters in a name).
    match parsed:
        case Propose():
            return Propose(_line(parsed.title), clean_text(unescape(parsed.details)))
        case Schedule() | Urgent():
            return replace(parsed, title=_line(parsed.title))
        case RosterAdd() | RosterContact() | RosterRemove():
            return replace(parsed, name=_line(parsed.name))
        case Invite():
            return replace(parsed, organisation=_line(parsed.organisation))
        case Decline():
            return replace(parsed, reason=_line(parsed.reason))
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
                text(N_("I don't know the command `{command}`. Did you mean `{suggestion}`? "
                        "`/dialog help` lists what I can do."), command=word, suggestion=close[0])
            )
        raise InvalidInput(
            text(
                N_("I don't know the command `{command}`. Try `/dialog help` for what I can do."),
                command=word,
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
    if name == "minutes":
        usage = N_("`/dialog minutes <meeting-no>`, e.g. `/dialog minutes 2`")
        return WriteMinutes(parse_number(rest, usage=usage))
    number = parse_number(rest, usage=N_("`/dialog cancel <meeting-no>`, e.g. `/dialog cancel 2`"))
    return Cancel(number)


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
        N_("`/dialog roster add \"<name>\" core|topic|observer [@person …]`, "
           "`/dialog roster contact \"<name>\" @person …` or `/dialog roster remove \"<name>\"`")
    )
    if action is None or len(words) < 2:
        raise InvalidInput(text(N_("Edit the roster like this: {usage}"), usage=usage))
    name = words[1]
    rest_words = words[2:]
    if action == "remove":
        if rest_words:
            raise InvalidInput(text(N_("Put names with spaces in quotes: {usage}"), usage=usage))
        return RosterRemove(name)
    if action == "contact":
        return RosterContact(name, mentioned_users(rest_words))
    if not rest_words:
        raise InvalidInput(text(N_("Say which tier: {usage}"), usage=usage))
    return RosterAdd(name, parse_tier(rest_words[0]), mentioned_users(rest_words[1:]))


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


def _urgent(rest: str) -> Urgent:
    parts = rest.split(maxsplit=2)
    if parts and _LOOKS_LIKE_TIME.match(parts[0]):
        # A time alone means today.
        title = rest.split(maxsplit=1)[1] if len(parts) > 1 else ""
        if not title:
            raise InvalidInput(
                text(N_("Call an urgent meeting like this: {usage}"), usage=text(URGENT_USAGE)))
        return Urgent(title, "today", parts[0])
    if parts and _LOOKS_LIKE_DATE.match(parts[0]):
        if len(parts) < 3:
            raise InvalidInput(
                text(N_("Call an urgent meeting like this: {usage}"), usage=text(URGENT_USAGE)))
        return Urgent(parts[2], parts[0], parts[1])
    return Urgent(rest.strip())


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


def topic_number_from_button(value: str) -> int:
    """The topic number carried by a Support button."""
    return parse_number(value, usage=N_("`/dialog support <topic-no>`, e.g. `/dialog support 3`"))


def meeting_number_from_button(value: str) -> int:
    """The meeting number carried by an RSVP button."""
    return parse_number(value, usage=RSVP_USAGE)


def suggested_invite(value: str) -> tuple[int, str]:
    """The meeting number and organisation name carried by an Invite suggestion button."""
    number, _, organisation = drop_controls(value).partition("|")
    return parse_number(number, usage=N_("`/dialog invite <meeting-no> \"<organisation>\"`")), organisation


def _typed(entered: dict[str, Any]) -> str:
    """What was typed into a text field (a forged request may send something other than text)."""
    value = entered.get("value")
    return value if isinstance(value, str) else ""


def _picked(entered: dict[str, Any]) -> str:
    """The value of the one option chosen in a select (empty when none)."""
    option = entered.get("selected_option")
    value = option.get("value") if isinstance(option, dict) else None
    return drop_controls(value) if isinstance(value, str) else ""


@dataclass(frozen=True)
class ScheduleFormValues:
    title: str
    starts_at: int | None
    duration: str
    video_link: str
    topics: tuple[str, ...]
    organisations: tuple[str, ...]


def schedule_form(view: dict[str, Any]) -> ScheduleFormValues:
    """What was entered in the scheduling (or urgent) modal, as plain values."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        entered = values.get(block, {})
        # The urgent form's organisation pickers carry the recount action id instead.
        return entered.get(ids.INPUT_ACTION) or entered.get(ids.URGENT_RECOUNT) or {}

    def chosen(block: str) -> tuple[str, ...]:
        return tuple(drop_controls(str(o.get("value"))) for o in field(block).get("selected_options") or [])

    stamp = field(ids.SCHEDULE_START).get("selected_date_time")
    return ScheduleFormValues(
        title=clean_line(_typed(field(ids.SCHEDULE_TITLE))),
        starts_at=int(stamp) if isinstance(stamp, int | str) and str(stamp).isdigit() else None,
        duration=drop_controls(str(field(ids.SCHEDULE_DURATION).get("value") or "60")),
        video_link=clean_line(_typed(field(ids.SCHEDULE_LINK))),
        topics=chosen(ids.SCHEDULE_TOPICS),
        organisations=chosen(ids.SCHEDULE_ORGANISATIONS) + chosen(ids.SCHEDULE_OBSERVERS),
    )


@dataclass(frozen=True)
class AgendaFormValues:
    topics: tuple[int, ...]
    talks: tuple[tuple[str, str, str, str], ...]  # (speaker, organisation, subject, minutes) as typed
    rows: tuple[int, ...] = ()  # the form's row (1 or 2) of each talk, to show its errors there


def agenda_form(view: dict[str, Any]) -> AgendaFormValues:
    """The topics picked and the talks typed into the agenda modal (empty talk rows left out)."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        return values.get(block, {}).get(ids.INPUT_ACTION, {}) or {}

    topics = tuple(int(o["value"]) for o in field(ids.AGENDA_TOPICS).get("selected_options") or []
                   if str(o.get("value", "")).isdigit())
    talks, rows = [], []
    for n in range(1, 3):
        speaker = clean_line(_typed(field(f"talk{n}_speaker")))
        organisation = _picked(field(f"talk{n}_organisation"))
        subject = clean_line(_typed(field(f"talk{n}_subject")))
        minutes = drop_controls(str(field(f"talk{n}_minutes").get("value") or ""))
        if speaker.strip() or subject.strip():
            talks.append((speaker, organisation, subject, minutes))
            rows.append(n)
    return AgendaFormValues(topics, tuple(talks), tuple(rows))


@dataclass(frozen=True)
class MinutesFormValues:
    summary: str
    decisions: str
    discussed: tuple[int, ...]
    attendees: tuple[str, ...]
    items: tuple[tuple[int, str, str, str], ...]  # (row, what, owner, due YYYY-MM-DD) as entered


def minutes_form(view: dict[str, Any]) -> MinutesFormValues:
    """What was entered in the minutes modal (empty follow-up rows left out)."""
    values = view.get("state", {}).get("values", {})

    def field(block: str) -> dict[str, Any]:
        return values.get(block, {}).get(ids.INPUT_ACTION, {}) or {}

    items = []
    for n in range(1, ids.MINUTES_ITEMS + 1):
        what = clean_line(_typed(field(f"action_{n}")))
        owner = _picked(field(f"action_{n}_owner"))
        due = drop_controls(str(field(f"action_{n}_due").get("selected_date") or ""))
        if what.strip() or owner or due:
            items.append((n, what, owner, due))
    return MinutesFormValues(
        summary=clean_text(_typed(field(ids.MINUTES_SUMMARY))),
        decisions=clean_text(_typed(field(ids.MINUTES_DECISIONS))),
        discussed=tuple(int(o["value"]) for o in field(ids.MINUTES_DISCUSSED).get("selected_options") or []
                        if str(o.get("value", "")).isdigit()),
        attendees=tuple(drop_controls(str(u))
                        for u in field(ids.MINUTES_ATTENDEES).get("selected_users") or []),
        items=tuple(items),
    )


@dataclass(frozen=True)
class ProposalForm:
    title: str
    details: str


def proposal_form(view: dict[str, Any]) -> ProposalForm:
    """The title and details typed into the proposal modal."""
    values = view.get("state", {}).get("values", {})

    def typed(block: str) -> str:
        return _typed(values.get(block, {}).get(ids.INPUT_ACTION, {}) or {})

    return ProposalForm(clean_line(typed(ids.PROPOSE_TITLE_BLOCK)),
                        clean_text(typed(ids.PROPOSE_DETAILS_BLOCK)))


@dataclass(frozen=True)
class ModalContext:
    """Where the modal was opened from, so the result can be told privately there."""

    channel_id: str = ""
    response_url: str = ""
    meeting: int | None = None

    def dump(self) -> str:
        return json.dumps({"channel_id": self.channel_id, "response_url": self.response_url,
                           "meeting": self.meeting})

    @classmethod
    def load(cls, raw: str) -> ModalContext:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            return cls()
        if not isinstance(data, dict):
            return cls()
        meeting = data.get("meeting")
        return cls(str(data.get("channel_id") or ""), str(data.get("response_url") or ""),
                   meeting if isinstance(meeting, int) else None)
