"""What an organisation on the roster may be: the one set of rules the CSV import, the roster form
and an accepted suggestion all go through (one rule, one owner).

Perspectives describe an organisation's field (DESIGN §2). They are never asked for or stored
about a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from services.errors import Field, InvalidInput, raise_field_errors
from services.i18n import N_, Text, text
from services.mailing import looks_like_address, normalise_address
from storage.models import Tier, TimeOfDay

PERSPECTIVES = ("gender-age", "country-background", "religion", "work-education", "public-health")
LANGUAGES = ("en", "nb")
TIERS = (Tier.CORE, Tier.TOPIC, Tier.OBSERVER)
TIMES_OF_DAY = (TimeOfDay.DAYTIME, TimeOfDay.AFTERNOON, TimeOfDay.ANY)
NAME_MAX = 120
KEYWORDS_MAX = 30
_T = TypeVar("_T")
_SPACES = re.compile(r"\s+")
_KEYWORD = re.compile(r"^[\w][\w\- ]{0,62}$")


def name_key(name: str) -> str:
    """The folded form of an organisation name that uniqueness is checked on."""
    return _SPACES.sub(" ", name).strip().casefold()


@dataclass(frozen=True)
class ContactInput:
    """A contact as typed, when it pairs a chat person with an e-mail address (`@kari=kari@x.org`):
    a platform's syntax is read by its handler, which hands both halves on here."""

    person: str = ""
    """The chat person's id on the acting platform; empty: an e-mail-only contact."""
    address: str = ""
    """Their e-mail address, not yet checked; empty: none."""


# A contact as the roster's use cases take it: a string (a chat person's id on the acting
# platform, or an e-mail address: the rules tell which), or a pair.
ContactValue = str | ContactInput


@dataclass(frozen=True)
class CleanContact:
    """A contact that passed the rules: a chat person (with their e-mail address for what chat
    cannot deliver, if given), or an e-mail address alone."""

    person: str | None
    """The chat person's id on the acting platform; None: an e-mail-only contact."""
    address: str | None = None
    """The normalised address: an e-mail-only contact's own, or a chat person's fallback."""

    @property
    def value(self) -> ContactValue:
        """The contact as typed again: the id, the address, or both as a pair."""
        if self.person is None:
            return self.address or ""
        return ContactInput(self.person, self.address) if self.address else self.person

    def label(self) -> str:
        """The contact in one word for the audit log: `U1`, `a@b.org` or `U1=a@b.org`."""
        if self.person is None or self.address is None:
            return self.person or self.address or ""
        return f"{self.person}={self.address}"


@dataclass(frozen=True)
class RosterRow:
    """One organisation as typed: a line of the roster CSV, or the roster form."""

    name: str
    tier: str
    contacts: tuple[ContactValue, ...] = ()
    perspectives: tuple[str, ...] = ()
    preferred_time: str = "any"
    language: str = ""
    keywords: tuple[str, ...] = ()
    keeps_addresses: bool = False
    """The row says nothing of its chat people's own e-mail addresses (the roster form has no
    field for them): those already stored stay. Otherwise (the CSV) the row is the truth."""


@dataclass(frozen=True)
class CleanEntry:
    """A roster row that passed every rule: what is stored."""

    name: str
    tier: Tier
    contacts: tuple[CleanContact, ...]
    perspectives: tuple[str, ...]
    preferred_time: TimeOfDay
    language: str | None
    keywords: tuple[str, ...]
    keeps_addresses: bool = False

    @property
    def key(self) -> str:
        """The folded name uniqueness is checked on."""
        return name_key(self.name)


def parse_tier(word: str) -> Tier:
    """A tier from its English or Norwegian name."""
    tiers = {
        "core": Tier.CORE, "fast": Tier.CORE,
        "topic": Tier.TOPIC, "tema": Tier.TOPIC,
        "observer": Tier.OBSERVER, "observatør": Tier.OBSERVER, "observator": Tier.OBSERVER,
    }
    tier = tiers.get(word.strip().casefold())
    if tier is None:
        raise InvalidInput(
            text(N_("“{word}” is not a tier; use core, topic or observer."), word=word), field=Field.TIER
        )
    return tier


def parse_time_of_day(word: str) -> TimeOfDay:
    """A preferred time of day from its English or Norwegian name."""
    times = {
        "daytime": TimeOfDay.DAYTIME, "dagtid": TimeOfDay.DAYTIME,
        "afternoon": TimeOfDay.AFTERNOON, "ettermiddag": TimeOfDay.AFTERNOON,
        "any": TimeOfDay.ANY, "": TimeOfDay.ANY, "alle": TimeOfDay.ANY,
    }
    value = times.get(word.strip().casefold())
    if value is None:
        raise InvalidInput(
            text(N_("“{word}” is not a time of day; use daytime, afternoon or any."), word=word),
            field=Field.PREFERRED_TIME,
        )
    return value


