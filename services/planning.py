"""Help for coordinators planning a meeting: who else to invite, which perspectives the invite
list covers, whether the time suits the invited organisations, and which slots suit them best.

Everything here advises; nothing blocks. Perspectives are read from organisations only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.people import Actor
from services.roster import PERSPECTIVES
from services.timeutil import after, before
from services.workdays import is_working_day
from services.workspaces import Workspaces, require_coordinator
from storage.models import (
    Meeting,
    MeetingState,
    MeetingTopic,
    Organisation,
    Role,
    Tier,
    TimeOfDay,
    Topic,
)

# Meetings starting at or after this local time count as afternoon meetings (small organisations'
# volunteers come after work); earlier ones as daytime.
AFTERNOON_FROM = time(14, 0)
# When organisations prefer afternoons, `suggest` also offers slots after office hours that end by
# this time: volunteers can come straight from work, and a one-hour meeting starting at 17:00 still
# ends at a time people can keep. Later starts are left to the coordinator to schedule by hand.
AFTERNOON_UNTIL = time(18, 0)
SLOT_LENGTH = timedelta(hours=1)
SUGGEST_DAYS = 21
SUGGESTIONS = 5
_WORD = re.compile(r"\w+", re.UNICODE)


@dataclass(frozen=True)
class Suggestion:
    """A topic organisation whose keywords match the meeting's topics."""

    organisation: str
    keywords: tuple[str, ...]


@dataclass(frozen=True)
class Insights:
    """Advice on one meeting's invite list and time."""

    meeting_number: int
    covered: tuple[str, ...]
    missing: tuple[str, ...]
    prefer_other_time: tuple[str, ...]
    suggestions: tuple[Suggestion, ...]


@dataclass(frozen=True)
class Slot:
    """A possible meeting start, and how many organisations it suits."""

    starts_at: datetime
    suits: int
    organisations: int


@dataclass(frozen=True)
class SlotAdvice:
    """The best slots `suggest` found, the days it looked through (in the meetings' zone), and the
    latest end it allowed: office hours' end, or AFTERNOON_UNTIL when `afternoons`."""

    slots: tuple[Slot, ...]
    first_day: date
    last_day: date
    until: time
    afternoons: bool


def time_of_day(starts_at: datetime, zone: ZoneInfo) -> TimeOfDay:
    """Whether a start is a daytime or an afternoon meeting, on the local clock."""
    return TimeOfDay.AFTERNOON if starts_at.astimezone(zone).time() >= AFTERNOON_FROM else TimeOfDay.DAYTIME


def _suits(preference: TimeOfDay, slot: TimeOfDay) -> bool:
    return preference == TimeOfDay.ANY or preference == slot


