"""Which organisations on the roster nobody can reach: no contact person, or every contact's
latest message failed for good (an account closed, a person gone). The scheduling and urgent forms
flag them, so a coordinator is not surprised by an invitation that reaches no one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from services.messages import Unreachable
from services.people import DestinationKind
from storage.models import Delivery, DeliveryState, Organisation, Workspace

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
    failed = _latest_failed(session, workspace, people)
    found = []
    for organisation in organisations:
        contacts = [(c.platform, c.user_id) for c in organisation.contacts]
        if not contacts:
            found.append(UnreachableOrganisation(organisation.name, Unreachable.NO_CONTACT))
        elif all(contact in failed for contact in contacts):
            found.append(UnreachableOrganisation(organisation.name, Unreachable.NOT_DELIVERED))
    return tuple(found)


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
