"""The roster as people see it: an organisation's card, the answers to roster use cases, and the
listing with its visibility rule.

Who represents whom is personal data and, for religious or country-background organisations,
may reveal a special category (GDPR article 9). So the listing is decided here, once, by who
asks (docs/privacy.md, "Who sees whom"):

- coordinators see every organisation whole: contacts, perspectives, keywords, preferences;
- anyone else sees the organisations' names, tiers and preferred times, no contacts, and the
  perspectives only in aggregate: how many organisations bring each one, never which.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.errors import Field, NotFound
from services.i18n import N_, Command, Hint, text
from services.people import PersonRef
from services.roster_rules import LANGUAGES, PERSPECTIVES, TIERS, TIMES_OF_DAY, name_key
from storage.models import Organisation, Tier, TimeOfDay, Workspace

TIER_ORDER = {Tier.CORE: 0, Tier.TOPIC: 1, Tier.OBSERVER: 2}


@dataclass(frozen=True)
class OrganisationCard:
    """An organisation as people see it."""

    name: str
    tier: Tier
    contacts: tuple[PersonRef, ...]
    perspectives: tuple[str, ...]
    keywords: tuple[str, ...]
    preferred_time: TimeOfDay
    language: str | None
    addresses: tuple[tuple[PersonRef, str], ...] = ()
    """Chat contacts' own e-mail addresses (for what chat cannot deliver), by contact. An e-mail
    contact's address is its `user_id`."""

    def address_of(self, person: PersonRef) -> str | None:
        """`person`'s e-mail address for what chat cannot deliver, if the roster has one."""
        return next((address for who, address in self.addresses if who == person), None)


@dataclass(frozen=True)
class PerspectiveCount:
    """One perspective and how many organisations on the roster bring it."""

    perspective: str
    organisations: int


@dataclass(frozen=True)
class RosterListing:
    """The roster as the reader may see it. For coordinators (`for_coordinator`) the cards are
    whole; for anyone else they carry no contacts, perspectives or keywords. `perspectives` counts
    the organisations per perspective, for everyone, without saying which."""

    organisations: tuple[OrganisationCard, ...]
    for_coordinator: bool
    perspectives: tuple[PerspectiveCount, ...] = ()


@dataclass(frozen=True)
class ContactsOutcome:
    """Contacts given to an organisation: those new to it, those already there as given, and the
    chat contacts whose own e-mail address was saved."""

    organisation: OrganisationCard
    added: tuple[PersonRef, ...]
    already: tuple[PersonRef, ...]
    addressed: tuple[PersonRef, ...] = ()


@dataclass(frozen=True)
class RosterForm:
    """What the roster form offers, and the organisation it edits (None: a new one)."""

    organisation: OrganisationCard | None
    tiers: tuple[str, ...] = tuple(t.value for t in TIERS)
    perspectives: tuple[str, ...] = PERSPECTIVES
    times_of_day: tuple[str, ...] = tuple(t.value for t in TIMES_OF_DAY)
    languages: tuple[str, ...] = LANGUAGES


@dataclass(frozen=True)
class SaveOutcome:
    """An organisation as the roster form left it: new (or back from the archive), changed, or as it was."""

    organisation: OrganisationCard
    created: bool
    changed: bool


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def card_of(organisation: Organisation) -> OrganisationCard:
    """The plain view of an organisation row."""
    return OrganisationCard(
        name=organisation.name,
        tier=organisation.tier,
        contacts=tuple(PersonRef(c.platform, c.user_id) for c in organisation.contacts),
        perspectives=tuple(sorted(p.perspective for p in organisation.perspectives)),
        keywords=tuple(sorted(k.keyword for k in organisation.keywords)),
        preferred_time=organisation.preferred_time,
        language=organisation.language,
        addresses=tuple((PersonRef(c.platform, c.user_id), c.email) for c in organisation.contacts
                        if c.email is not None),
    )


def listing_of(cards: Sequence[OrganisationCard], *, for_coordinator: bool) -> RosterListing:
    """`cards` as a coordinator (whole) or anyone else (no one named, perspectives counted) sees them."""
    counted = Counter(p for card in cards for p in card.perspectives)
    perspectives = tuple(PerspectiveCount(p, n)
                         for p, n in sorted(counted.items(), key=lambda item: (-item[1], item[0])))
    if not for_coordinator:
        cards = [replace(card, contacts=(), addresses=(), perspectives=(), keywords=()) for card in cards]
    return RosterListing(tuple(cards), for_coordinator, perspectives)


def active_cards(session: Session, workspace: Workspace) -> list[OrganisationCard]:
    """Every active organisation's card, by tier (core, topic, observer) then name."""
    rows = session.scalars(
        select(Organisation).where(Organisation.workspace_id == workspace.id,
                                   Organisation.archived_at.is_(None))
    ).all()
    return [card_of(o) for o in sorted(rows, key=lambda o: (TIER_ORDER[o.tier], o.name_key))]


def find_organisation(session: Session, workspace: Workspace, name: str) -> Organisation:
    """An active organisation by name (case and spacing ignored), or a NotFound naming it."""
    found = session.scalar(
        select(Organisation).where(
            Organisation.workspace_id == workspace.id,
            Organisation.name_key == name_key(name),
            Organisation.archived_at.is_(None),
        )
    )
    if found is None:
        raise NotFound(
            text(
                N_("There is no organisation called “{name}”. {roster} lists them."),
                name=name, roster=Hint(Command.ROSTER),
            ),
            field=Field.ORGANISATIONS,
        )
    return found
