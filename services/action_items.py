"""Follow-up points as people see them: a meeting's points, the points of the meeting held before
another ("Follow-up from last time"), and the points a person follows up.

Queries only, shared by the minutes, the meeting card, the Home tab and the status use case.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session, aliased

from services.messages import ActionItemView
from services.sides import side_of
from storage.models import (
    ActionItem,
    FollowUpStatus,
    Meeting,
    MeetingState,
    Organisation,
    Side,
)

# The Home tab lists at most this many points still to do.
SHOWN_MAX = 20


def _views(session: Session, *conditions: object, limit: int | None = None,
           order_by_due: bool = False) -> list[tuple[int, str, ActionItemView]]:
    query = (
        select(ActionItem, Organisation.name, Organisation.tier, Meeting.number, Meeting.title)
        .join(Meeting, Meeting.id == ActionItem.meeting_id)
        .outerjoin(Organisation, Organisation.id == ActionItem.owner_organisation_id)
        .where(*conditions)  # type: ignore[arg-type]
        .order_by(*((ActionItem.due_on, Meeting.number, ActionItem.position) if order_by_due
                    else (ActionItem.position,)))
    )
    if limit is not None:
        query = query.limit(limit)
    return [
        (item.id, title, ActionItemView(
            item.description, name, item.due_on, side_of(tier) if tier is not None else Side.CITY,
            item.status, number, item.position))
        for item, name, tier, number, title in session.execute(query).all()
    ]


def item_rows(session: Session, meeting_id: int) -> list[tuple[int, ActionItemView]]:
    """A meeting's follow-up points in order, each with its row id."""
    return [(item_id, view) for item_id, _, view in _views(session, ActionItem.meeting_id == meeting_id)]


def previous_points(session: Session, meeting: Meeting) -> tuple[ActionItemView, ...]:
    """"Follow-up from last time": the points of the meeting held before `meeting`, with status."""
    # One query: the points of the latest held meeting before this one.
    before = (
        select(Meeting.id)
        .where(Meeting.workspace_id == meeting.workspace_id, Meeting.state == MeetingState.HELD,
               Meeting.starts_at < meeting.starts_at, Meeting.id != meeting.id)
        .order_by(Meeting.starts_at.desc())
        .limit(1)
        .scalar_subquery()
    )
    return tuple(view for _, _, view in _views(session, ActionItem.meeting_id == before))


def carrying(session: Session, meeting: Meeting) -> list[int]:
    """The scheduled meetings that show `meeting`'s points as "Follow-up from last time" (see
    `previous_points`): those after it with no meeting held in between; usually just the next."""
    later, between = aliased(Meeting), aliased(Meeting)
    held_between = exists().where(
        between.workspace_id == meeting.workspace_id, between.state == MeetingState.HELD,
        between.id != meeting.id, between.starts_at > meeting.starts_at, between.starts_at < later.starts_at)
    return list(session.scalars(
        select(later.id)
        .where(later.workspace_id == meeting.workspace_id, later.state == MeetingState.SCHEDULED,
               later.id != meeting.id, later.starts_at > meeting.starts_at, ~held_between)
        .order_by(later.starts_at)
    ))


def points_for(session: Session, workspace_id: int, organisation_ids: list[int], *,
               city: bool) -> list[tuple[int, str, ActionItemView]]:
    """The workspace's points still to do (open or in progress) that `organisation_ids` own, and
    the city's when `city` (coordinators follow up for the city), soonest due first: (meeting
    number, meeting title, point)."""
    owners = []
    if organisation_ids:
        owners.append(ActionItem.owner_organisation_id.in_(organisation_ids))
    if city:
        owners.append(ActionItem.owner_organisation_id.is_(None))
    if not owners:
        return []
    return [(view.meeting_number, title, view) for _, title, view in _views(
        session, Meeting.workspace_id == workspace_id, or_(*owners), ActionItem.status != FollowUpStatus.DONE,
        limit=SHOWN_MAX, order_by_due=True)]
