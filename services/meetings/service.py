"""`Meetings`: the meeting use cases, composed of one part per concern."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries
from services.meetings.agenda import Agenda
from services.meetings.answers import Answers
from services.meetings.changes import Changes
from services.meetings.common import (
    CANCELLED,
    CHANGED,
    INVITE,
    NUDGE,
    PROGRESS,
    REMINDER,
    SPEAKER,
    MeetingTimings,
)
from services.meetings.composing import Composing
from services.meetings.scheduling import Scheduling
from services.meetings.urgent import UrgentCalls
from services.people import Channels
from services.planning import Planning
from services.workspaces import Workspaces

if TYPE_CHECKING:
    from services.topic_moves import TopicMoves


class Meetings(Changes, UrgentCalls, Scheduling, Agenda, Answers, Composing):
    """Use cases around meetings. Coordinator rights are checked here, whatever the client sent.

    A topic's moves on and off agendas (and the proposer's message about each) belong to
    `TopicMoves`, which the agenda, cancelling and the minutes all call.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        workspaces: Workspaces,
        deliveries: Deliveries,
        timings: MeetingTimings,
        channels: Channels,
        moves: TopicMoves,
        planning: Planning | None = None,
    ) -> None:
        super().__init__(sessions, clock, workspaces, deliveries, timings, channels, moves, planning)
        deliveries.register(INVITE, self._compose_invitation)
        deliveries.register(REMINDER, self._compose_reminder)
        deliveries.register(NUDGE, self._compose_nudge)
        deliveries.register(CANCELLED, self._compose_cancellation)
        deliveries.register(CHANGED, self._compose_change)
        deliveries.register(PROGRESS, self._compose_progress)
        deliveries.register(SPEAKER, self._compose_speaker)
        deliveries.on_settled(self._invitation_settled)
