"""The roster: organisations by tier, their contacts, perspectives and preferences.

What an organisation may be (names, tiers, perspectives, keywords, languages) is decided in
`services.roster_rules`, once for every way in: the CSV import, the roster form, a suggestion.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.errors import Conflict, Field, InvalidInput
from services.i18n import N_, Command, Hint, text
from services.people import EMAIL, Actor, PersonRef
from services.roster_contacts import clean_of, person_of, set_contacts, typed_of
from services.roster_rules import (
    LANGUAGES,
    NAME_MAX,
    PERSPECTIVES,
    CleanContact,
    CleanEntry,
    ContactInput,
    ContactValue,
    RosterRow,
    clean_contacts,
    clean_entry,
    clean_name,
    name_key,
    parse_tier,
    parse_time_of_day,
)
from services.roster_views import (
    ContactsOutcome,
    ImportReport,
    OrganisationCard,
    PerspectiveCount,
    RosterForm,
    RosterListing,
    SaveOutcome,
    active_cards,
    card_of,
    find_organisation,
    listing_of,
)
from services.workspaces import Workspaces, audit, is_coordinator, require_coordinator
from storage.models import (
    Contact,
    Organisation,
    OrganisationKeyword,
    OrganisationPerspective,
    Tier,
    TimeOfDay,
    Workspace,
)

# The facade: the views live in services.roster_views, the rules in services.roster_rules.
__all__ = [
    "LANGUAGES", "NAME_MAX", "PERSPECTIVES", "ContactInput", "ContactValue", "ContactsOutcome",
    "ImportReport", "OrganisationCard",
    "PerspectiveCount", "Roster", "RosterForm", "RosterListing", "RosterRow", "SaveOutcome", "card_of",
    "find_organisation", "name_key", "parse_time_of_day", "parse_tier",
]

# Called inside the roster's transaction when an organisation changes (added, contacts, tier,
# removed), so upcoming meetings can follow.
OrganisationChanged = Callable[[Session, Workspace, Organisation], None]
# Called inside the roster's transaction with the people made contacts (of `workspace_id`), so
# they can be told what that means for their data (services/privacy); a CSV import calls it once.
ContactAdded = Callable[[Session, int, Sequence[PersonRef]], None]
# While a CSV import runs, the new contacts wait here (in its session) to be passed on at once.
_NEW_CONTACTS = "roster.new_contacts"


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
        self._contact_listeners: list[ContactAdded] = []

    def on_change(self, listener: OrganisationChanged) -> None:
        """Run `listener` in the same transaction whenever an organisation changes."""
        self._listeners.append(listener)

    def on_contact_added(self, listener: ContactAdded) -> None:
        """Run `listener` in the same transaction whenever a person is made a contact."""
        self._contact_listeners.append(listener)

    def drop_contact(self, session: Session, workspace: Workspace, organisation: Organisation,
                     person: PersonRef) -> None:
        """Take `person` off `organisation`'s contacts in the caller's transaction (upcoming meetings
        follow); for a person's own opt-out, so no coordinator is needed."""
        for contact in [c for c in organisation.contacts
                        if (c.platform, c.user_id) == (person.platform, person.user_id)]:
            organisation.contacts.remove(contact)
        session.flush()
        self._changed(session, workspace, organisation)

    def email_contacts(self) -> int:
        """How many e-mail addresses the roster holds (contacts, and chat contacts' addresses), in
        every workspace: start-up says what they need."""
        with self._sessions() as session:
            return session.scalar(
                select(func.count()).select_from(Contact)
                .join(Organisation, Organisation.id == Contact.organisation_id)
                .where(Organisation.archived_at.is_(None),
                       (Contact.platform == EMAIL) | Contact.email.is_not(None))) or 0

    def organisations(self, actor: Actor) -> list[OrganisationCard]:
        """Active organisations whole, with who represents them, by tier then name (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            return active_cards(session, workspace)

    def listing(self, actor: Actor) -> RosterListing:
        """The roster as `actor` may see it: whole for coordinators; for anyone else, the
        organisations without their contacts, and the perspectives only counted."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            coordinator = is_coordinator(session, workspace, actor.person)
            return listing_of(active_cards(session, workspace), for_coordinator=coordinator)

    def add(self, actor: Actor, name: str, tier: Tier,
            contacts: Sequence[ContactValue] = ()) -> OrganisationCard:
        """Add an organisation (or bring back an archived one) with its first contacts: chat people's
        ids, e-mail addresses, or pairs of both."""
        name = clean_name(name)
        given = clean_contacts(contacts)
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
            self._set_contacts(session, organisation, given)
            session.flush()
            audit(session, workspace, actor, "roster.add", organisation.name, self._clock,
                  tier=tier.value, contacts=[c.label() for c in given])
            self._changed(session, workspace, organisation)
            return card_of(organisation)

    def add_contacts(self, actor: Actor, name: str, contacts: Sequence[ContactValue]) -> ContactsOutcome:
        """Add contacts to an organisation (chat people, e-mail addresses, or a chat person with
        their address); people already there are left as they are, but for an address given."""
        given = clean_contacts(contacts)
        if not given:
            raise InvalidInput(
                text(N_("Name at least one person or e-mail address, e.g. {contact} or {address}."),
                     contact=Hint(Command.ROSTER_CONTACT, (f'"{name}"', "@kari")),
                     address=Hint(Command.ROSTER_CONTACT, (f'"{name}"', "kari@example.org"))),
                field=Field.CONTACTS,
            )
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            organisation = find_organisation(session, workspace, name)
            before = {(c.platform, c.user_id): c.email for c in organisation.contacts}
            self._set_contacts(session, organisation, given)
            session.flush()
            added, already, addressed = [], [], []
            for contact in given:
                person = person_of(contact, self._platform)
                key = (person.platform, person.user_id)
                if key not in before:
                    added.append(person)
                elif contact.person is not None and contact.address not in (None, before[key]):
                    addressed.append(person)
                else:
                    already.append(person)
            audit(session, workspace, actor, "roster.contact", organisation.name, self._clock,
                  added=[c.label() for c in given if person_of(c, self._platform) in added],
                  addressed=[c.label() for c in given if person_of(c, self._platform) in addressed])
            if added or addressed:
                self._changed(session, workspace, organisation)
            return ContactsOutcome(card_of(organisation), tuple(added), tuple(already), tuple(addressed))

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
            session.info[_NEW_CONTACTS] = []
            for line, row in enumerate(rows, start=2):
                try:
                    self._import_one(session, workspace, row, report, seen)
                except InvalidInput as error:
                    raise InvalidInput(
                        text(N_("Line {line}: {problem}"), line=line, problem=error.message)
                    ) from error
            self._contacts_added(session, workspace.id, session.info.pop(_NEW_CONTACTS))
            audit(session, workspace, actor, "roster.import", f"{len(rows)} rows", self._clock,
                  created=report.created, updated=report.updated)
        return report

    def export_rows(self, actor: Actor) -> list[RosterRow]:
        """Every active organisation as a roster row, by tier then name."""
        return [
            RosterRow(
                name=card.name, tier=card.tier.value,
                contacts=tuple(typed_of(person, card.address_of(person)) for person in card.contacts),
                perspectives=card.perspectives, preferred_time=card.preferred_time.value,
                language=card.language or "", keywords=card.keywords,
            )
            for card in self.organisations(actor)
        ]

    def form(self, actor: Actor, name: str | None = None) -> RosterForm:
        """The roster form: empty for a new organisation, or holding `name`'s (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            organisation = find_organisation(session, workspace, name) if name is not None else None
            return RosterForm(card_of(organisation) if organisation is not None else None)

    def save(self, actor: Actor, row: RosterRow, original: str | None = None) -> SaveOutcome:
        """Create an organisation from the roster form, or (`original`: its name when the form opened)
        update it; the same rules as the CSV import, every field at fault named at once."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            entry = clean_entry(row)
            same_name = self._by_key(session, workspace, entry.key)
            if original is not None:
                organisation: Organisation | None = find_organisation(session, workspace, original)
                if same_name is not None and same_name is not organisation:
                    raise Conflict(
                        text(N_("Another organisation is already called “{name}”."), name=same_name.name),
                        field=Field.NAME,
                    )
            else:
                organisation = same_name
                if organisation is not None and organisation.archived_at is None:
                    raise Conflict(
                        text(N_("“{name}” is already on the roster. Change it with {edit}."),
                             name=organisation.name,
                             edit=Hint(Command.ROSTER_EDIT, (f'"{organisation.name}"',))),
                        field=Field.NAME,
                    )
            created = organisation is None or organisation.archived_at is not None
            stored, changed = self.store(session, workspace, entry, organisation)
            audit(session, workspace, actor, "roster.add" if created else "roster.edit", stored.name,
                  self._clock, tier=entry.tier.value, contacts=[c.label() for c in entry.contacts])
            return SaveOutcome(card_of(stored), created, changed or created)

    def store(self, session: Session, workspace: Workspace, entry: CleanEntry,
              organisation: Organisation | None) -> tuple[Organisation, bool]:
        """Make `organisation` (None: a new one) hold exactly `entry`, in the caller's transaction;
        returns it and whether anything changed. Upcoming meetings follow a change."""
        if organisation is None:
            organisation = Organisation(
                workspace_id=workspace.id, name=entry.name, name_key=entry.key, tier=entry.tier,
                preferred_time=entry.preferred_time, language=entry.language, created_at=self._clock.now(),
            )
            session.add(organisation)
            before = None
        else:
            before = (card_of(organisation), organisation.archived_at)
            organisation.archived_at = None
            organisation.name, organisation.name_key, organisation.tier = entry.name, entry.key, entry.tier
            organisation.preferred_time, organisation.language = entry.preferred_time, entry.language
        _sync_tags(organisation.perspectives, entry.perspectives, "perspective", OrganisationPerspective)
        _sync_tags(organisation.keywords, entry.keywords, "keyword", OrganisationKeyword)
        self._set_contacts(session, organisation, entry.contacts, replace=True,
                           keep_addresses=entry.keeps_addresses)
        session.flush()
        if before == (card_of(organisation), None):
            return organisation, False
        self._changed(session, workspace, organisation)
        return organisation, True

    def take_in(self, session: Session, workspace: Workspace, entry: CleanEntry) -> tuple[Organisation, bool]:
        """`entry` on the roster, in the caller's transaction: created, or brought back from the
        archive with what it had besides; one already there is left as it is. Returns it and
        whether it was added now."""
        organisation = self._by_key(session, workspace, entry.key)
        if organisation is not None and organisation.archived_at is None:
            return organisation, False
        if organisation is not None:
            old = card_of(organisation)
            had = [clean_of(person, old.address_of(person)) for person in old.contacts]
            entry = CleanEntry(
                name=entry.name, tier=entry.tier,
                contacts=clean_contacts([c.value for c in (*had, *entry.contacts)]),
                perspectives=tuple(sorted({*old.perspectives, *entry.perspectives})),
                preferred_time=organisation.preferred_time, language=organisation.language,
                keywords=old.keywords, keeps_addresses=True,
            )
        stored, _ = self.store(session, workspace, entry, organisation)
        return stored, True

    def _by_key(self, session: Session, workspace: Workspace, key: str) -> Organisation | None:
        return session.scalar(
            select(Organisation).where(Organisation.workspace_id == workspace.id,
                                       Organisation.name_key == key)
        )

    def _import_one(self, session: Session, workspace: Workspace, row: RosterRow,
                    report: ImportReport, seen: set[str]) -> None:
        entry = clean_entry(row)
        if entry.key in seen:
            raise InvalidInput(text(N_("“{name}” appears twice in the file."), name=entry.name))
        seen.add(entry.key)
        organisation = self._by_key(session, workspace, entry.key)
        _, changed = self.store(session, workspace, entry, organisation)
        if organisation is None:
            report.created.append(entry.name)
        elif changed:
            report.updated.append(entry.name)
        else:
            report.unchanged.append(entry.name)

    def _set_contacts(self, session: Session, organisation: Organisation, contacts: Sequence[CleanContact],
                      *, replace: bool = False, keep_addresses: bool = True) -> None:
        added = set_contacts(organisation, contacts, platform=self._platform, now=self._clock.now(),
                             replace=replace, keep_addresses=keep_addresses)
        waiting = session.info.get(_NEW_CONTACTS)
        if waiting is not None:
            waiting.extend(added)  # an import: passed on once, at its end
        else:
            self._contacts_added(session, organisation.workspace_id, added)

    def _contacts_added(self, session: Session, workspace_id: int, people: Sequence[PersonRef]) -> None:
        if people:
            for listener in self._contact_listeners:
                listener(session, workspace_id, people)

    def _changed(self, session: Session, workspace: Workspace, organisation: Organisation) -> None:
        for listener in self._listeners:
            listener(session, workspace, organisation)
