"""Words every Teams card uses alike: dates in the reader's language, answers, the live tally, people,
follow-up points and command hints. Text people typed comes back escaped (`md`); ours is trusted."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from handlers.teams.render.common import md
from services.enums import Answer, FollowUpStatus, Side
from services.i18n import N_, Command, Hint, HintStyle, Translator
from services.messages import ActionItemView, MeetingCard, Talk, Tally
from services.people import EMAIL, PersonRef

_BABEL_LOCALES = {"en": "en_GB", "nb": "nb_NO"}
# The zone Norwegian text need not name: the dialogue's own, where its Norwegian readers are.
_NORWEGIAN_ZONE = "Europe/Oslo"

STATUS_WORDS = {
    FollowUpStatus.OPEN: N_("open"),
    FollowUpStatus.IN_PROGRESS: N_("in progress"),
    FollowUpStatus.DONE: N_("done"),
}
_MARKS = {FollowUpStatus.OPEN: "○", FollowUpStatus.IN_PROGRESS: "◐", FollowUpStatus.DONE: "●"}

# The Norwegian word for each command people are pointed to (the shared grammar in
# handlers/common/parsing/commands.py takes both languages' words).
_NORWEGIAN: dict[Command, str] = {
    Command.HELP: "hjelp",
    Command.TOPICS: "tema",
    Command.PROPOSE: "foreslå",
    Command.SUPPORT: "støtt",
    Command.DECLINE: "avslå",
    Command.MEETINGS: "møter",
    Command.ROSTER: "deltakere",
    Command.ROSTER_CONTACT: "deltakere kontakt",
    Command.ROSTER_EDIT: "deltakere endre",
    Command.RECOMMEND: "anbefal",
    Command.INVITE: "inviter",
    Command.MY_DATA: "mine data",
    Command.ERASE: "slett",
}


def _locale(language: str) -> str:
    return _BABEL_LOCALES.get(language, "en_GB")


def local_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A date and time written out in `zone` and the reader's language: "Monday, 16 March 2026 14:00
    (Europe/Oslo)", "mandag 16. mars 2026 kl. 14:00" (the same words as Slack's and e-mail's)."""
    day = format_date(moment.astimezone(zone), "full", locale=_locale(language))
    clock = format_time(moment, "HH:mm", tzinfo=zone, locale=_locale(language))
    if language == "nb":
        return f"{day} kl. {clock}" + ("" if zone.key == _NORWEGIAN_ZONE else f" ({zone.key})")
    return f"{day} {clock} ({zone.key})"


def long_date(day: date, language: str) -> str:
    """A calendar date in words (16 March 2027, 16. mars 2027)."""
    return format_date(day, "long", locale=_locale(language))


def minutes_phrase(t: Translator, count: int) -> str:
    """`45 minutes`."""
    return t.ngettext("{count} minute", "{count} minutes", count).format(count=count)


def when_and_length(t: Translator, card: MeetingCard, zone: ZoneInfo) -> str:
    """The meeting's start and length: `Monday, 16 March 2026 14:00 (Europe/Oslo) · 60 minutes`."""
    return f"{local_time(card.starts_at, zone, t.language)} · {minutes_phrase(t, card.duration_minutes)}"


def answer_word(t: Translator, answer: Answer | None) -> str:
    """How an RSVP answer (or none yet) reads."""
    words = {Answer.YES: t.gettext("Attending"), Answer.NO: t.gettext("Not attending"),
             Answer.MAYBE: t.gettext("Maybe")}
    return words[answer] if answer is not None else t.gettext("No answer yet")


def tally_lines(t: Translator, tally: Tally) -> list[str]:
    """The live tally in Slack's words, line by line: `Attending: 3 · Not attending: 1 · Maybe: 0 ·
    No answer yet: 2`, then the organisations (and observers) attending."""
    people = t.gettext("Attending: {yes} · Not attending: {no} · Maybe: {maybe}").format(
        yes=tally.yes, no=tally.no, maybe=tally.maybe)
    waiting = t.gettext("No answer yet: {count}").format(count=tally.waiting)
    organisations = t.gettext("Organisations attending: {yes} of {invited}").format(
        yes=tally.organisations_yes, invited=tally.organisations_invited)
    if tally.observers_invited:
        organisations += " · " + t.gettext("Observers listening in: {yes} of {invited}").format(
            yes=tally.observers_yes, invited=tally.observers_invited)
    return [f"{people} · {waiting}", organisations]


def person_words(t: Translator, person: PersonRef | None) -> str:
    """A person named to a coordinator (markdown): an e-mail contact by their address. The services'
    messages carry no display name for a chat person, and a Teams mention needs one, so a chat
    person is said to be one."""
    if person is None:
        return t.gettext("A person (since erased)")
    return md(person.user_id) if person.platform == EMAIL else t.gettext("A contact in chat")


def speaker(talk: Talk) -> str:
    """A talk's speaker (markdown): the name or role as typed, with their organisation; a person
    picked without a name typed is shown by their organisation (the message carries no name)."""
    name = talk.speaker.strip()
    if name and talk.organisation:
        return f"{md(name)} ({md(talk.organisation)})"
    return md(name or talk.organisation or "—")


def chair(card: MeetingCard) -> str | None:
    """The chair as typed (markdown), or None when no name is given."""
    return md(card.chair) if card.chair else None


def side_label(t: Translator, side: Side) -> str:
    """How a side reads in a byline: the city, civil society or a public agency."""
    return {
        Side.CITY: t.gettext("city"),
        Side.CIVIL_SOCIETY: t.gettext("civil society"),
        Side.AGENCY: t.gettext("public agency"),
    }[side]


def owner_words(t: Translator, item: ActionItemView) -> str:
    """Who owns a follow-up point (markdown): the city, an organisation, or a public agency."""
    if item.owner is None:
        return t.gettext("the city")
    if item.owner_side == Side.AGENCY:
        return t.gettext("{name} (public agency)").format(name=md(item.owner))
    return md(item.owner)


def status_word(t: Translator, status: FollowUpStatus) -> str:
    """A follow-up point's status in words."""
    return t.gettext(STATUS_WORDS[status])


def point_line(t: Translator, item: ActionItemView) -> str:
    """`○ **3.2** Find volunteers: Caritas, by 30 March 2026 · _open_` (markdown)."""
    due = long_date(item.due_on, t.language)
    what = t.gettext("{what}: {owner}, by {due}").format(what=md(item.description),
                                                         owner=owner_words(t, item), due=due)
    return f"{_MARKS[item.status]} **{item.ref}** {what} · _{status_word(t, item.status)}_"


def teams_hint(t: Translator) -> HintStyle:
    """Hints as the words a reader writes to the bot in Teams, in bold: **mine data** in Norwegian."""

    def style(hint: Hint, args: tuple[str, ...]) -> str:
        word = _NORWEGIAN.get(hint.command, hint.command.value) if t.language == "nb" else hint.command.value
        return "**" + " ".join((word, *args)) + "**"

    return style


def hint(t: Translator, command: Command, *args: str) -> str:
    """One command as a Teams reader writes it (markdown)."""
    return teams_hint(t)(Hint(command), args)


def web_url(url: str | None) -> str | None:
    """`url` when it is an http(s) address a button may open, else None (shown as text instead)."""
    if not url or any(char.isspace() for char in url):
        return None
    parts = urlsplit(url)
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def calendar_url(public_url: str, card: MeetingCard) -> str | None:
    """The address of a meeting's .ics file, when the bot has a public address."""
    if not public_url or not card.calendar_token:
        return None
    return f"{public_url.rstrip('/')}/calendar/{card.calendar_token}.ics"
