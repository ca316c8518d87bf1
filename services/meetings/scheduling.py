"""Scheduling meetings: schedule, urgent calls, inviting more organisations, cancelling, and
keeping upcoming meetings in step with the roster. Plans every invitee's messages."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from services.deliveries import Planned
from services.errors import Conflict, Field, InvalidInput, raise_field_errors
from services.i18n import N_, text
from services.meetings.audience import meeting_audience
from services.meetings.base import MeetingsBase
from services.meetings.cards import meeting_card
from services.meetings.common import (
    CANCELLED,
    INVITE,
    NUDGE,
    PROGRESS,
    REASON_MAX,
    REMINDER,
    SPACES,
    fold,
    urgent_nudge_at,
)
from services.meetings.history import chair_errors, refresh_copies
from services.meetings.outcomes import InviteOutcome, ScheduleForm, ScheduleOutcome
from services.meetings.queries import timing_version
from services.messages import MeetingCard
from services.people import Actor, Destination, DestinationKind, PersonRef
from services.reachability import unreachable_organisations
from services.roster import card_of, find_organisation
from services.timeutil import after, before, local_to_utc
from services.workdays import invitation_time
from services.workspaces import audit, next_number, require_coordinator
from storage.models import (
    Delivery,
    DeliveryState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingOrganisation,
    MeetingState,
    MeetingTopic,
    Organisation,
    Role,
    Tier,
    Topic,
    TopicState,
    Workspace,
)


class Scheduling(MeetingsBase):
    """Use cases that create a meeting or change who it reaches."""

    def local_start(self, day: date, at: time) -> datetime:
        """The instant of the wall-clock time `at` on `day` in the meetings' zone, as typed."""
        return local_to_utc(day, at, self._timings.timezone)

    def schedule(
        self,
        actor: Actor,
        *,
        title: str,
        starts_at: datetime | None = None,
        duration_minutes: int = 60,
        video_link: str | None = None,
        topic_numbers: Sequence[int] = (),
        organisations: Sequence[str] = (),
        kind: MeetingKind = MeetingKind.REGULAR,
        background: str | None = None,
        chair: str | None = None,
        chair_person: PersonRef | None = None,
        day: date | None = None,
        at: time | None = None,
    ) -> ScheduleOutcome:
        """Schedule a meeting: the core organisations and `organisations` are invited at start − lead
        (an urgent one at once); the outcome says whether they went out, who they reach, and
        carries the advice. `chair` (a name as typed) and/or `chair_person` chair it for the city.

        The start is `starts_at`, or the wall-clock time `at` on `day` as typed, read in the
        meetings' zone (a time a DST change skips is refused)."""
        if starts_at is None:
            if day is None or at is None:
                raise ValueError("schedule needs starts_at, or the day and the time")
            starts_at = self.local_start(day, at)
        title = SPACES.sub(" ", title).strip()
        video_link = (video_link or "").strip() or None
        background = (background or "").strip() or None
        chair = SPACES.sub(" ", chair or "").strip() or None
        now = self._clock.now()
        self._validate(title, starts_at, duration_minutes, video_link, now, background=background)
        raise_field_errors(chair_errors(chair))
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            clash = session.scalar(
                select(Meeting).where(
                    Meeting.workspace_id == workspace.id,
                    Meeting.starts_at == starts_at,
                    Meeting.state != MeetingState.CANCELLED,
                )
            )
            if clash is not None and fold(clash.title) == fold(title):
                raise Conflict(
                    text(N_("Meeting {number} “{title}” is already scheduled at that time."),
                         number=clash.number, title=clash.title),
                    field=Field.TITLE,
                )
            if kind == MeetingKind.URGENT:
                self._not_a_repeat(session, workspace, title, now)
            topics = [self._open_topic(session, workspace, n) for n in dict.fromkeys(topic_numbers)]
            for topic in topics:
                self._not_elsewhere(session, None, topic)
            chosen = [find_organisation(session, workspace, name) for name in organisations]
            lead, zone = self._timings.invite_lead, self._timings.timezone
            # Never on a weekend or public holiday: moved back to the working day before (and said so).
            invite_at = now if kind == MeetingKind.URGENT else invitation_time(starts_at, lead, zone, now)
            brought_forward = now < invite_at < before(starts_at, lead, zone)
            meeting = Meeting(
                workspace_id=workspace.id,
                number=next_number(session, workspace.id, "meeting"),
                title=title,
                kind=kind,
                state=MeetingState.SCHEDULED,
                starts_at=starts_at,
                duration_minutes=duration_minutes,
                video_link=video_link,
                background=background,
                chair=chair,
                chair_platform=chair_person.platform if chair_person else None,
                chair_user_id=chair_person.user_id if chair_person else None,
                invite_at=invite_at,
                version=1,
                calendar_token=secrets.token_urlsafe(24),
                created_by_platform=actor.person.platform,
                created_by_user_id=actor.person.user_id,
                created_at=now,
                updated_at=now,
            )
            session.add(meeting)
            session.flush()
            for topic in topics:
                self._moves.put_on_agenda(session, meeting, topic)
            core = session.scalars(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id,
                    Organisation.tier == Tier.CORE,
                    Organisation.archived_at.is_(None),
                )
                # One query for every contact: a lazy load per organisation would also flush the
                # invitations added so far, each time (thousands of organisations in a crisis).
                .options(selectinload(Organisation.contacts))
            ).all()
            have: set[tuple[int, str, str]] = set()
            for organisation in dict.fromkeys([*core, *chosen]):
                self._add_organisation(session, meeting, organisation, have=have)
            session.flush()
            channel = self._channels.of(workspace.platform)
            if channel is not None:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=INVITE, key=f"meeting:{meeting.id}:invite",
                    destination=channel, due_at=invite_at, meeting_id=meeting.id,
                    meeting_version=meeting.version,
                )
            if kind == MeetingKind.URGENT:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=PROGRESS, key=f"meeting:{meeting.id}:progress",
                    destination=Destination.person(actor.person), due_at=now, meeting_id=meeting.id,
                    meeting_version=meeting.version,
                )
            self._plan_for_invitees(session, meeting)
            audit(session, workspace, actor, f"meeting.{kind.value}", f"meeting {meeting.number}",
                  self._clock, title=title, starts_at=starts_at.isoformat(),
                  organisations=[o.name for o in chosen])
            card = meeting_card(session, meeting)
            reached = meeting_audience(session, meeting)
        self._deliveries.wake()
        return ScheduleOutcome(card, invite_at <= now, self._insights(actor, card.number),
                               brought_forward=brought_forward, audience=reached)

    def invite(self, actor: Actor, number: int, organisation_name: str) -> InviteOutcome:
        """Add an organisation to a meeting; its contacts are invited at once if invitations went out."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            organisation = find_organisation(session, workspace, organisation_name)
            if any(mo.organisation_id == organisation.id for mo in meeting.organisations):
                raise Conflict(
                    text(N_("“{organisation}” is already invited to meeting {number}."),
                         organisation=organisation.name, number=meeting.number)
                )
            role = self.invite_in(session, workspace, actor, meeting, organisation)
            outcome = InviteOutcome(
                meeting_card(session, meeting), organisation.name, role,
                len(organisation.contacts), meeting.invite_at <= now,
            )
        self._deliveries.wake()
        return replace(outcome, insights=self._insights(actor, number))

    def invite_in(self, session: Session, workspace: Workspace, actor: Actor, meeting: Meeting,
                  organisation: Organisation) -> Role:
        """Invite `organisation` to `meeting` (upcoming, and not inviting it yet) in the caller's
        transaction: its contacts' messages are planned and the channel post follows."""
        role = self._add_organisation(session, meeting, organisation)
        session.flush()
        self._plan_for_invitees(session, meeting)
        # Every copy lists who is invited: the channel post and each person's invitation.
        refresh_copies(session, self._deliveries, meeting.id)
        audit(session, workspace, actor, "meeting.invite", f"meeting {meeting.number}",
              self._clock, organisation=organisation.name)
        return role

    def cancellable(self, actor: Actor, number: int, reason: str | None = None) -> MeetingCard:
        """The meeting a coordinator asks to cancel, checked as `cancel` would, with nothing changed:
        the question "cancel it?" is only asked when the answer can be carried out."""
        _cancel_reason(reason)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = self._find(session, workspace, number)
            self._require_upcoming(meeting, now)
            return meeting_card(session, meeting)

    def cancel(self, actor: Actor, number: int, reason: str | None = None) -> MeetingCard:
        """Cancel a meeting, with an optional `reason` passed on: everyone who got the invitation is
        told, and every copy (the channel post, each invitation) says so, without answer buttons."""
        reason = _cancel_reason(reason)
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            meeting.state = MeetingState.CANCELLED
            meeting.cancel_reason = reason
            meeting.version += 1
            meeting.updated_at = now
            # Only people who got an invitation need to hear it is off.
            told = session.scalars(
                select(Delivery).where(
                    Delivery.meeting_id == meeting.id,
                    Delivery.kind == INVITE,
                    Delivery.dest_kind == DestinationKind.PERSON,
                    Delivery.state.in_((DeliveryState.SENT, DeliveryState.SENDING)),
                )
            ).all()
            for delivery in told:
                self._deliveries.plan(
                    session, workspace_id=workspace.id, kind=CANCELLED,
                    key=f"meeting:{meeting.id}:cancelled",
                    destination=Destination(delivery.dest_platform, DestinationKind.PERSON, delivery.dest_id,
                                            delivery.language_hint),
                    due_at=now, meeting_id=meeting.id, meeting_version=meeting.version,
                )
            links = session.scalars(select(MeetingTopic).where(MeetingTopic.meeting_id == meeting.id))
            for link in links:
                topic = session.get(Topic, link.topic_id)
                if topic is not None:
                    self._moves.back_to_backlog(session, meeting, topic)
            refresh_copies(session, self._deliveries, meeting.id)
            audit(session, workspace, actor, "meeting.cancel", f"meeting {meeting.number}", self._clock,
                  reason=reason)
            card = meeting_card(session, meeting)
        self._deliveries.wake()
        return card

    def schedule_form(self, actor: Actor) -> ScheduleForm:
        """The choices for the scheduling form (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            topics = session.scalars(
                select(Topic)
                .where(Topic.workspace_id == workspace.id, Topic.state == TopicState.PROPOSED)
                .order_by(Topic.number)
            ).all()
            organisations = session.scalars(
                select(Organisation)
                .where(Organisation.workspace_id == workspace.id, Organisation.archived_at.is_(None))
                .order_by(Organisation.name_key)
            ).all()
            return ScheduleForm(
                topics=tuple((t.number, t.title) for t in topics),
                organisations=tuple(card_of(o) for o in organisations if o.tier != Tier.CORE),
                core=tuple(o.name for o in organisations if o.tier == Tier.CORE),
                core_without_contact=tuple(o.name for o in organisations
                                           if o.tier == Tier.CORE and not o.contacts),
                unreachable=unreachable_organisations(session, workspace),
            )

    def organisation_changed(self, session: Session, workspace: Workspace,
                             organisation: Organisation) -> None:
        """Bring upcoming meetings in step with a roster change: a core organisation is invited to
        all of them, new contacts are invited, and the channel posts show who is invited now."""
        now = self._clock.now()
        upcoming = session.scalars(
            select(Meeting).where(
                Meeting.workspace_id == workspace.id,
                Meeting.state == MeetingState.SCHEDULED,
                Meeting.starts_at > now,
            )
        ).all()
        active = organisation.archived_at is None
        for meeting in upcoming:
            link = next((mo for mo in meeting.organisations if mo.organisation_id == organisation.id), None)
            added = link is None and active and organisation.tier == Tier.CORE
            if added:
                self._add_organisation(session, meeting, organisation)
            elif link is not None and active:
                self._invite_contacts(session, meeting, organisation, link.role)
            elif link is None:
                continue
            session.flush()
            self._plan_for_invitees(session, meeting)
            if added or not active:
                # Who is invited changed: every copy lists them, each person's invitation too.
                refresh_copies(session, self._deliveries, meeting.id)
            else:
                self._refresh_post(session, meeting.id)

    def _add_organisation(self, session: Session, meeting: Meeting, organisation: Organisation, *,
                          have: set[tuple[int, str, str]] | None = None) -> Role:
        """Invite `organisation` and its contacts; `have`, when given, is the meeting's invitations
        as (organisation, platform, user), kept up to date across calls (saves a rescan each)."""
        role = Role.OBSERVER if organisation.tier == Tier.OBSERVER else Role.PARTICIPANT
        meeting.organisations.append(
            MeetingOrganisation(organisation_id=organisation.id, role=role, added_at=self._clock.now())
        )
        self._invite_contacts(session, meeting, organisation, role, have=have)
        return role

    def _invite_contacts(self, session: Session, meeting: Meeting, organisation: Organisation,
                         role: Role, *, have: set[tuple[int, str, str]] | None = None) -> None:
        if have is None:
            have = {(i.organisation_id, i.platform, i.user_id) for i in meeting.invitations}
        for contact in organisation.contacts:
            if (organisation.id, contact.platform, contact.user_id) not in have:
                have.add((organisation.id, contact.platform, contact.user_id))
                meeting.invitations.append(
                    Invitation(organisation_id=organisation.id, platform=contact.platform,
                               user_id=contact.user_id, created_at=self._clock.now())
                )

    def _plan_for_invitees(self, session: Session, meeting: Meeting) -> None:
        """Plan each invitee's invitation, reminders and their organisation's nudge (idempotent)."""
        now = self._clock.now()
        urgent = meeting.kind == MeetingKind.URGENT
        reminders = self._timings.urgent_reminders if urgent else self._timings.reminders
        invite_due = max(meeting.invite_at, now)
        added = {mo.organisation_id: mo.added_at for mo in meeting.organisations}
        languages = {mo.organisation_id: mo.organisation.language for mo in meeting.organisations}
        # Reminders and nudges are timed from the start: once it has moved, they are planned anew
        # under keys of their own (see `timing_version`); before that, under the first keys.
        timing = timing_version(session, meeting.id)
        moved = f":t{timing}" if timing > 1 else ""
        # The reminders' times are the same for everyone: worked out once, not per invitee.
        reminder_dues = [
            (f"meeting:{meeting.id}:remind:{int(lead.total_seconds())}{moved}", due)
            for lead in reminders
            for due in [before(meeting.starts_at, lead, self._timings.timezone)]
            # A reminder that would come before (or with) the invitation is pointless.
            if due > meeting.invite_at and due > now
        ]
        planned: list[Planned] = []
        for invitation in meeting.invitations:
            person = Destination(invitation.platform, DestinationKind.PERSON, invitation.user_id,
                                 languages.get(invitation.organisation_id))
            common = dict(destination=person, meeting_id=meeting.id, meeting_version=meeting.version)
            planned.append(Planned(INVITE, f"meeting:{meeting.id}:invite", due_at=invite_due, **common))
            planned.extend(Planned(REMINDER, key, due_at=due, **common) for key, due in reminder_dues)
            # Counted from when this organisation was invited, which may be after the others.
            invited_at = max(meeting.invite_at, added.get(invitation.organisation_id, meeting.invite_at))
            # An urgent call nudges a couple of hours before the start, if time allows (see common).
            nudge_due = (urgent_nudge_at(invited_at, meeting.starts_at) if urgent
                         else after(invited_at, self._timings.nudge_after, self._timings.timezone))
            if nudge_due is not None and now < nudge_due < meeting.starts_at:
                planned.append(Planned(
                    NUDGE, f"meeting:{meeting.id}:nudge:{invitation.organisation_id}{moved}",
                    due_at=nudge_due, organisation_id=invitation.organisation_id, **common,
                ))
        # One query for what is planned already and one bulk insert, in the caller's transaction.
        self._deliveries.plan_many(session, workspace_id=meeting.workspace_id, planned=planned)


def _cancel_reason(reason: str | None) -> str | None:
    """A cancellation's reason as passed on (spaces collapsed; None if none), within bounds."""
    reason = SPACES.sub(" ", reason or "").strip() or None
    if reason is not None and len(reason) > REASON_MAX:
        raise InvalidInput(text(N_("Keep the reason to {max} characters."), max=REASON_MAX),
                           field=Field.REASON)
    return reason
