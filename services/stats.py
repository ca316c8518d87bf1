"""Statistics for coordinators: who takes part, which perspectives were present, who proposes (by
the three sides: the city, civil society, public agencies), and how fast people answer.
Perspectives are counted for organisations, never for people."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.meetings import INVITE
from services.people import Actor, DestinationKind
from services.sides import side_of
from services.workspaces import Workspaces, require_coordinator
from storage.models import (
    Delivery,
    DeliveryState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    Organisation,
    Role,
    Side,
    Tier,
    Topic,
)


@dataclass(frozen=True)
class OrganisationStats:
    """One organisation's participation in meetings whose invitations went out."""

    name: str
    tier: Tier
    invited: int
    answered: int
    attended: int  # of the meetings held with minutes (attendance recorded)
    held: int

    @property
    def side(self) -> Side:
        """Civil society, or a public agency (an observer organisation)."""
        return side_of(self.tier)

    @property
    def answer_rate(self) -> float:
        return self.answered / self.invited if self.invited else 0.0

    @property
    def attendance_rate(self) -> float:
        return self.attended / self.held if self.held else 0.0


@dataclass(frozen=True)
class MeetingStats:
    """Perspectives among a held meeting's invited participants, and among those present."""

    number: int
    title: str
    starts_at: datetime
    kind: str
    perspectives_invited: tuple[str, ...]
    perspectives_present: tuple[str, ...]


@dataclass(frozen=True)
class Stats:
    organisations: tuple[OrganisationStats, ...]
    meetings: tuple[MeetingStats, ...]
    proposals_by_side: dict[Side, int]  # every side, 0 where none
    median_answer_minutes: dict[str, float | None]  # by meeting kind


class StatsService:
    """Computes the statistics; coordinators only."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces

    def compute(self, actor: Actor) -> Stats:
        """All statistics for `actor`'s workspace."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meetings = session.scalars(
                select(Meeting).where(
                    Meeting.workspace_id == workspace.id,
                    Meeting.state != MeetingState.CANCELLED,
                    Meeting.invite_at <= now,
                ).order_by(Meeting.starts_at)
            ).all()
            per_org: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
            meeting_rows = []
            for meeting in meetings:
                held = meeting.state == MeetingState.HELD
                by_org: dict[int, list[Invitation]] = defaultdict(list)
                for invitation in meeting.invitations:
                    by_org[invitation.organisation_id].append(invitation)
                for link in meeting.organisations:
                    counts = per_org[link.organisation_id]
                    invitations = by_org.get(link.organisation_id, [])
                    counts["invited"] += 1
                    counts["answered"] += any(i.answer is not None for i in invitations)
                    if held:
                        counts["held"] += 1
                        counts["attended"] += any(i.attended for i in invitations)
                if held:
                    participants = [link.organisation for link in meeting.organisations
                                    if link.role == Role.PARTICIPANT]
                    present_ids = {oid for oid, invs in by_org.items() if any(i.attended for i in invs)}
                    meeting_rows.append(MeetingStats(
                        number=meeting.number, title=meeting.title, starts_at=meeting.starts_at,
                        kind=meeting.kind.value,
                        perspectives_invited=_perspectives(participants),
                        perspectives_present=_perspectives([o for o in participants if o.id in present_ids]),
                    ))
            organisations = session.scalars(
                select(Organisation).where(Organisation.workspace_id == workspace.id)
                .order_by(Organisation.name_key)
            ).all()
            org_rows = tuple(
                OrganisationStats(o.name, o.tier, c.get("invited", 0), c.get("answered", 0),
                                  c.get("attended", 0), c.get("held", 0))
                for o in organisations
                for c in [per_org.get(o.id, {})]
                # Organisations taken off the roster still count where they took part.
                if o.archived_at is None or c
            )
            sides = dict.fromkeys(Side, 0)
            proposers = session.scalars(select(Topic.proposer_side).where(Topic.workspace_id == workspace.id))
            for side in proposers:
                sides[side] += 1
            answer_minutes = self._answer_minutes(session, workspace.id)
        return Stats(org_rows, tuple(meeting_rows), sides, answer_minutes)

    def _answer_minutes(self, session: Session, workspace_id: int) -> dict[str, float | None]:
        """Median minutes from a person's invitation reaching them to their first answer, by kind."""
        rows = session.execute(
            select(Meeting.kind, Delivery.sent_at, Invitation.answered_at)
            .join(Invitation, Invitation.meeting_id == Meeting.id)
            .join(Delivery, (Delivery.meeting_id == Meeting.id) & (Delivery.kind == INVITE)
                  & (Delivery.dest_kind == DestinationKind.PERSON)
                  & (Delivery.dest_platform == Invitation.platform)
                  & (Delivery.dest_id == Invitation.user_id))
            .where(Meeting.workspace_id == workspace_id, Delivery.state == DeliveryState.SENT,
                   Invitation.answered_at.is_not(None))
        ).all()
        waits: dict[str, list[float]] = defaultdict(list)
        for kind, sent_at, answered_at in rows:
            if sent_at is not None and answered_at >= sent_at:
                waits[kind.value].append((answered_at - sent_at).total_seconds() / 60)
        return {kind.value: (statistics.median(waits[kind.value]) if waits[kind.value] else None)
                for kind in MeetingKind}


def _perspectives(organisations: list[Organisation]) -> tuple[str, ...]:
    return tuple(sorted({p.perspective for o in organisations for p in o.perspectives}))
