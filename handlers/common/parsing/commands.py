"""The `/dialog` commands: what each parses into, and the words (English and Norwegian) that name them."""

from __future__ import annotations

from dataclasses import dataclass

from services.enums import Answer, FollowUpStatus, Tier
from services.i18n import N_
from services.roster_rules import ContactValue


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
    """`roster add "<name>" <tier> [contacts]`: people's ids, addresses, or pairs of both."""

    name: str
    tier: Tier
    contacts: tuple[ContactValue, ...]


@dataclass(frozen=True)
class RosterContact:
    """`roster contact "<name>" <contacts>`: as `roster add`'s, and one person with one address
    is that person's own address."""

    name: str
    contacts: tuple[ContactValue, ...]


@dataclass(frozen=True)
class RosterRemove:
    name: str


@dataclass(frozen=True)
class RosterForm:
    """`roster add` alone (an empty form) or `roster edit "<name>"` (the form holding it)."""

    name: str | None = None


@dataclass(frozen=True)
class Recommend:
    """`recommend ["<meeting-no>"] "<organisation>" <why>`; with no text, the form."""

    name: str = ""
    reason: str = ""
    meeting: int | None = None

    @property
    def wants_modal(self) -> bool:
        return not self.name and not self.reason


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
    """`urgent` with no text opens the form; a start is optional (default: now + notice); after the
    title, `| <link>` and `| <background>` in that order (an empty link: `title || background`)."""

    title: str = ""
    day: str = ""
    at: str = ""
    video_link: str = ""
    background: str = ""

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
    """`minutes <meeting-no>` opens the form; `minutes <meeting-no> final` makes a draft final."""

    number: int
    final: bool = False


@dataclass(frozen=True)
class SetFollowUp:
    """`followup <meeting-no>.<point-no> open|progress|done`: a follow-up point's status."""

    meeting: int
    position: int
    status: FollowUpStatus


@dataclass(frozen=True)
class CommentMinutes:
    """`comment <meeting-no> [text]`: a comment on draft minutes; with no text, the form."""

    number: int
    body: str = ""


@dataclass(frozen=True)
class ShowStats:
    pass


@dataclass(frozen=True)
class Suggest:
    pass


@dataclass(frozen=True)
class Overview:
    """`overview` (`oversikt`): a person's meetings, topics and follow-up points at a glance (Slack's
    Home tab, for platforms that have none)."""


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
    """`cancel <meeting-no> [reason]`: the reason is passed on to everyone invited."""

    number: int
    reason: str = ""


@dataclass(frozen=True)
class Change:
    """`change <meeting-no>` opens the form: title, time, length, video link, chair."""

    number: int


@dataclass(frozen=True)
class MyData:
    """`my data` (`mine data`): everything the bot holds about you, sent to you."""


@dataclass(frozen=True)
class Erase:
    """`erase` (yourself) or `erase @person` (coordinators): asks first; the button erases."""

    user: str | None = None


@dataclass(frozen=True)
class SetLanguage:
    """`language nb|en|auto`; with no value, shows the language in use and why."""

    value: str = ""


