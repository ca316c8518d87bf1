"""The roster: organisations by tier, their contacts, perspectives and preferences.

Perspectives describe an organisation's field (DESIGN §2). They are never asked for or stored
about a person.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.errors import Conflict, InvalidInput, NotFound
from services.i18n import N_, Command, Hint, text
from services.people import Actor, PersonRef
from services.workspaces import Workspaces, audit, require_coordinator
from storage.models import (
    Contact,
    Organisation,
    OrganisationKeyword,
    OrganisationPerspective,
    Tier,
    TimeOfDay,
    Workspace,
)

PERSPECTIVES = ("gender-age", "country-background", "religion", "work-education", "public-health")
LANGUAGES = ("en", "nb")
NAME_MAX = 120
_SPACES = re.compile(r"\s+")
_KEYWORD = re.compile(r"^[\w][\w\- ]{0,62}$")

# Called inside the roster's transaction when an organisation changes (added, contacts, tier,
# removed), so upcoming meetings can follow.
OrganisationChanged = Callable[[Session, Workspace, Organisation], None]


def name_key(name: str) -> str:
    """The folded form of an organisation name that uniqueness is checked on."""
    return _SPACES.sub(" ", name).strip().casefold()


@dataclass(frozen=True)
class OrganisationCard:
    """An organisation as people see it."""

    name: str
    tier: str
    contacts: tuple[PersonRef, ...]
    perspectives: tuple[str, ...]
    keywords: tuple[str, ...]
    preferred_time: str
    language: str | None


@dataclass(frozen=True)
class ContactsOutcome:
    organisation: OrganisationCard
    added: tuple[str, ...]
    already: tuple[str, ...]


@dataclass(frozen=True)
class RosterRow:
    """One organisation as a line of the roster CSV."""

    name: str
    tier: str
    contacts: tuple[str, ...] = ()
    perspectives: tuple[str, ...] = ()
    preferred_time: str = "any"
    language: str = ""
    keywords: tuple[str, ...] = ()


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)


def card_of(organisation: Organisation) -> OrganisationCard:
    """The plain view of an organisation row."""
    return OrganisationCard(
        name=organisation.name,
        tier=organisation.tier.value,
        contacts=tuple(PersonRef(c.platform, c.user_id) for c in organisation.contacts),
        perspectives=tuple(sorted(p.perspective for p in organisation.perspectives)),
        keywords=tuple(sorted(k.keyword for k in organisation.keywords)),
        preferred_time=organisation.preferred_time.value,
        language=organisation.language,
    )


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
            field="organisations",
        )
    return found


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
            text(N_("“{word}” is not a tier; use core, topic or observer."), word=word), field="tier"
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
            text(N_("“{word}” is not a time of day; use daytime, afternoon or any."), word=word)
        )
    return value


def _perspectives(values: Iterable[str]) -> list[str]:
    chosen = sorted({v.strip().casefold() for v in values if v.strip()})
    unknown = [v for v in chosen if v not in PERSPECTIVES]
    if unknown:
        raise InvalidInput(
            text(
                N_("Unknown perspective “{value}”; use {choices}."),
                value=unknown[0],
                choices=", ".join(PERSPECTIVES),
            )
        )
    return chosen


def _keywords(values: Iterable[str]) -> list[str]:
    chosen = sorted({_SPACES.sub(" ", v).strip().casefold() for v in values if v.strip()})
    bad = [v for v in chosen if not _KEYWORD.match(v)]
    if bad:
        raise InvalidInput(text(N_("“{value}” is not a usable keyword."), value=bad[0]))
    return chosen


def _language(value: str) -> str | None:
    value = value.strip().casefold()
    if value and value not in LANGUAGES:
        raise InvalidInput(text(N_("“{value}” is not a language; use en or nb."), value=value))
    return value or None


def _clean_name(name: str) -> str:
    name = _SPACES.sub(" ", name).strip()
    if not 2 <= len(name) <= NAME_MAX:
        raise InvalidInput(
            text(N_("An organisation name needs 2 to {max} characters."), max=NAME_MAX), field="name"
        )
    return name


def _sync_tags(rows: list, wanted: Sequence[str], attribute: str, model: type) -> None:
    """Make a tag collection hold exactly `wanted`, touching only what differs."""
    for row in [r for r in rows if getattr(r, attribute) not in wanted]:
        rows.remove(row)
    have = {getattr(r, attribute) for r in rows}
    rows.extend(model(**{attribute: value}) for value in wanted if value not in have)


class Roster:
    """Use cases on the roster. Every change needs a coordinator and is audited."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 platform: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._platform = platform
        self._listeners: list[OrganisationChanged] = []

    def on_change(self, listener: OrganisationChanged) -> None:
        """Run `listener` in the same transaction whenever an organisation changes."""
        self._listeners.append(listener)

    def organisations(self, actor: Actor) -> list[OrganisationCard]:
        """Active organisations, by tier (core, topic, observer) then name."""
        order = {Tier.CORE: 0, Tier.TOPIC: 1, Tier.OBSERVER: 2}
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            rows = session.scalars(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None)
                )
            ).all()
            cards = [card_of(o) for o in sorted(rows, key=lambda o: (order[o.tier], o.name_key))]
        return cards

    def add(self, actor: Actor, name: str, tier: Tier, contacts: Sequence[str] = ()) -> OrganisationCard:
        """Add an organisation (or bring back an archived one) with its first contacts."""
        name = _clean_name(name)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            existing = session.scalar(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id, Organisation.name_key == name_key(name)
                )
            )
            if existing is not None and existing.archived_at is None:
                raise Conflict(
                    text(
                        N_("“{name}” is already on the roster. Add contacts with {contact}."),
                        name=existing.name,
                        contact=Hint(Command.ROSTER_CONTACT, (f'"{existing.name}"', "@person")),
                    )
                )
            if existing is not None:
                organisation = existing
                organisation.archived_at = None
                organisation.name = name
                organisation.tier = tier
            else:
                organisation = Organisation(
                    workspace_id=workspace.id, name=name, name_key=name_key(name), tier=tier,
                    preferred_time=TimeOfDay.ANY, created_at=now,
                )
                session.add(organisation)
            existing_contacts = [c.user_id for c in organisation.contacts]
            self._set_contacts(session, organisation, [*existing_contacts, *contacts])
            session.flush()
            audit(session, workspace, actor, "roster.add", organisation.name, self._clock,
                  tier=tier.value, contacts=list(contacts))
            self._changed(session, workspace, organisation)
            return card_of(organisation)

    def add_contacts(self, actor: Actor, name: str, contacts: Sequence[str]) -> ContactsOutcome:
        """Add contact people to an organisation; people already there are left as they are."""
        if not contacts:
            raise InvalidInput(
                text(N_("Name at least one person, e.g. {contact}."),
                     contact=Hint(Command.ROSTER_CONTACT, (f'"{name}"', "@kari")))
            )
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            organisation = find_organisation(session, workspace, name)
            have = {c.user_id for c in organisation.contacts}
            unique = list(dict.fromkeys(contacts))
            added = tuple(u for u in unique if u not in have)
            self._set_contacts(session, organisation, [*have, *added])
            session.flush()
            audit(session, workspace, actor, "roster.contact", organisation.name, self._clock,
                  added=list(added))
            if added:
                self._changed(session, workspace, organisation)
            return ContactsOutcome(card_of(organisation), added, tuple(u for u in unique if u in have))

    def remove(self, actor: Actor, name: str) -> OrganisationCard:
        """Take an organisation off the roster. It is archived: past meetings still name it."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            organisation = find_organisation(session, workspace, name)
            organisation.archived_at = self._clock.now()
            audit(session, workspace, actor, "roster.remove", organisation.name, self._clock)
            self._changed(session, workspace, organisation)
            return card_of(organisation)

    def import_rows(self, actor: Actor, rows: Sequence[RosterRow]) -> ImportReport:
        """Create or update the organisations in `rows`; the file is the truth for those it names.

        All or nothing: one bad row and nothing is written. Importing the same rows twice
        changes nothing the second time.
        """
        report = ImportReport()
        seen: set[str] = set()
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            for line, row in enumerate(rows, start=2):
                try:
                    self._import_one(session, workspace, row, report, seen)
                except InvalidInput as error:
                    raise InvalidInput(
                        text(N_("Line {line}: {problem}"), line=line, problem=error.message)
                    ) from error
            audit(session, workspace, actor, "roster.import", f"{len(rows)} rows", self._clock,
                  created=report.created, updated=report.updated)
        return report

    def export_rows(self, actor: Actor) -> list[RosterRow]:
        """Every active organisation as a roster row, by tier then name."""
        return [
            RosterRow(
                name=card.name, tier=card.tier, contacts=tuple(c.user_id for c in card.contacts),
                perspectives=card.perspectives, preferred_time=card.preferred_time,
                language=card.language or "", keywords=card.keywords,
            )
            for card in self.organisations(actor)
        ]

    def _import_one(self, session: Session, workspace: Workspace, row: RosterRow,
                    report: ImportReport, seen: set[str]) -> None:
        name = _clean_name(row.name)
        key = name_key(name)
        if key in seen:
            raise InvalidInput(text(N_("“{name}” appears twice in the file."), name=name))
        seen.add(key)
        tier = parse_tier(row.tier)
        preferred = parse_time_of_day(row.preferred_time)
        language = _language(row.language)
        perspectives = _perspectives(row.perspectives)
        keywords = _keywords(row.keywords)
        contacts = list(dict.fromkeys(c.strip() for c in row.contacts if c.strip()))
        organisation = session.scalar(
            select(Organisation).where(
                Organisation.workspace_id == workspace.id, Organisation.name_key == key
            )
        )
        if organisation is None:
            organisation = Organisation(
                workspace_id=workspace.id, name=name, name_key=key, tier=tier,
                preferred_time=preferred, language=language, created_at=self._clock.now(),
            )
            session.add(organisation)
            report.created.append(name)
            before = None
        else:
            before = card_of(organisation)
            organisation.archived_at = None
            organisation.name, organisation.tier = name, tier
            organisation.preferred_time, organisation.language = preferred, language
        _sync_tags(organisation.perspectives, perspectives, "perspective", OrganisationPerspective)
        _sync_tags(organisation.keywords, keywords, "keyword", OrganisationKeyword)
        self._set_contacts(session, organisation, contacts, replace=True)
        session.flush()
        if before is not None and card_of(organisation) == before:
            report.unchanged.append(name)
            return
        if before is not None:
            report.updated.append(name)
        self._changed(session, workspace, organisation)

    def _set_contacts(self, session: Session, organisation: Organisation, user_ids: Sequence[str],
                      *, replace: bool = False) -> None:
        wanted = list(dict.fromkeys(user_ids))
        current = {c.user_id: c for c in organisation.contacts if c.platform == self._platform}
        if replace:
            for user_id, contact in current.items():
                if user_id not in wanted:
                    organisation.contacts.remove(contact)
        for user_id in wanted:
            if user_id not in current:
                organisation.contacts.append(
                    Contact(platform=self._platform, user_id=user_id, created_at=self._clock.now())
                )

    def _changed(self, session: Session, workspace: Workspace, organisation: Organisation) -> None:
        for listener in self._listeners:
            listener(session, workspace, organisation)