def clean_perspectives(values: Iterable[str]) -> tuple[str, ...]:
    """Known perspective keys, sorted and without repeats."""
    chosen = sorted({v.strip().casefold() for v in values if v.strip()})
    unknown = [v for v in chosen if v not in PERSPECTIVES]
    if unknown:
        raise InvalidInput(
            text(N_("Unknown perspective “{value}”; use {choices}."), value=unknown[0],
                 choices=", ".join(PERSPECTIVES)),
            field=Field.PERSPECTIVES,
        )
    return tuple(chosen)


def clean_keywords(values: Iterable[str]) -> tuple[str, ...]:
    """Keywords as matched against topics: folded, sorted, without repeats."""
    chosen = sorted({_SPACES.sub(" ", v).strip().casefold() for v in values if v.strip()})
    bad = [v for v in chosen if not _KEYWORD.match(v)]
    if bad:
        raise InvalidInput(text(N_("“{value}” is not a usable keyword."), value=bad[0]), field=Field.KEYWORDS)
    if len(chosen) > KEYWORDS_MAX:
        raise InvalidInput(text(N_("At most {max} keywords, please."), max=KEYWORDS_MAX),
                           field=Field.KEYWORDS)
    return tuple(chosen)


def clean_language(value: str) -> str | None:
    """`en`, `nb`, or None (the workspace's language)."""
    value = value.strip().casefold()
    if value and value not in LANGUAGES:
        raise InvalidInput(text(N_("“{value}” is not a language; use en or nb."), value=value),
                           field=Field.LANGUAGE)
    return value or None


def clean_contact(value: ContactValue) -> CleanContact | None:
    """One contact checked: a string with an @ (not a mention) is an e-mail address, anything
    else a chat person's id; an address that is no address is refused, naming it. None: empty."""
    if isinstance(value, str):
        value = ContactInput(address=value) if looks_like_address(value) else ContactInput(person=value)
    person = value.person.strip()
    if person and not value.address.strip() and looks_like_address(person):
        person, value = "", ContactInput(address=person)
    address = normalise_address(value.address, field=Field.CONTACTS) if value.address.strip() else None
    if not person and address is None:
        return None
    return CleanContact(person or None, address)


def clean_contacts(values: Iterable[ContactValue]) -> tuple[CleanContact, ...]:
    """Contacts checked, in the order given, each once: an address in any case is one contact,
    and a chat person named twice keeps the address given last."""
    people: dict[str, CleanContact] = {}
    addresses: dict[str, CleanContact] = {}
    order: list[tuple[bool, str]] = []
    for value in values:
        contact = clean_contact(value)
        if contact is None:
            continue
        if contact.person is None:
            key = contact.address or ""
            if key not in addresses:
                order.append((False, key))
            addresses[key] = contact
        else:
            if contact.person not in people:
                order.append((True, contact.person))
            elif contact.address is None:
                contact = people[contact.person]
            people[contact.person] = contact
    return tuple(people[key] if chat else addresses[key] for chat, key in order)


def clean_name(name: str) -> str:
    """An organisation's name with its spacing tidied, of a length the roster takes."""
    name = _SPACES.sub(" ", name).strip()
    if not 2 <= len(name) <= NAME_MAX:
        raise InvalidInput(
            text(N_("An organisation name needs 2 to {max} characters."), max=NAME_MAX), field=Field.NAME
        )
    return name


def clean_entry(row: RosterRow) -> CleanEntry:
    """`row` checked against every rule, with every field at fault named at once."""
    errors: dict[Field, Text] = {}

    def checked(field: Field, check: Callable[[], _T], fallback: _T) -> _T:
        try:
            return check()
        except InvalidInput as error:
            errors[field] = error.message
            return fallback

    entry = CleanEntry(
        name=checked(Field.NAME, lambda: clean_name(row.name), ""),
        tier=checked(Field.TIER, lambda: parse_tier(row.tier), Tier.TOPIC),
        contacts=checked(Field.CONTACTS, lambda: clean_contacts(row.contacts), ()),
        perspectives=checked(Field.PERSPECTIVES, lambda: clean_perspectives(row.perspectives), ()),
        preferred_time=checked(Field.PREFERRED_TIME, lambda: parse_time_of_day(row.preferred_time),
                               TimeOfDay.ANY),
        language=checked(Field.LANGUAGE, lambda: clean_language(row.language), None),
        keywords=checked(Field.KEYWORDS, lambda: clean_keywords(row.keywords), ()),
        keeps_addresses=row.keeps_addresses,
    )
    raise_field_errors(errors)
    return entry