Command = (
    SetLanguage | Help | Propose | ListTopics | Support | ListMeetings | Rsvp | ShowRoster | RosterAdd
    | RosterContact | RosterRemove | Schedule | Urgent | Invite | Cancel | Agenda | Decline | Suggest
    | WriteMinutes | ShowStats | RosterForm | Recommend | Change | SetFollowUp | CommentMinutes
    | MyData | Erase | Overview
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
    "change": "change", "endre": "change",
    "urgent": "urgent", "hast": "urgent", "hastemøte": "urgent", "hastemote": "urgent",
    "agenda": "agenda", "dagsorden": "agenda",
    "decline": "decline", "avslå": "decline", "avsla": "decline",
    "suggest": "suggest", "tidsforslag": "suggest",
    "minutes": "minutes", "referat": "minutes",
    "followup": "followup", "follow-up": "followup", "oppfølging": "followup", "oppfolging": "followup",
    "comment": "comment", "kommenter": "comment",
    "stats": "stats", "statistikk": "stats",
    # Not "suggest" (times for a meeting): suggesting an organisation to invite.
    "recommend": "recommend", "anbefal": "recommend",
    "language": "language", "språk": "language", "sprak": "language",
    # Two words: `my data` (`mine data`); the grammar wants "data" after the first.
    "my": "my", "mine": "my",
    "erase": "erase", "slett": "erase",
    "overview": "overview", "oversikt": "overview", "home": "overview", "hjem": "overview",
}
# The Norwegian name of each subcommand, as help and the README list them (ALIASES has them all,
# with ASCII spellings besides).
NORWEGIAN_NAMES = (
    "hjelp", "foreslå", "tema", "støtt", "møter", "svar", "deltakere", "planlegg", "inviter", "endre",
    "avlys", "hast", "dagsorden", "avslå", "tidsforslag", "referat", "statistikk", "anbefal", "språk",
    "oppfølging", "kommenter", "mine", "slett", "oversikt",
)
ENGLISH_NAMES = tuple(dict.fromkeys(name for name in ALIASES.values()))
URGENT_USAGE = N_(
    "`/dialog urgent [[<YYYY-MM-DD>] <HH:MM>] <title> [| <meeting link> [| <background>]]`, e.g. "
    "`/dialog urgent Flooding in Groruddalen` or `/dialog urgent 14:05 Flooding in Groruddalen | "
    "https://meet.example/abc | Basements under water in Haugerud` (today at 14:05)"
)
AGENDA_ADD = {"add", "legg-til", "leggtil", "ny"}
AGENDA_USAGE = N_("`/dialog agenda <meeting-no>` (a form) or `/dialog agenda <meeting-no> add <topic-no>`")
ROSTER_ACTIONS = {
    "add": "add", "ny": "add", "legg-til": "add",
    "contact": "contact", "kontakt": "contact",
    "remove": "remove", "fjern": "remove",
    "edit": "edit", "endre": "edit",
}
ANSWERS = {
    "yes": Answer.YES, "ja": Answer.YES,
    "no": Answer.NO, "nei": Answer.NO,
    "maybe": Answer.MAYBE, "kanskje": Answer.MAYBE,
}

RECOMMEND_USAGE = N_(
    "`/dialog recommend \"<organisation>\" <why>` (or `/dialog recommend <meeting-no> \"<organisation>\" "
    "<why>`), e.g. `/dialog recommend \"Kirkens Bymisjon\" They run the night shelter`; "
    "`/dialog recommend` alone opens a form"
)
FOLLOW_UP_STATUSES = {
    "open": FollowUpStatus.OPEN, "åpen": FollowUpStatus.OPEN, "apen": FollowUpStatus.OPEN,
    "progress": FollowUpStatus.IN_PROGRESS, "in-progress": FollowUpStatus.IN_PROGRESS,
    "pågår": FollowUpStatus.IN_PROGRESS, "pagar": FollowUpStatus.IN_PROGRESS,
    "done": FollowUpStatus.DONE, "ferdig": FollowUpStatus.DONE, "utført": FollowUpStatus.DONE,
    "utfort": FollowUpStatus.DONE,
}
FINAL_WORDS = {"final", "endelig"}
FOLLOW_UP_USAGE = N_("`/dialog followup <meeting-no>.<point-no> open|progress|done`, e.g. "
                     "`/dialog followup 3.2 done`")
COMMENT_USAGE = N_("`/dialog comment <meeting-no> [comment]`, e.g. `/dialog comment 3 Our name is "
                   "misspelt`; with no comment, a form")
MY_DATA_USAGE = N_("`/dialog my data`")
ERASE_USAGE = N_("`/dialog erase` (your own data) or `/dialog erase @person` (coordinators)")
RSVP_USAGE = N_("`/dialog rsvp <meeting-no> yes|no|maybe`, e.g. `/dialog rsvp 2 yes`")
