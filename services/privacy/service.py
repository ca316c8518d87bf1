"""A person's rights over their data, and the rules that keep it in bounds (docs/privacy.md).

- See: anyone gets everything the bot holds about them (`request_export`: a message with the
  document and a link to download it that works for LINK_TTL); a coordinator gets anyone's
  (`export`, the command line).
- Erase: a coordinator erases anyone, a person themselves, after a question whose confirmation is
  a signed, expiring, one-use token bound to who asked and whom it is about (`erasure_question`,
  then `erase`; services/privacy/confirmations.py); audited as who and when, never whom
  (services/privacy/erase.py has the rules per table).
- Told: a person made a contact gets a privacy notice once, with a one-click opt-out that takes
  them off the roster's contacts and tells the coordinators.
- Retention: per-person answers, attendance and messages older than the limit go
  (services/privacy/retention.py), run by a scheduled job and `bot.py retention`.
"""

from __future__ import annotations

import hmac
import json
import logging
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries, Planned
from services.errors import NotAllowed, NotFound
from services.i18n import N_, text
from services.mailing import normalise_address
from services.messages import ContactOptedOut, PersonalDataReady, PrivacyNotice
from services.people import EMAIL, Actor, Destination, PersonRef
from services.privacy.confirmations import ERASE_ACTION, Confirmations
from services.privacy.erase import PERSONAL_DATA, erase_person, is_pseudonym, new_pseudonym
from services.privacy.export import counts_of, holds_anything, personal_data
from services.privacy.retention import RetentionReport, apply_retention
from services.roster import Roster
from services.workspaces import Workspaces, coordinators_of, is_coordinator, organisations_of
from storage.models import AuditEntry, Delivery, Workspace

log = logging.getLogger(__name__)

PRIVACY_NOTICE = "privacy_notice"
OPTED_OUT = "contact_opted_out"
# How long the link to download one's data works, and an erasure question can be confirmed.
LINK_TTL = timedelta(days=3)
CONFIRM_TTL = timedelta(minutes=15)
DEFAULT_RETENTION = timedelta(days=730)


@dataclass(frozen=True)
class PrivacySettings:
    """DIALOG_RETENTION, DIALOG_CONTROLLER and DIALOG_PRIVACY_CONTACT."""

    retention: timedelta = DEFAULT_RETENTION
    controller: str = ""
    privacy_contact: str = ""
    # Off only where a test counts every message sent and tests the notice apart.
    notices: bool = True
    # Signs erasure confirmations (derived from the platform's secrets; empty: random per process).
    signing_key: str = field(default="", repr=False)


@dataclass(frozen=True)
class ExportRequested:
    """The person's data is on its way to them, with a link that works for `link_ttl`."""

    link_ttl: timedelta


@dataclass(frozen=True)
class ErasureQuestion:
    """Before erasing: what the bot holds about `person` (counted), and the token that confirms
    it: opaque to the platform, which hands it back as it got it (a button's value)."""

    person: PersonRef
    yourself: bool
    counts: tuple[tuple[str, int], ...]
    token: str
    until: datetime


@dataclass(frozen=True)
class Erased:
    """Done: `rows` rows no longer name the person."""

    yourself: bool
    rows: int


@dataclass(frozen=True)
class OptedOut:
    """The organisations the person is no longer a contact of (empty: they were none's)."""

    organisations: tuple[str, ...]