class Planning:
    """Advice for coordinators; coordinator rights are checked like everywhere else."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, workspaces: Workspaces,
                 zone: ZoneInfo, office_hours: tuple[time, time], invite_lead: timedelta) -> None:
        self._sessions = sessions
        self._clock = clock
        self._workspaces = workspaces
        self._zone = zone
        self._office_hours = office_hours
        self._invite_lead = invite_lead

    def insights(self, actor: Actor, number: int) -> Insights:
        """Representation, time-of-day fit and organisations worth inviting, for meeting `number`."""
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            meeting = session.scalar(
                select(Meeting).where(Meeting.workspace_id == workspace.id, Meeting.number == number)
            )
            if meeting is None:
                return Insights(number, (), PERSPECTIVES, (), ())
            invited = [
                (link.role, link.organisation) for link in meeting.organisations
                if link.organisation.archived_at is None
            ]
            participants = [org for role, org in invited if role == Role.PARTICIPANT]
            covered = sorted({p.perspective for org in participants for p in org.perspectives})
            slot = time_of_day(meeting.starts_at, self._zone)
            other_time = sorted(org.name for _, org in invited if not _suits(org.preferred_time, slot))
            return Insights(
                meeting_number=meeting.number,
                covered=tuple(covered),
                missing=tuple(p for p in PERSPECTIVES if p not in covered),
                prefer_other_time=tuple(other_time),
                suggestions=tuple(self._suggestions(session, meeting, {org.id for _, org in invited})),
            )

    def suggest_slots(self, actor: Actor) -> SlotAdvice:
        """The best one-hour starts for the core organisations: on working days, at least the
        invitation lead away, in office hours (until 18:00 if some prefer afternoons), clear of other
        meetings, over three weeks; best fit first, then soonest."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            workspace = self._workspaces.get(session, actor.workspace)
            require_coordinator(session, workspace, actor.person)
            organisations = session.scalars(
                select(Organisation).where(
                    Organisation.workspace_id == workspace.id,
                    Organisation.tier == Tier.CORE,
                    Organisation.archived_at.is_(None),
                )
            ).all()
            busy = [
                (m.starts_at, m.starts_at + timedelta(minutes=m.duration_minutes))
                for m in session.scalars(
                    select(Meeting).where(
                        Meeting.workspace_id == workspace.id,
                        Meeting.state == MeetingState.SCHEDULED,
                        Meeting.starts_at > now - timedelta(hours=8),
                    )
                )
            ]
        preferences = [org.preferred_time for org in organisations]
        opens, closes = self._office_hours
        afternoons = TimeOfDay.AFTERNOON in preferences and closes < AFTERNOON_UNTIL
        until = AFTERNOON_UNTIL if afternoons else closes
        # Slots before now + lead could only be invited late; the three weeks start where they end.
        first = max(now.astimezone(self._zone).date() + timedelta(days=1),
                    after(now, self._invite_lead, self._zone).astimezone(self._zone).date())
        last = first + timedelta(days=SUGGEST_DAYS - 1)
        slots = []
        for start in self._candidates(now, first, last, opens, until):
            end = start + SLOT_LENGTH
            if any(start < b_end and b_start < end for b_start, b_end in busy):
                continue
            kind = time_of_day(start, self._zone)
            suits = sum(1 for preference in preferences if _suits(preference, kind))
            slots.append(Slot(start, suits, len(preferences)))
        slots.sort(key=lambda s: (-s.suits, s.starts_at))
        return SlotAdvice(tuple(slots[:SUGGESTIONS]), first, last, until, afternoons)

    def _candidates(self, now: datetime, first: date, last: date, opens: time, until: time) -> list[datetime]:
        """Whole-hour starts from `first` to `last` on working days, between `opens` and `until`,
        whose invitations can still go out a full lead ahead."""
        found = []
        day = first
        while day <= last:
            if is_working_day(day):
                for hour in range(24):
                    start = datetime.combine(day, time(hour), tzinfo=self._zone)
                    end = start + SLOT_LENGTH
                    in_hours = opens <= start.time() and end.date() == day and end.time() <= until
                    if in_hours and before(start, self._invite_lead, self._zone) >= now:
                        found.append(start.astimezone(now.tzinfo))
            day += timedelta(days=1)
        return found

    def _suggestions(self, session: Session, meeting: Meeting, invited: set[int]) -> list[Suggestion]:
        words: set[str] = set()
        for topic in session.scalars(
            select(Topic).join(MeetingTopic, MeetingTopic.topic_id == Topic.id)
            .where(MeetingTopic.meeting_id == meeting.id)
        ):
            words.update(w.casefold() for w in _WORD.findall(f"{topic.title} {topic.details}"))
        words.update(w.casefold() for w in _WORD.findall(meeting.title))
        if not words:
            return []
        found = []
        for organisation in session.scalars(
            select(Organisation).where(
                Organisation.workspace_id == meeting.workspace_id,
                Organisation.tier == Tier.TOPIC,
                Organisation.archived_at.is_(None),
            ).order_by(Organisation.name_key)
        ):
            if organisation.id in invited:
                continue
            matched = tuple(
                k.keyword for k in organisation.keywords
                if set(_WORD.findall(k.keyword.casefold())) <= words
            )
            if matched:
                found.append(Suggestion(organisation.name, matched))
        return found

