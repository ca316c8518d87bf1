"""Urgent calls you can steer: calling one (with a meeting link and a short background), the
form's count of who it reaches, the coordinator's progress report (who answered and how, who is
silent, who cannot be reached and why) and the report's one-click nudge of the silent ones."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.deliveries import Planned, Reach, fan_out, had_lately
from services.enums import Answer
from services.meetings.audience import Invitee, audience, invitees, meeting_invitees
from services.meetings.cards import meeting_card
from services.meetings.common import INVITE, NUDGE, NUDGE_REPEAT_WINDOW
from services.meetings.outcomes import NudgeOutcome, ScheduleOutcome, UrgentForm
from services.meetings.scheduling import Scheduling
from services.messages import FanOutFailure, OrganisationReach, Unreachable, UrgentProgress
from services.people import Actor, Destination, DestinationKind, PersonRef
from services.roster import find_organisation
from services.timeutil import local_to_utc
from services.workspaces import audit
from storage.models import (
    Delivery,
    DeliveryState,
    Invitation,
    Meeting,
    MeetingKind,
    MeetingState,
    Organisation,
    Tier,
)

# An organisation's answer is the best of its people's: someone coming beats someone who may.
_BEST = {Answer.YES: 0, Answer.MAYBE: 1, Answer.NO: 2}


@dataclass
class Standing:
    """Where every invited organisation of a meeting stands, and each person's delivery."""

    invited: list[Invitee]
    reach: dict[PersonRef, Reach]
    answered: list[OrganisationReach] = field(default_factory=list)
    silent: list[tuple[Invitee, frozenset[PersonRef]]] = field(default_factory=list)
    unreachable: list[OrganisationReach] = field(default_factory=list)
    sending: int = 0


def standing(session: Session, meeting: Meeting) -> Standing:
    """Each invited organisation as answered (with its answer), silent (someone got the
    invitation, nobody answered; with the people reached), unreachable (no contact person, or
    every invitation failed) or still being sent to; delivery states come from the deliveries."""
    invited = meeting_invitees(session, meeting)
    speaks_for = {invitee.id: invitee.people for invitee in invited}
    reach = fan_out(session, meeting_id=meeting.id, kind=INVITE)
    answers: dict[int, Answer] = {}
    for organisation_id, platform, user_id, answer in session.execute(
        select(Invitation.organisation_id, Invitation.platform, Invitation.user_id, Invitation.answer)
        .where(Invitation.meeting_id == meeting.id, Invitation.answer.is_not(None))
    ):
        # Only the people who speak for it now: a contact since removed answers for nobody.
        if PersonRef(platform, user_id) not in speaks_for.get(organisation_id, ()):
            continue
        if organisation_id not in answers or _BEST[answer] < _BEST[answers[organisation_id]]:
            answers[organisation_id] = answer
    found = Standing(invited, reach)
    for invitee in invited:
        answer = answers.get(invitee.id)
        if answer is not None:
            found.answered.append(OrganisationReach(invitee.name, invitee.observer, answer=answer))
        elif not invitee.people:
            found.unreachable.append(OrganisationReach(invitee.name, invitee.observer,
                                                       unreachable=Unreachable.NO_CONTACT))
        elif reached := frozenset(p for p in invitee.people
                                  if p in reach and reach[p].state == DeliveryState.SENT):
            found.silent.append((invitee, reached))
        elif all(p in reach and reach[p].settled for p in invitee.people):
            # Nobody got it and nothing is on its way: every delivery failed (or was dropped).
            found.unreachable.append(OrganisationReach(invitee.name, invitee.observer,
                                                       unreachable=Unreachable.NOT_DELIVERED))
        else:
            found.sending += 1
    return found


