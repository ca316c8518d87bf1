"""Which language each person is written to in, and their own choice of it.

The one rule, owned here (`resolve`): a person's own choice; else their organisation's language
(for a contact); else a platform locale, but only one that names a language other than English;
else the workspace's language (DIALOG_LANGUAGE). Platforms show English to everyone whose language
they lack (Slack has no Norwegian), so an English locale says nothing about the reader and must
never override a Norwegian workspace or organisation. Posts to a shared place (a channel) are in
the workspace's language. Deliveries ask at send time, so a later choice is followed.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, ScalarSelect, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.errors import InvalidInput
from services.i18n import N_, SUPPORTED, language_of, text
from services.people import Actor, DestinationKind, PersonRef
from services.workspaces import Workspaces
from storage.models import Contact, Delivery, Organisation, Person, Workspace

# What people may type for each language (and `auto` to follow their organisation or workspace).
AUTO = "auto"
_WORDS: dict[str, str] = {
    "nb": "nb", "no": "nb", "nn": "nb", "norsk": "nb", "bokmål": "nb", "bokmal": "nb",
    "norwegian": "nb", "nb-no": "nb",
    "en": "en", "english": "en", "engelsk": "en", "en-gb": "en", "en-us": "en",
    "auto": AUTO, "standard": AUTO, "default": AUTO,
}


class LanguageSource(StrEnum):
    """Where a person's language comes from, by the rule above."""

    CHOICE = "choice"
    ORGANISATION = "organisation"
    LOCALE = "locale"
    WORKSPACE = "workspace"


@dataclass(frozen=True)
class LanguageSetting:
    """A person's language and why it is that one."""

    language: str
    source: LanguageSource


@dataclass(frozen=True)
class LanguageChosen:
    """The outcome of a choice: the language now in use (by the rule), and whether it changed."""

    setting: LanguageSetting
    changed: bool


def parse_language(value: str) -> str:
    """`nb`, `en` or `auto` from what a person typed; InvalidInput listing the choices otherwise."""
    word = value.strip().casefold()
    found = _WORDS.get(word)
    if found is None:
        raise InvalidInput(text(N_("“{value}” is not a language I speak. Choose nb (norsk), en (English), "
                                   "or auto (your organisation's language, else the default one)."),
                                value=value.strip()) if word else
                           text(N_("Which language? Choose nb (norsk), en (English), or auto (your "
                                   "organisation's language, else the default one).")))
    return found


def resolve(session: Session, workspace_id: int | ScalarSelect[int], person: PersonRef, default: str,
            *, organisation_id: int | None = None, organisation_language: str | None = None,
            locale: str | None = None) -> LanguageSetting:
    """The language to write to `person` in: the one rule (see the module's docstring).

    `organisation_id` names the organisation a message is about, whose language counts first;
    otherwise the person's organisations (as a contact) are asked, then `organisation_language`
    (the one known when the message was planned). `locale` is the platform's, if it has one.
    One database round trip.
    """
    choice_query = select(Person.language).where(
        Person.workspace_id == workspace_id, Person.platform == person.platform,
        Person.user_id == person.user_id).scalar_subquery()
    contact: ColumnElement[bool] = (Contact.platform == person.platform) & (Contact.user_id == person.user_id)
    organisation_query = (
        select(Organisation.language)
        .join(Contact, Contact.organisation_id == Organisation.id)
        .where(Organisation.workspace_id == workspace_id, Organisation.archived_at.is_(None),
               Organisation.language.is_not(None), contact)
        # The organisation a message is about first, then the oldest.
        .order_by((Organisation.id != (organisation_id or 0)), Organisation.id)
        .limit(1).scalar_subquery()
    )
    choice, organisation = session.execute(select(choice_query, organisation_query)).one()
    if choice in SUPPORTED:
        return LanguageSetting(choice, LanguageSource.CHOICE)
    for language in (organisation, organisation_language):
        if language in SUPPORTED:
            return LanguageSetting(language, LanguageSource.ORGANISATION)
    hinted = language_of(locale, "")
    # English is what a platform shows whoever's language it lacks: it says nothing of the reader.
    if hinted and hinted != "en":
        return LanguageSetting(hinted, LanguageSource.LOCALE)
    return LanguageSetting(default if default in SUPPORTED else "en", LanguageSource.WORKSPACE)


def _workspace_id(ref_platform: str, external_id: str) -> ScalarSelect[int]:
    return select(Workspace.id).where(Workspace.platform == ref_platform,
                                      Workspace.external_id == external_id).scalar_subquery()


class Languages:
    """People's own language choices, and the rule for everyone else."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 default_language: str) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self.default = default_language if default_language in SUPPORTED else "en"

    def setting(self, actor: Actor, *, locale: str | None = None) -> LanguageSetting:
        """`actor`'s language and where it comes from (a read: nothing is created)."""
        with self._sessions() as session:
            return self.setting_in(session, actor, locale=locale)

    def setting_in(self, session: Session, actor: Actor, *, locale: str | None = None) -> LanguageSetting:
        """`setting`, in the caller's session."""
        workspace = _workspace_id(actor.workspace.platform, actor.workspace.external_id)
        return resolve(session, workspace, actor.person, self.default, locale=locale)

    def of(self, actor: Actor, *, locale: str | None = None) -> str:
        """The language to answer `actor` in."""
        return self.setting(actor, locale=locale).language

    def choose(self, actor: Actor, value: str) -> LanguageChosen:
        """Store `actor`'s own language (`nb`, `en`; `auto` forgets the choice)."""
        wanted = parse_language(value)
        stored = None if wanted == AUTO else wanted
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            before = resolve(session, workspace.id, actor.person, self.default)
            row = self._row(session, workspace.id, actor.person)
            if row is None:
                try:
                    # A savepoint: the same person choosing twice at once stores one row.
                    with session.begin_nested():
                        session.add(Person(workspace_id=workspace.id, platform=actor.person.platform,
                                           user_id=actor.person.user_id, language=stored,
                                           created_at=now, updated_at=now))
                except IntegrityError:
                    row = self._row(session, workspace.id, actor.person)
            if row is not None:
                row.language, row.updated_at = stored, now
            session.flush()
            after = resolve(session, workspace.id, actor.person, self.default)
        return LanguageChosen(after, changed=after != before)

    def for_delivery(self, session: Session, delivery: Delivery) -> str:
        """The language a delivery is written in, decided when it is sent: a person's by the rule
        (so a choice made after planning is followed), a shared place's the workspace's."""
        if delivery.dest_kind != DestinationKind.PERSON:
            return self.default
        return resolve(session, delivery.workspace_id, PersonRef(delivery.dest_platform, delivery.dest_id),
                       self.default, organisation_id=delivery.organisation_id,
                       organisation_language=delivery.language_hint).language

    @staticmethod
    def _row(session: Session, workspace_id: int, person: PersonRef) -> Person | None:
        return session.scalar(select(Person).where(
            Person.workspace_id == workspace_id, Person.platform == person.platform,
            Person.user_id == person.user_id))