class Privacy:
    """Export, erasure, the privacy notice with its opt-out, and retention."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 deliveries: Deliveries, roster: Roster, settings: PrivacySettings | None = None) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._roster = roster
        self.settings = settings or PrivacySettings()
        self._confirmations = Confirmations(self.settings.signing_key)
        deliveries.register(PERSONAL_DATA, self._compose_data)
        # A roster import can bring hundreds of new contacts: their notices wait for any
        # invitation due at the same time, which matters more (an urgent call after an import).
        deliveries.register(PRIVACY_NOTICE, self._compose_notice, background=True)
        deliveries.register(OPTED_OUT, self._compose_opted_out)
        # The one place contacts are added (the form, the commands, the CSV import, a suggestion).
        roster.on_contact_added(self.contact_added)

    def request_export(self, actor: Actor) -> ExportRequested:
        """Send `actor` everything the bot holds about them, as a message with a download link."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            self._deliveries.plan(
                session, workspace_id=workspace.id, kind=PERSONAL_DATA,
                key=f"personal-data:{secrets.token_urlsafe(24)}",
                destination=Destination.person(actor.person), due_at=self._clock.now())
        self._deliveries.wake()
        return ExportRequested(LINK_TTL)

    def export(self, actor: Actor, person: PersonRef) -> dict[str, Any]:
        """Everything the bot holds about `person` (the person themselves, or a coordinator: audited)."""
        person = _stored(person)
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            if person != actor.person:
                self._require_coordinator(session, workspace, actor)
                self._audit(session, workspace, actor, "privacy.export", person.user_id)
            return personal_data(session, workspace, person, self._clock.now())

    def download(self, key: str) -> bytes | None:
        """The document behind a download link while it works (None: unknown, expired or erased).
        Only reads: mail scanners and link previews may open it."""
        raw_id, _, nonce = key.partition(".")
        if not raw_id.isdigit() or not nonce or len(raw_id) > 18:
            return None
        with self._sessions() as session:
            delivery = session.get(Delivery, int(raw_id))
            if delivery is None or delivery.kind != PERSONAL_DATA:
                return None
            if not hmac.compare_digest(_nonce(delivery).encode(), nonce.encode()):
                return None
            if self._clock.now() >= delivery.created_at + LINK_TTL:
                return None
            workspace = session.get(Workspace, delivery.workspace_id)
            if workspace is None:
                return None
            document = personal_data(session, workspace, _person(delivery), self._clock.now())
        return _dump(document).encode("utf-8")

    def erasure_question(self, actor: Actor, person: PersonRef | None = None) -> ErasureQuestion:
        """What erasing `person` (None: the actor) would touch, and the confirmation to erase it
        (coordinators for anyone, anyone for themselves)."""
        target = _stored(person or actor.person)
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            if target != actor.person:
                self._require_coordinator(session, workspace, actor)
            document = personal_data(session, workspace, target, self._clock.now())
        if not holds_anything(document):
            raise NotFound(text(N_("The bot holds nothing about that person.")) if target != actor.person
                           else text(N_("The bot holds nothing about you.")))
        until = self._clock.now() + CONFIRM_TTL
        token = self._confirmations.issue(actor.workspace, target, actor.person, until)
        return ErasureQuestion(target, target == actor.person, counts_of(document), token, until)

    def erase(self, actor: Actor, token: str) -> Erased:
        """Erase the person a question was asked about, once its asker confirms in time, once: the
        token must be one this service issued, unchanged, unexpired and unused."""
        now = self._clock.now()
        confirmation = self._confirmations.read(actor.workspace, token)
        if confirmation.by != actor.person:
            # A confirmation belongs to whoever was asked; anyone else's click is refused.
            raise NotAllowed(text(N_("Only whoever asked to erase this can confirm it.")))
        if now > confirmation.until:
            raise NotAllowed(text(N_("That question has expired. Ask again to erase.")))
        target = confirmation.person
        yourself = target == actor.person
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            if not yourself:
                self._require_coordinator(session, workspace, actor)
            # Under the workspace's lock: two clicks on one button erase once.
            if self._confirmations.used(session, workspace, confirmation, CONFIRM_TTL):
                raise NotAllowed(text(N_("That erasure is done already. Ask again to erase anything new.")))
            pseudonym = new_pseudonym()
            done = erase_person(session, workspace, target, pseudonym, now, self._deliveries)
            # Who and when, never whom: someone erasing themselves is recorded as the pseudonym.
            who = Actor(actor.workspace, PersonRef(target.platform, pseudonym)) if yourself else actor
            self._audit(session, workspace, who, ERASE_ACTION, pseudonym, rows=sum(done.values()),
                        own=yourself, confirmation=confirmation.nonce)
        log.info("erased a person: %d rows in %d tables", sum(done.values()), len(done))
        self._deliveries.wake()
        return Erased(yourself, sum(done.values()))

    def opt_out(self, actor: Actor) -> OptedOut:
        """The privacy notice's opt-out: `actor` is no longer a contact of any organisation, and the
        coordinators are told."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            organisations = organisations_of(session, workspace, actor.person)
            for organisation in organisations:
                self._roster.drop_contact(session, workspace, organisation, actor.person)
            names = tuple(o.name for o in organisations)
            if not names:
                return OptedOut(())
            entry = self._audit(session, workspace, actor, "privacy.opt_out", ", ".join(names)[:200],
                                organisations=list(names))
            session.flush()
            for coordinator in coordinators_of(session, workspace):
                self._deliveries.plan(session, workspace_id=workspace.id, kind=OPTED_OUT,
                                      key=f"opted-out:{entry.id}", due_at=now,
                                      destination=Destination.person(coordinator))
        self._deliveries.wake()
        return OptedOut(names)

    def contact_added(self, session: Session, workspace_id: int, people: Sequence[PersonRef]) -> None:
        """Plan the privacy notice for new contacts, in the roster's transaction; once per person."""
        if not self.settings.notices:
            return
        now = self._clock.now()
        # In bulk: a CSV import makes hundreds of contacts at once.
        self._deliveries.plan_many(session, workspace_id=workspace_id, planned=[
            Planned(PRIVACY_NOTICE, "privacy-notice", Destination.person(person), now) for person in people])

    def retention(self, *, dry_run: bool = False) -> RetentionReport:
        """Remove what is older than the retention limit, or (`dry_run`) count it."""
        cutoff = self._clock.now() - self.settings.retention
        if dry_run:
            with self._sessions() as session:
                return apply_retention(session, cutoff, dry_run=True)
        with self._sessions.begin() as session:
            return apply_retention(session, cutoff, dry_run=False)

    def _require_coordinator(self, session: Session, workspace: Workspace, actor: Actor) -> None:
        if not is_coordinator(session, workspace, actor.person):
            raise NotAllowed(text(N_("Only coordinators can do that for someone else; anyone can for "
                                     "themselves.")))

    def _audit(self, session: Session, workspace: Workspace, actor: Actor, action: str, subject: str,
               **details: object) -> AuditEntry:
        entry = AuditEntry(workspace_id=workspace.id, actor_platform=actor.person.platform,
                           actor_user_id=actor.person.user_id, action=action, subject=subject,
                           details=dict(details), at=self._clock.now())
        session.add(entry)
        return entry

    def _compose_data(self, session: Session, delivery: Delivery) -> PersonalDataReady | None:
        workspace = session.get(Workspace, delivery.workspace_id)
        if workspace is None:
            return None
        document = personal_data(session, workspace, _person(delivery), self._clock.now())
        return PersonalDataReady(counts_of(document), _dump(document), f"{delivery.id}.{_nonce(delivery)}",
                                 delivery.created_at + LINK_TTL)

    def _compose_notice(self, session: Session, delivery: Delivery) -> PrivacyNotice | None:
        workspace = session.get(Workspace, delivery.workspace_id)
        if workspace is None:
            return None
        organisations = organisations_of(session, workspace, _person(delivery))
        if not organisations:
            return None  # no longer a contact by the time it would go out: nothing to tell
        return PrivacyNotice(tuple(o.name for o in organisations), self.settings.controller,
                             self.settings.privacy_contact, self.settings.retention)

    def _compose_opted_out(self, session: Session, delivery: Delivery) -> ContactOptedOut | None:
        raw_id = delivery.dedupe_key.split(":")[1]
        entry = session.get(AuditEntry, int(raw_id)) if raw_id.isdigit() else None
        if entry is None:
            return None
        person = (None if is_pseudonym(entry.actor_user_id)
                  else PersonRef(entry.actor_platform, entry.actor_user_id))
        return ContactOptedOut(person, tuple((entry.details or {}).get("organisations", ())))


def _stored(person: PersonRef) -> PersonRef:
    """`person` as the rows name them: an address as typed (`Kari@Example.org`) is stored in its
    one spelling, so a coordinator asking about it finds everything."""
    if person.platform != EMAIL:
        return person
    return PersonRef(EMAIL, normalise_address(person.user_id))


def _person(delivery: Delivery) -> PersonRef:
    return PersonRef(delivery.dest_platform, delivery.dest_id)


def _nonce(delivery: Delivery) -> str:
    # The key is "personal-data:<nonce>:<destination>"; the nonce has no colon (token_urlsafe).
    return delivery.dedupe_key.split(":")[1]


def _dump(document: dict[str, Any]) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
