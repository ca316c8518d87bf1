"""Follow-up that closes: a follow-up point's status (open, in progress, done), set with one click
by the contacts of the organisation that owns it, or by a coordinator (who alone follows up for
the city). Every copy showing a point follows a change: the due-date reminder, the minutes, and
the next meeting's invitations and agenda ("Follow-up from last time")."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.action_items import item_rows
from services.clock import Clock
from services.deliveries import Deliveries
from services.errors import Field, NotAllowed, NotFound
from services.i18n import N_, Text, text
from services.messages import ActionItemView
from services.minutes import refresh_follow_up
from services.people import Actor, PersonRef
from services.workspaces import Workspaces, audit, is_coordinator
from storage.models import ActionItem, Contact, FollowUpStatus, Meeting, Organisation


@dataclass(frozen=True)
class StatusOutcome:
    """What a status change did: the point as it is now, its meeting, and whether it changed."""

    item: ActionItemView
    meeting_title: str
    changed: bool


class FollowUp:
    """Sets a follow-up point's status."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 deliveries: Deliveries) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries

    def set_status(self, actor: Actor, meeting_number: int, position: int,
                   status: FollowUpStatus) -> StatusOutcome:
        """Set point `position` of meeting `meeting_number`'s minutes to `status`; for the owner's
        contacts and coordinators only."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            found = session.execute(
                select(ActionItem, Meeting)
                .join(Meeting, Meeting.id == ActionItem.meeting_id)
                .where(Meeting.workspace_id == workspace.id, Meeting.number == meeting_number,
                       ActionItem.position == position)
                .with_for_update(of=ActionItem)
            ).first()
            if found is None:
                raise NotFound(text(
                    N_("There is no follow-up point {ref}. The minutes number each meeting's points "
                       "(meeting 3, point 2: 3.2)."), ref=f"{meeting_number}.{position}"))
            item, meeting = found
            if not (is_coordinator(session, workspace, actor.person)
                    or _speaks_for_owner(session, item, actor.person)):
                raise NotAllowed(_not_yours(session, item, f"{meeting_number}.{position}"),
                                 field=Field.ACTION_ITEM)
            changed = item.status != status
            if changed:
                item.status = status
                item.status_changed_at = now
                item.status_changed_by_platform = actor.person.platform
                item.status_changed_by_user_id = actor.person.user_id
                # Every copy showing the point follows: the reminder (with its buttons), the minutes
                # (channel and each reader's DM, draft or final) and the next meeting's invitations.
                refresh_follow_up(session, self._deliveries, meeting)
                audit(session, workspace, actor, "follow_up.status", f"meeting {meeting_number}", self._clock,
                      point=position, status=str(status))
            [view] = [v for i, v in item_rows(session, meeting.id) if i == item.id]
            title = meeting.title
        if changed:
            self._deliveries.wake()
        return StatusOutcome(view, title, changed)


def _speaks_for_owner(session: Session, item: ActionItem, person: PersonRef) -> bool:
    if item.owner_organisation_id is None:
        return False  # the city's points are followed up by its coordinators
    return session.scalar(
        select(Contact.id).where(Contact.organisation_id == item.owner_organisation_id,
                                 Contact.platform == person.platform, Contact.user_id == person.user_id)
    ) is not None


def _not_yours(session: Session, item: ActionItem, ref: str) -> Text:
    if item.owner_organisation_id is None:
        return text(N_("Follow-up point {ref} is the city's: only a coordinator can change its status."),
                    ref=ref)
    owner = session.get(Organisation, item.owner_organisation_id)
    return text(N_("Only the contacts of {owner} or a coordinator can change the status of follow-up "
                   "point {ref}."), owner=owner.name if owner else "?", ref=ref)
