"""E-mail contacts in the domain: what an address is, who stopped e-mail, and the e-mail copy of
what chat could not deliver.

An e-mail address is a person on the `EMAIL` platform (`PersonRef(EMAIL, address)`), so the
roster, invitations, answers, topics and the delivery engine treat them as anyone else. A chat
contact may also have an address (`Contact.email`): they are written to in chat, and only a
message chat refused for good is sent to that address instead (`fallback`: the engine reroutes
that row, which stays the same message for the same person, so what follows it, a change or a
cancellation, knows the invitation reached them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.errors import Field, InvalidInput, NotFound
from services.i18n import N_, text
from services.people import EMAIL, Actor, DestinationKind, PersonRef, WorkspaceRef
from services.workspaces import Workspaces
from storage.models import Contact, Coordinator, Delivery, Organisation, Person, Workspace
from storage.models.base import ID_LENGTH

log = logging.getLogger(__name__)

# Addresses are at most 254 characters (RFC 5321's path limit less the brackets).
MAX_ADDRESS = min(254, ID_LENGTH)


def looks_like_address(value: str) -> bool:
    """Whether `value` is meant as an e-mail address (it has an @ that is not a chat mention)."""
    value = value.strip()
    return "@" in value.lstrip("@") and not value.startswith("<@")


def normalise_address(value: str, *, field: Field = Field.CONTACTS) -> str:
    """`value` as the one spelling the bot stores and compares (lower case, Unicode domain
    normalised); raises InvalidInput, naming the address, when it is not a deliverable address."""
    cleaned = value.strip()
    if cleaned.lower().startswith("mailto:"):
        cleaned = cleaned[len("mailto:"):]
    if any(ch in cleaned for ch in "\r\n\0"):
        # A line break in an address would be a header of its own in every e-mail to it.
        raise InvalidInput(text(N_("“{address}” is not an e-mail address: it has a line break in it."),
                                address=cleaned.replace("\r", " ").replace("\n", " ")[:80]), field=field)
    try:
        # Syntax only: a look-up in the DNS would wait on the network before anything is written,
        # and the mail server's own answer on sending is the real test (a failure is reported).
        checked = validate_email(cleaned, check_deliverability=False, allow_quoted_local=False,
                                 allow_domain_literal=False)
    except EmailNotValidError:
        # The library's reason is English only: the address and the shape to follow say enough.
        raise InvalidInput(text(N_("“{address}” is not an e-mail address. Write it like "
                                   "name@example.org."), address=cleaned[:80]), field=field) from None
    address = checked.normalized.lower()
    if len(address) > MAX_ADDRESS:
        raise InvalidInput(text(N_("“{address}” is too long for an e-mail address (at most {limit} "
                                   "characters)."), address=address[:80] + "…", limit=MAX_ADDRESS),
                           field=field)
    return address


@dataclass(frozen=True)
class MailOutcome:
    """A person's choice about e-mail, as it now stands."""

    address: str
    unsubscribed: bool
    changed: bool


