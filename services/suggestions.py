"""Who else should be invited: "check with civil society who is relevant and interested".

Anyone in the workspace may suggest an organisation (its name, how to reach it, the perspective
it brings, why, and optionally the meeting it fits); it is only a suggestion until a coordinator
adds it to the roster (and, while that meeting is ahead, invites it) or dismisses it. Whoever
suggested it is told which, by a delivery. Who suggested what is shown to coordinators only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries
from services.errors import Conflict, Field, InvalidInput, NotFound, raise_field_errors
from services.i18n import N_, Command, Hint, Text, text
from services.mailing import looks_like_address, normalise_address
from services.meetings import Meetings
from services.messages import SuggestionDecided
from services.people import Actor, Destination, PersonRef
from services.roster import OrganisationCard, Roster, card_of
from services.roster_rules import PERSPECTIVES, RosterRow, clean_entry, clean_name, name_key
from services.workspaces import Workspaces, audit, require_coordinator
from storage.models import (
    Delivery,
    Meeting,
    MeetingState,
    Organisation,
    OrganisationSuggestion,
    SuggestionState,
    Tier,
    Workspace,
)

SUGGESTION_DECIDED = "suggestion_decided"
REASON_MIN = 3
REASON_MAX = 1000
CONTACT_MAX = 200
MEETINGS_OFFERED = 25


@dataclass(frozen=True)
class SuggestionInput:
    """A suggestion as typed: the name and why are needed, the rest helps."""

    name: str
    reason: str
    contact: str = ""
    contact_person: PersonRef | None = None
    perspective: str | None = None
    meeting: int | None = None


@dataclass(frozen=True)
class SuggestionCard:
    """A suggestion as coordinators see it (the suggester is theirs to see, nobody else's)."""

    id: int
    name: str
    reason: str
    contact: str
    contact_person: PersonRef | None
    perspective: str | None
    meeting: tuple[int, str] | None  # (number, title)
    suggested_by: PersonRef
    state: str
    created_at: datetime


@dataclass(frozen=True)
class SuggestionForm:
    """What the suggestion form offers: the perspectives, and the meetings still ahead."""

    perspectives: tuple[str, ...]
    meetings: tuple[tuple[int, str], ...]


@dataclass(frozen=True)
class Decision:
    """A coordinator's decision on a suggestion. Accepted: the organisation on the roster (`added`:
    new there now, else it already was), and the meeting it was invited to now, or the meeting it
    was suggested for that is no longer ahead (`meeting_passed`)."""

    suggestion: SuggestionCard
    organisation: OrganisationCard | None = None
    added: bool = False
    invited_to: int | None = None
    meeting_passed: int | None = None


class Suggestions:
    """Suggestions of organisations: anyone suggests, a coordinator decides, the suggester is told."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 deliveries: Deliveries, roster: Roster, meetings: Meetings) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._deliveries = deliveries
        self._roster = roster
        self._meetings = meetings
        deliveries.register(SUGGESTION_DECIDED, self._compose)

    def form(self, actor: Actor) -> SuggestionForm:
        """The suggestion form's choices (anyone may suggest)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            ahead = self._ahead(session, workspace)
            return SuggestionForm(PERSPECTIVES, tuple((m.number, m.title) for m in ahead))

    def suggest(self, actor: Actor, given: SuggestionInput) -> SuggestionCard:
        """Record a suggestion from anyone; refused, helpfully, if the organisation is already on the
        roster or already suggested and waiting for a coordinator."""
        name, reason, contact = self._check(given)
        with self._sessions.begin() as session:
            workspace = self._workspaces.lock(session, actor.workspace)
            meeting = self._meeting_ahead(session, workspace, given.meeting) if given.meeting else None
            key = name_key(name)
            listed = session.scalar(select(Organisation).where(
                Organisation.workspace_id == workspace.id, Organisation.name_key == key,
                Organisation.archived_at.is_(None)))
            if listed is not None:
                invite = (Hint(Command.INVITE, (str(meeting.number), f'"{listed.name}"'))
                          if meeting is not None else Hint(Command.INVITE, (text(N_("<meeting-no>")),
                                                                            f'"{listed.name}"')))
                raise Conflict(
                    text(N_("“{name}” is already on the roster, so there is no need to suggest it. "
                            "A coordinator can invite it to a meeting with {invite}."),
                         name=listed.name, invite=invite),
                    field=Field.NAME,
                )
            waiting = session.scalar(select(OrganisationSuggestion).where(
                OrganisationSuggestion.workspace_id == workspace.id, OrganisationSuggestion.name_key == key,
                OrganisationSuggestion.state == SuggestionState.OPEN))
            if waiting is not None:
                raise Conflict(
                    text(N_("“{name}” has already been suggested and is waiting for a coordinator. "
                            "Thank you all the same."), name=waiting.name),
                    field=Field.NAME,
                )
            person = given.contact_person
            suggestion = OrganisationSuggestion(
                workspace_id=workspace.id, name=name, name_key=key, contact=contact,
                contact_platform=person.platform if person else None,
                contact_user_id=person.user_id if person else None,
                perspective=given.perspective or None, reason=reason,
                meeting_id=meeting.id if meeting is not None else None,
                suggested_by_platform=actor.person.platform, suggested_by_user_id=actor.person.user_id,
                state=SuggestionState.OPEN, created_at=self._clock.now(),
            )
            session.add(suggestion)
            session.flush()
            return _card(session, suggestion)

    def open_in(self, session: Session, workspace: Workspace) -> tuple[SuggestionCard, ...]:
        """The suggestions waiting for a coordinator, oldest first (for a coordinator's view only)."""
        rows = session.scalars(
            select(OrganisationSuggestion)
            .where(OrganisationSuggestion.workspace_id == workspace.id,
                   OrganisationSuggestion.state == SuggestionState.OPEN)
            .order_by(OrganisationSuggestion.id)
        ).all()
        return tuple(_card(session, row) for row in rows)

    def waiting(self, actor: Actor) -> tuple[SuggestionCard, ...]:
        """The suggestions waiting for a decision (coordinators only)."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            return self.open_in(session, workspace)

    def accept(self, actor: Actor, suggestion_id: int, tier: Tier = Tier.TOPIC) -> Decision:
        """Add the suggested organisation to the roster (with its perspective and the contact person
        if one was picked, else the e-mail address in the contact as written), invite it to the
        meeting it was suggested for while that is ahead, and tell the suggester: all in one
        transaction."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace, suggestion = self._open_for_coordinator(session, actor, suggestion_id)
            person = ([suggestion.contact_user_id]
                      if suggestion.contact_user_id and suggestion.contact_platform == actor.person.platform
                      else address_in(suggestion.contact))
            entry = clean_entry(RosterRow(
                name=suggestion.name, tier=tier.value, contacts=tuple(person),
                perspectives=(suggestion.perspective,) if suggestion.perspective else ()))
            organisation, added = self._roster.take_in(session, workspace, entry)
            invited_to = passed = None
            meeting = session.get(Meeting, suggestion.meeting_id) if suggestion.meeting_id else None
            if meeting is not None:
                if meeting.state != MeetingState.SCHEDULED or meeting.starts_at <= now:
                    passed = meeting.number
                elif not any(mo.organisation_id == organisation.id for mo in meeting.organisations):
                    self._meetings.invite_in(session, workspace, actor, meeting, organisation)
                    invited_to = meeting.number
            self._decide(session, workspace, actor, suggestion, SuggestionState.ACCEPTED)
            suggestion.organisation_id = organisation.id
            audit(session, workspace, actor, "suggestion.accept", suggestion.name, self._clock,
                  tier=tier.value, added=added, meeting=invited_to)
            decision = Decision(_card(session, suggestion), card_of(organisation), added, invited_to, passed)
        self._deliveries.wake()
        return decision

    def dismiss(self, actor: Actor, suggestion_id: int) -> Decision:
        """Set a suggestion aside; the suggester is told."""
        with self._sessions.begin() as session:
            workspace, suggestion = self._open_for_coordinator(session, actor, suggestion_id)
            self._decide(session, workspace, actor, suggestion, SuggestionState.DISMISSED)
            audit(session, workspace, actor, "suggestion.dismiss", suggestion.name, self._clock)
            decision = Decision(_card(session, suggestion))
        self._deliveries.wake()
        return decision

    def _check(self, given: SuggestionInput) -> tuple[str, str, str]:
        errors: dict[Field, Text] = {}
        name = given.name
        try:
            name = clean_name(given.name)
        except InvalidInput as error:
            errors[Field.NAME] = error.message
        reason = given.reason.strip()
        if not REASON_MIN <= len(reason) <= REASON_MAX:
            errors[Field.REASON] = text(
                N_("Say in {min} to {max} characters why they should be invited."),
                min=REASON_MIN, max=REASON_MAX)
        contact = " ".join(given.contact.split())
        if len(contact) > CONTACT_MAX:
            errors[Field.CONTACT] = text(N_("Keep the contact to {max} characters."), max=CONTACT_MAX)
        if given.perspective and given.perspective not in PERSPECTIVES:
            errors[Field.PERSPECTIVES] = text(N_("Unknown perspective “{value}”; use {choices}."),
                                              value=given.perspective, choices=", ".join(PERSPECTIVES))
        raise_field_errors(errors)
        return name, reason, contact

    def _ahead(self, session: Session, workspace: Workspace) -> list[Meeting]:
        return list(session.scalars(
            select(Meeting)
            .where(Meeting.workspace_id == workspace.id, Meeting.state == MeetingState.SCHEDULED,
                   Meeting.starts_at > self._clock.now())
            .order_by(Meeting.starts_at)
            .limit(MEETINGS_OFFERED)
        ))

    def _meeting_ahead(self, session: Session, workspace: Workspace, number: int) -> Meeting:
        meeting = session.scalar(select(Meeting).where(Meeting.workspace_id == workspace.id,
                                                       Meeting.number == number))
        ahead = meeting is not None and meeting.state == MeetingState.SCHEDULED
        if meeting is None or not ahead or meeting.starts_at <= self._clock.now():
            raise NotFound(
                text(N_("Meeting {number} is not coming up. {meetings} lists the upcoming ones."),
                     number=number, meetings=Hint(Command.MEETINGS)),
                field=Field.MEETING,
            )
        return meeting

    def _open_for_coordinator(self, session: Session, actor: Actor,
                              suggestion_id: int) -> tuple[Workspace, OrganisationSuggestion]:
        workspace = self._workspaces.lock(session, actor.workspace)
        require_coordinator(session, workspace, actor.person)
        suggestion = session.get(OrganisationSuggestion, suggestion_id)
        if suggestion is None or suggestion.workspace_id != workspace.id:
            raise NotFound(text(N_("That suggestion no longer exists.")))
        if suggestion.state != SuggestionState.OPEN:
            accepted = suggestion.state == SuggestionState.ACCEPTED
            outcome = (N_("“{name}” was already added to the roster.") if accepted
                       else N_("The suggestion of “{name}” was already dismissed."))
            raise Conflict(text(outcome, name=suggestion.name))
        return workspace, suggestion

    def _decide(self, session: Session, workspace: Workspace, actor: Actor,
                suggestion: OrganisationSuggestion, state: SuggestionState) -> None:
        now = self._clock.now()
        suggestion.state = state
        suggestion.decided_by_platform = actor.person.platform
        suggestion.decided_by_user_id = actor.person.user_id
        suggestion.decided_at = now
        suggester = PersonRef(suggestion.suggested_by_platform, suggestion.suggested_by_user_id)
        if suggester == actor.person:
            return  # a coordinator who suggested and decided needs no message about it
        self._deliveries.plan(
            session, workspace_id=workspace.id, kind=SUGGESTION_DECIDED,
            key=f"suggestion:{suggestion.id}:decided", destination=Destination.person(suggester),
            due_at=now, organisation_id=suggestion.organisation_id,
        )

    def _compose(self, session: Session, delivery: Delivery) -> SuggestionDecided | None:
        """The suggester's message, composed from the suggestion as it is now."""
        # Deliveries have no column for a suggestion: its id is in the key, "suggestion:<id>:decided".
        _, _, rest = delivery.dedupe_key.partition(":")
        raw_id = rest.partition(":")[0]
        suggestion = session.get(OrganisationSuggestion, int(raw_id)) if raw_id.isdigit() else None
        if suggestion is None or suggestion.state == SuggestionState.OPEN:
            return None
        if suggestion.state == SuggestionState.DISMISSED:
            return SuggestionDecided(suggestion.name, accepted=False)
        organisation = (session.get(Organisation, suggestion.organisation_id)
                        if suggestion.organisation_id else None)
        meeting = session.get(Meeting, suggestion.meeting_id) if suggestion.meeting_id else None
        if (organisation is not None and meeting is not None and meeting.state == MeetingState.SCHEDULED
                and any(mo.organisation_id == organisation.id for mo in meeting.organisations)):
            return SuggestionDecided(organisation.name, True, meeting.number, meeting.title)
        return SuggestionDecided(organisation.name if organisation is not None else suggestion.name, True)


def _card(session: Session, suggestion: OrganisationSuggestion) -> SuggestionCard:
    meeting = session.get(Meeting, suggestion.meeting_id) if suggestion.meeting_id else None
    person = (PersonRef(suggestion.contact_platform, suggestion.contact_user_id)
              if suggestion.contact_platform and suggestion.contact_user_id else None)
    return SuggestionCard(
        id=suggestion.id, name=suggestion.name, reason=suggestion.reason, contact=suggestion.contact,
        contact_person=person, perspective=suggestion.perspective,
        meeting=(meeting.number, meeting.title) if meeting is not None else None,
        suggested_by=PersonRef(suggestion.suggested_by_platform, suggestion.suggested_by_user_id),
        state=suggestion.state.value, created_at=suggestion.created_at,
    )


def address_in(contact: str) -> list[str]:
    """The first e-mail address in a suggestion's contact as written ("Amina, amina@example.org,
    900 00 000"), to make it the organisation's e-mail contact; none if there is none."""
    for word in re.split(r"[\s,;<>()]+", contact):
        if looks_like_address(word):
            try:
                return [normalise_address(word)]
            except InvalidInput:
                continue
    return []
