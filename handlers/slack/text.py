"""Slack text helpers: escaping what people typed, and mentions."""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time

from handlers.slack.hints import slack_hint
from services.i18n import Text, Translator
from services.people import EMAIL, PersonRef

_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
# Slack has no escape for its emphasis markers, so in what people typed each becomes a
# look-alike that Slack does not read as markup (the choice jsx-slack's <Escape> makes).
_MARKERS = {"*": "\u2217", "_": "\u02cd", "~": "\u223c", "`": "\u02cb"}
_WORD = re.compile(r"[^\W_]")  # a letter or digit
# Web and mail addresses are left whole: Slack links them itself, and a look-alike would change
# where the link goes.
_ADDRESS = re.compile(r"^(?:https?://|mailto:|www\.)\S+$|^[^\s@]+@[^\s@]+\.\w+$", re.IGNORECASE)
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}$")


def entities(text: str) -> str:
    """Replace `&`, `<` and `>` with Slack's entities, so nothing in `text` is read as a control
    sequence (`<!channel>`, `<@U1>`, `<https://…|…>`). Every text field Slack shows, plain_text
    included, decodes them back."""
    return text.translate(_ENTITIES)


def _inert_markers(word: str) -> str:
    if _ADDRESS.match(word):
        return word
    out = []
    for i, char in enumerate(word):
        swap = _MARKERS.get(char)
        # Inside a word (snake_case, first_last) a marker can neither open nor close emphasis.
        inside = 0 < i < len(word) - 1 and _WORD.match(word[i - 1]) and _WORD.match(word[i + 1])
        out.append(swap if swap and not inside else char)
    return "".join(out)


def escape(text: str) -> str:
    """User text for Slack mrkdwn: `<!channel>` or `<@U1>` typed by someone stays inert, and their
    `*`, `_`, `~` and backticks cannot open or close the bot's own bold, italics or code."""
    return "".join(_inert_markers(part) for part in re.split(r"(\s+)", entities(text)))


def plain_text(text: str) -> str:
    """User text for a plain_text field (headers, titles, options, labels): no markup is read
    there, so only the entities are needed."""
    return entities(text)


def code(text: str) -> str:
    """User (or Slack's) text shown inside a `code span`: only a backtick could end it early."""
    return entities(text).replace("`", _MARKERS["`"])


def link(url: str, label: str) -> str:
    """A mrkdwn link to a checked http(s) address; `label` is the bot's own text."""
    # `|` and `>` would end the address early; `&` is written as an entity, as Slack expects.
    target = entities(url.replace("|", "%7C").replace(" ", "%20"))
    return f"<{target}|{entities(label)}>"


def mrkdwn(t: Translator, message: Text) -> str:
    """A domain message as Slack mrkdwn. Both what people typed and the message's own text are
    escaped: usage hints such as `/dialog support <topic-no>` would otherwise be read by Slack
    as a link or a control sequence (`<…>`), and lose the placeholder. The message's own `*` and
    backticks stay markup; only the typed parameters' markers are made inert."""
    return t.render(message, escape, literal=entities, hint=slack_hint(t))


def literal(text: str) -> str:
    """Our own text with a usage placeholder (`<title>`), made safe for Slack mrkdwn."""
    return entities(text)


def mention(user_id: str) -> str:
    """A mention of a user by their Slack id (ids come from Slack, never from typed text)."""
    return f"<@{user_id}>"


def address(value: str) -> str:
    """An e-mail address as a mailto link: the target exact, the label unable to open or close
    the bot's own emphasis (`*`, `_`, `~` and backticks are valid in an address)."""
    target = entities(value.replace("|", "%7C"))
    label = entities("".join(_MARKERS.get(char, char) for char in value))
    return f"<mailto:{target}|{label}>"


def person(ref: PersonRef) -> str:
    """A person as coordinators see them: a mention for a Slack person, the address for an e-mail
    one (ids and addresses come from the roster, never from typed text unchecked)."""
    return address(ref.user_id) if ref.platform == EMAIL else mention(ref.user_id)


def truncate(text: str, limit: int) -> str:
    """Cut `text` to `limit` characters, marking the cut (never in the middle of an entity)."""
    if len(text) <= limit:
        return text
    return _PARTIAL_ENTITY.sub("", text[: limit - 1]) + "…"


_BABEL_LOCALES = {"en": "en_GB", "nb": "nb_NO"}


def babel_locale(language: str) -> str:
    """The Babel locale for formatting dates in `language`."""
    return _BABEL_LOCALES.get(language, "en_GB")


# The zone Norwegian text need not name: the dialogue's own, where its Norwegian readers are.
_NORWEGIAN_ZONE = "Europe/Oslo"


def local_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A readable date and time in `zone`, in the reader's language: "Thursday, 3 December 2026
    14:00 (Europe/Oslo)", "torsdag 3. desember 2026 kl. 14:00"."""
    day = format_date(moment.astimezone(zone), "full", locale=babel_locale(language))
    clock = format_time(moment, "HH:mm", tzinfo=zone, locale=babel_locale(language))
    if language == "nb":
        return f"{day} kl. {clock}" + ("" if zone.key == _NORWEGIAN_ZONE else f" ({zone.key})")
    return f"{day} {clock} ({zone.key})"


def clock_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """The wall-clock time of `moment` in `zone`, as the reader's language writes it."""
    return format_time(moment, "HH:mm", tzinfo=zone, locale=babel_locale(language))


def long_date(day: date, language: str) -> str:
    """A calendar date in words, in the reader's language (16 March 2027, 16. mars 2027)."""
    return format_date(day, "long", locale=babel_locale(language))


def slack_date(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A date and time inside text in `language`.

    English: a `<!date^…>` token, which Slack shows in each reader's own zone (the fallback names
    ours). Norwegian: the date written out ("torsdag 3. desember 2026 kl. 14:00"), because Slack
    renders the token in the reader's interface language, and Slack has no Norwegian: a token
    would read "Thursday, December 3rd" in the middle of a Norwegian sentence.
    """
    fallback = local_time(moment, zone, language)
    if language == "nb":
        return fallback
    return f"<!date^{int(moment.timestamp())}^{{date_long_pretty}} {{time}}|{fallback}>"


def dated_in_zone(t: Translator, moment: datetime, zone: ZoneInfo) -> str:
    """A start as `slack_date` writes it, with the zone a typed time was read in: English also
    gives the clock time there (the token shows each reader their own zone); Norwegian text
    already has it written out, so only the zone is added."""
    when = slack_date(moment, zone, t.language)
    if t.language == "nb":
        zone_only = t.gettext("time zone {zone}").format(zone=zone.key)
        return f"{when} ({zone_only})"
    note = t.gettext("{time}, time zone {zone}").format(time=clock_time(moment, zone, t.language),
                                                        zone=zone.key)
    return f"{when} ({note})"