class Mailing:
    """Who receives e-mail, and the e-mail copy of what chat could not deliver."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._requested: set[str] = set()
        self._private: set[str] = set()

    def requested(self, kind: str) -> None:
        """Say that deliveries of `kind` are sent only when the person asks (a link to their page):
        they go out even after the person stopped e-mail."""
        self._requested.add(kind)

    def private(self, kind: str) -> None:
        """Say that deliveries of `kind` carry one person's own data (their data export): never
        rerouted to the address the roster has for them, which may be an office's shared inbox."""
        self._private.add(kind)

    def unsubscribe(self, actor: Actor) -> MailOutcome:
        """Stop e-mail to `actor` (an e-mail contact); they stay a contact and can take it back."""
        return self._set(actor, stop=True)

    def resubscribe(self, actor: Actor) -> MailOutcome:
        """Send e-mail to `actor` again."""
        return self._set(actor, stop=False)

    def is_unsubscribed(self, actor: Actor) -> bool:
        """Whether `actor` (an address, or a chat contact's own address) asked for no more e-mail."""
        with self._sessions.begin() as session:
            workspace = _existing(session, actor.workspace)
            return unsubscribed(session, workspace.id, actor.person)

    def suppressed(self, session: Session, delivery: Delivery) -> bool:
        """Whether the person a delivery goes to asked for no more messages there (the engine
        skips the row as it comes due)."""
        # A row rerouted to someone's address counts by the address, as one sent there at first.
        platform = delivery.via_platform or delivery.dest_platform
        where = delivery.via_id or delivery.dest_id
        if (platform != EMAIL or delivery.kind in self._requested
                or (delivery.via_platform is None and delivery.dest_kind != DestinationKind.PERSON)):
            return False
        person = _person(session, delivery.workspace_id, PersonRef(EMAIL, where))
        return person is not None and person.unsubscribed_at is not None

    def _set(self, actor: Actor, *, stop: bool) -> MailOutcome:
        now = self._clock.now()
        with self._sessions.begin() as session:
            # A link's workspace is read, never created: a stop link for a workspace this bot
            # does not serve changes nothing.
            workspace = _existing(session, actor.workspace)
            mailbox = mail_person(session, workspace.id, actor.person)
            if mailbox is None:
                raise InvalidInput(text(N_("Only e-mail contacts can stop or restart e-mail here.")))
            person = _person(session, workspace.id, mailbox)
            if person is None:
                person = Person(workspace_id=workspace.id, platform=EMAIL, user_id=mailbox.user_id,
                                created_at=now, updated_at=now)
                session.add(person)
            was = person.unsubscribed_at is not None
            if was != stop:
                person.unsubscribed_at = now if stop else None
                person.updated_at = now
            return MailOutcome(mailbox.user_id, stop, was != stop)

    def fallback(self, session: Session, delivery: Delivery) -> PersonRef | None:
        """Where a message chat refused for good goes instead: the chat contact's own e-mail
        address on the roster, unless they stopped e-mail (the engine reroutes the row there)."""
        if (delivery.dest_kind != DestinationKind.PERSON or delivery.dest_platform == EMAIL
                or delivery.kind in self._private):
            return None
        if session.scalar(select(Coordinator.id).where(
                Coordinator.workspace_id == delivery.workspace_id,
                Coordinator.platform == delivery.dest_platform,
                Coordinator.user_id == delivery.dest_id)) is not None:
            # A coordinator's messages (who opted out, comments, an urgent call's report) and the
            # links in them are for the coordinator alone: never sent to an address that may be
            # an office's shared inbox. Chat refusing a coordinator is for an operator to mend.
            return None
        mailbox = mail_person(session, delivery.workspace_id,
                              PersonRef(delivery.dest_platform, delivery.dest_id))
        if mailbox is None:
            return None
        address = mailbox.user_id
        person = _person(session, delivery.workspace_id, PersonRef(EMAIL, address))
        if person is not None and person.unsubscribed_at is not None and delivery.kind not in self._requested:
            return None
        return PersonRef(EMAIL, address)


def mail_person(session: Session, workspace_id: int, person: PersonRef) -> PersonRef | None:
    """The address `person` is e-mailed at: their own if they are an e-mail contact, the one the
    roster has for a chat contact, else None."""
    if person.platform == EMAIL:
        return person
    address = session.scalar(
        select(Contact.email).join(Organisation, Organisation.id == Contact.organisation_id)
        .where(Organisation.workspace_id == workspace_id, Organisation.archived_at.is_(None),
               Contact.platform == person.platform, Contact.user_id == person.user_id,
               Contact.email.is_not(None))
        .order_by(Contact.id).limit(1))
    return PersonRef(EMAIL, address) if address else None


def unsubscribed(session: Session, workspace_id: int, person: PersonRef) -> bool:
    """Whether the address `person` is e-mailed at asked for no more e-mail."""
    mailbox = mail_person(session, workspace_id, person)
    found = _person(session, workspace_id, mailbox) if mailbox else None
    return found is not None and found.unsubscribed_at is not None


def _existing(session: Session, ref: WorkspaceRef) -> Workspace:
    found = session.scalar(select(Workspace).where(Workspace.platform == ref.platform,
                                                   Workspace.external_id == ref.external_id))
    if found is None:
        raise NotFound(text(N_("This link does not lead anywhere any more.")))
    return found


def _person(session: Session, workspace_id: int, person: PersonRef) -> Person | None:
    return session.scalar(select(Person).where(
        Person.workspace_id == workspace_id, Person.platform == person.platform,
        Person.user_id == person.user_id))
