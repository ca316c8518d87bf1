"""Which organisations on the roster nobody can reach: no contact person, or every contact's
latest message failed for good (an account closed, a person gone, a mail server's "no such user"),
or their e-mail contacts asked for no more e-mail. The scheduling and urgent forms flag them, so a
coordinator is not surprised by an invitation that reaches no one.

A chat contact with an e-mail address of their own is reached by e-mail when chat fails
(services/mailing.py), so they count as reachable while that address is."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.messages import Unreachable
from services.people import EMAIL, DestinationKind, PersonRef
from storage.models import Contact, Delivery, DeliveryState, Meeting, Organisation, Person, Workspace

_IN_CHUNK = 5000


@dataclass(frozen=True)
class UnreachableOrganisation:
    """An organisation on the roster its invitations would not reach, and why."""

    name: str
    reason: Unreachable


def unreachable_organisations(session: Session, workspace: Workspace,
                              names: Iterable[str] | None = None) -> tuple[UnreachableOrganisation, ...]:
    """The active organisations (of `names`, else all) nobody can reach, by name.

    A contact nobody has written to yet counts as reachable: only a failure is evidence."""
    query = (
        select(Organisation)
        .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
        .options(selectinload(Organisation.contacts))
        .order_by(Organisation.name_key)
    )
    if names is not None:
        query = query.where(Organisation.name.in_(list(names)))
    organisations = session.scalars(query).all()
    people = {(c.platform, c.user_id) for o in organisations for c in o.contacts}
    people |= {(EMAIL, c.email) for o in organisations for c in o.contacts if c.email is not None}
    failed = _latest_failed(session, workspace, people)
    stopped = _unsubscribed(session, workspace, {user for platform, user in people if platform == EMAIL})
    found = []
    for organisation in organisations:
        if not organisation.contacts:
            found.append(UnreachableOrganisation(organisation.name, Unreachable.NO_CONTACT))
            continue
        # Each contact's ways: their own (a chat person, or an address), then a chat person's address.
        reasons = [[_why_not(way, failed, stopped) for way in _ways(contact)]
                   for contact in organisation.contacts]
        if all(None not in ways for ways in reasons):
            # Said as "they stopped e-mail" only when every way to every one of them did.
            stopped_all = all(r == Unreachable.UNSUBSCRIBED for ways in reasons for r in ways)
            found.append(UnreachableOrganisation(
                organisation.name, Unreachable.UNSUBSCRIBED if stopped_all else Unreachable.NOT_DELIVERED))
    return tuple(found)


def _ways(contact: Contact) -> list[tuple[str, str]]:
    """How a contact is reached: as themselves, and (a chat person) at their own address."""
    ways = [(contact.platform, contact.user_id)]
    if contact.email is not None:
        ways.append((EMAIL, contact.email))
    return ways


def _why_not(way: tuple[str, str], failed: set[tuple[str, str]], stopped: set[str]) -> Unreachable | None:
    """Why a chat person or an address cannot be reached, or None if it can."""
    if way[0] == EMAIL and way[1] in stopped:
        return Unreachable.UNSUBSCRIBED
    return Unreachable.NOT_DELIVERED if way in failed else None


def _unsubscribed(session: Session, workspace: Workspace, addresses: set[str]) -> set[str]:
    """The addresses (of `addresses`) that asked for no more e-mail."""
    found: set[str] = set()
    ordered = sorted(addresses)
    for start in range(0, len(ordered), _IN_CHUNK):
        found.update(session.scalars(select(Person.user_id).where(
            Person.workspace_id == workspace.id, Person.platform == EMAIL,
            Person.user_id.in_(ordered[start:start + _IN_CHUNK]), Person.unsubscribed_at.is_not(None))))
    return found


def _latest_failed(session: Session, workspace: Workspace,
                   people: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The people whose latest settled message (sent or failed for good) failed."""
    user_ids = sorted({user for _, user in people})
    failed: set[tuple[str, str]] = set()
    for start in range(0, len(user_ids), _IN_CHUNK):
        chunk = user_ids[start:start + _IN_CHUNK]
        latest = (
            select(func.max(Delivery.id))
            .where(
                Delivery.workspace_id == workspace.id,
                Delivery.dest_kind == DestinationKind.PERSON.value,
                Delivery.dest_id.in_(chunk),
                Delivery.state.in_((DeliveryState.SENT, DeliveryState.FAILED)),
            )
            .group_by(Delivery.dest_platform, Delivery.dest_id)
        )
        rows = session.execute(
            select(Delivery.dest_platform, Delivery.dest_id)
            .where(Delivery.id.in_(latest), Delivery.state == DeliveryState.FAILED)
        ).all()
        failed.update((platform, user) for platform, user in rows if (platform, user) in people)
    return failed


@dataclass(frozen=True)
class Undelivered:
    """A person the bot could not write to, as a coordinator's report shows it: who (an address, or
    a chat person), for which organisations, why (the platform's or the mail server's words), when,
    and for which meeting, if the message was about one."""

    person: PersonRef
    organisations: tuple[str, ...]
    reason: str
    failed_at: datetime
    meeting_number: int | None = None


def undelivered(session: Session, workspace: Workspace, since: datetime, *,
                limit: int = 10) -> tuple[Undelivered, ...]:
    """The contacts whose latest message, failed for good since `since`, still stands as failed
    (nothing reached them after it), newest first."""
    latest = (
        select(func.max(Delivery.id))
        .where(Delivery.workspace_id == workspace.id, Delivery.dest_kind == DestinationKind.PERSON.value,
               Delivery.state.in_((DeliveryState.SENT, DeliveryState.FAILED)))
        .group_by(Delivery.dest_platform, Delivery.dest_id)
    )
    rows = session.execute(
        select(Delivery.dest_platform, Delivery.dest_id, Delivery.last_error, Delivery.attempted_at,
               Meeting.number)
        .outerjoin(Meeting, Meeting.id == Delivery.meeting_id)
        .where(Delivery.id.in_(latest), Delivery.state == DeliveryState.FAILED,
               Delivery.attempted_at >= since)
        .order_by(Delivery.attempted_at.desc(), Delivery.id.desc())
        .limit(limit)
    ).all()
    found = []
    for platform, user_id, reason, failed_at, number in rows:
        names = tuple(session.scalars(
            select(Organisation.name).join(Contact, Contact.organisation_id == Organisation.id)
            .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None),
                   Contact.platform == platform, Contact.user_id == user_id)
            .order_by(Organisation.name_key)))
        if names:
            # Only contacts: a coordinator's own failed message is the operator's log's business.
            found.append(Undelivered(PersonRef(platform, user_id), names, reason or "", failed_at, number))
    return tuple(found)
