"""Who a meeting's invitation reaches: the one rule the urgent form's preview, every scheduling
confirmation and the urgent progress report count by, so they never disagree.

The rule: every active organisation invited counts, participants and observers alike (observers
get the invitation too, to listen in); every person who speaks for one of them on the roster
counts, once, however many organisations they speak for; an organisation nobody speaks for counts
among the organisations and is named as having no contact person.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deliveries import IN_CHUNK
from services.messages import Audience
from services.people import PersonRef
from storage.models import Contact, Meeting, MeetingOrganisation, Organisation, Role, Tier


@dataclass(frozen=True)
class Invitee:
    """An invited organisation with the people who speak for it now."""

    id: int
    name: str
    observer: bool
    people: frozenset[PersonRef] = field(default_factory=frozenset)
    language: str | None = None


def invitees(session: Session, organisation_ids: Iterable[int], *,
             observers: Iterable[int] | None = None) -> list[Invitee]:
    """The active organisations among `organisation_ids`, by name, each with its contacts;
    `observers` says which are invited as observers (default: those on the observer tier)."""
    ids = list(dict.fromkeys(organisation_ids))
    # Plain column queries, a chunk of ids at a time: a city-wide call invites thousands.
    found: list[tuple[int, str, Tier, str | None]] = []
    people: dict[int, set[PersonRef]] = {}
    for start in range(0, len(ids), IN_CHUNK):
        chunk = ids[start:start + IN_CHUNK]
        found.extend((i, name, tier, language) for i, name, tier, language in session.execute(
            select(Organisation.id, Organisation.name, Organisation.tier, Organisation.language)
            .where(Organisation.id.in_(chunk), Organisation.archived_at.is_(None))
        ))
        for organisation_id, platform, user_id in session.execute(
            select(Contact.organisation_id, Contact.platform, Contact.user_id)
            .where(Contact.organisation_id.in_(chunk))
        ):
            people.setdefault(organisation_id, set()).add(PersonRef(platform, user_id))
    watching = set(observers) if observers is not None else None
    return sorted(
        (Invitee(i, name, tier == Tier.OBSERVER if watching is None else i in watching,
                 frozenset(people.get(i, ())), language)
         for i, name, tier, language in found),
        key=lambda invitee: invitee.name.casefold(),
    )


def meeting_invitees(session: Session, meeting: Meeting) -> list[Invitee]:
    """The meeting's invited organisations still on the roster, with their contacts now."""
    links = session.execute(
        select(MeetingOrganisation.organisation_id, MeetingOrganisation.role)
        .where(MeetingOrganisation.meeting_id == meeting.id)
    ).all()
    return invitees(session, [i for i, _ in links],
                    observers=[i for i, role in links if role == Role.OBSERVER])


def audience(found: Iterable[Invitee]) -> Audience:
    """How many organisations and people invitations to `found` reach, and who has no contact."""
    found = list(found)
    people = {person for invitee in found for person in invitee.people}
    return Audience(len(found), len(people), tuple(i.name for i in found if not i.people))


def meeting_audience(session: Session, meeting: Meeting) -> Audience:
    """Who the meeting's invitations reach now, by the one rule."""
    return audience(meeting_invitees(session, meeting))