class UrgentCalls(Scheduling):
    """Use cases of an urgent call, and the composer of its progress report."""

    def urgent(
        self,
        actor: Actor,
        *,
        title: str,
        starts_at: datetime | None = None,
        day: date | None = None,
        at: time | None = None,
        organisations: Sequence[str] = (),
        video_link: str | None = None,
        background: str | None = None,
    ) -> ScheduleOutcome:
        """Call an urgent meeting: invitations to the core and `organisations` go out at once, with
        the link and background, and the coordinator gets a private progress report, kept current.

        The start is `starts_at`, else the wall-clock time `at` on `day` in the meetings' zone (no
        day: today there, by this service's clock), else now + the urgent notice."""
        if starts_at is None and at is not None:
            zone = self._timings.timezone
            starts_at = local_to_utc(day or self._clock.now().astimezone(zone).date(), at, zone)
        starts = starts_at or self._clock.now() + self._timings.urgent_notice
        return self.schedule(actor, title=title, starts_at=starts, organisations=organisations,
                             video_link=video_link, background=background, kind=MeetingKind.URGENT)

    def urgent_form(self, actor: Actor, organisations: Sequence[str] = ()) -> UrgentForm:
        """The urgent form's choices, and who the current pick reaches (counted as the confirmation
        and the progress report count), naming the organisations nobody could be told of."""
        form = self.schedule_form(actor)
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            chosen = [find_organisation(session, workspace, name).id for name in organisations]
            core = session.scalars(
                select(Organisation.id).where(
                    Organisation.workspace_id == workspace.id,
                    Organisation.tier == Tier.CORE,
                    Organisation.archived_at.is_(None),
                )
            ).all()
            reached = audience(invitees(session, [*core, *chosen]))
            return UrgentForm(form, reached, self._clock.now() + self._timings.urgent_notice)

    def nudge_silent(self, actor: Actor, number: int) -> NudgeOutcome:
        """Nudge, now, every person of a silent organisation whose invitation was delivered
        (coordinators only); nobody nudged about this meeting within the repeat window is nudged
        again, so a second click nudges nobody twice."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            # The workspace lock serialises two clicks: the second sees the first's nudges.
            workspace, meeting = self._upcoming_for_coordinator(session, actor, number, now)
            found = standing(session, meeting)
            lately = had_lately(session, meeting_id=meeting.id, kind=NUDGE,
                                sent_since=now - NUDGE_REPEAT_WINDOW, queued_by=now)
            planned: list[Planned] = []
            recently: set[PersonRef] = set()
            organisations: set[int] = set()
            nudged: set[PersonRef] = set()
            for invitee, reached in found.silent:
                for person in sorted(reached, key=lambda p: (p.platform, p.user_id)):
                    if person in lately:
                        recently.add(person)
                        continue
                    if person in nudged:
                        continue  # speaks for two silent organisations: one nudge is enough
                    nudged.add(person)
                    organisations.add(invitee.id)
                    to = Destination(person.platform, DestinationKind.PERSON, person.user_id,
                                     invitee.language)
                    planned.append(Planned(
                        NUDGE, f"meeting:{meeting.id}:nudge:{invitee.id}:at:{int(now.timestamp())}", to,
                        due_at=now, meeting_id=meeting.id, meeting_version=meeting.version,
                        organisation_id=invitee.id,
                    ))
            self._deliveries.plan_many(session, workspace_id=workspace.id, planned=planned)
            audit(session, workspace, actor, "meeting.nudge", f"meeting {meeting.number}", self._clock,
                  people=len(planned), organisations=len(organisations))
            outcome = NudgeOutcome(meeting.number, meeting.title, len(planned), len(organisations),
                                   len(recently - nudged),
                                   int(NUDGE_REPEAT_WINDOW.total_seconds() // 60))
        if planned:
            self._deliveries.wake()
        return outcome

    def _compose_progress(self, session: Session, delivery: Delivery) -> UrgentProgress | None:
        meeting = session.get(Meeting, delivery.meeting_id) if delivery.meeting_id else None
        if meeting is None:
            return None
        found = standing(session, meeting)
        people = {p for invitee in found.invited for p in invitee.people}
        # The fan-out of the people invited now; a delivery to someone since removed is left out,
        # so the totals are the audience counted by the same rule as the form and confirmation.
        mine = {p: r for p, r in found.reach.items() if p in people}
        failed = tuple(
            FanOutFailure(person, reach.error or "unknown")
            for person, reach in sorted(mine.items(), key=lambda item: (item[0].platform, item[0].user_id))
            if reach.state == DeliveryState.FAILED
        )
        silent_people = {p for _, reached in found.silent for p in reached}
        return UrgentProgress(
            meeting=meeting_card(session, meeting),
            total=len(people),
            sent=sum(1 for r in mine.values() if r.state == DeliveryState.SENT),
            failed=failed,
            done=all(r.settled for r in mine.values()),
            skipped=sum(1 for r in mine.values() if r.state == DeliveryState.SKIPPED),
            audience=audience(found.invited),
            answered=tuple(found.answered),
            silent=tuple(OrganisationReach(i.name, i.observer) for i, _ in found.silent),
            unreachable=tuple(found.unreachable),
            sending=found.sending,
            silent_people=len(silent_people),
            open=meeting.state == MeetingState.SCHEDULED and self._clock.now() < meeting.starts_at,
        )
