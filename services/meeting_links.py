"""Video links made for meetings by the platform (Teams online meetings through Microsoft Graph).

Scheduling never waits on the network ("acknowledged means done"): a meeting is written with the
link the coordinator gave, or none. A background job (`MeetingLinks.fill`) then asks the
`OnlineMeetings` port for a link for every scheduled meeting still ahead that has none, outside any
transaction, and writes it in a short one only if the meeting still has no link and is still
scheduled. The link is recorded as a change of the link (`record_change`), exactly as a coordinator
pasting one would be: every posted copy is re-rendered, and people who already got the invitation
are told; invitations still to go out are composed with it. Failures are logged and tried again on
a later run, each meeting backing off on its own (in memory: a restart simply tries again).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import Clock
from services.deliveries import Deliveries
from services.meetings.common import URL, ChangeField
from services.meetings.history import record_change
from services.people import PersonRef
from storage.models import Meeting, MeetingState, Workspace

log = logging.getLogger(__name__)

# Who the meeting's history names for a link the bot made (no platform's user ids look like it).
BOT_USER_ID = "dialogbot"
# `meetings.video_link` holds this much.
LINK_MAX = 500
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=1)


class OnlineMeetings(Protocol):
    """A platform that makes online meetings and hands out their join links."""

    def create(self, subject: str, starts_at: datetime, ends_at: datetime, *, key: str) -> str:
        """The join URL of the online meeting for `key`, made now or, with the same key, the one
        made before (so a retry after a crash makes no second meeting); raises `LinkNotMade`."""
        ...


class LinkNotMade(Exception):  # noqa: N818 - an answer of the platform, not a bug of ours
    """The platform made no link this time. `retry_after`: it asked us to wait (rate limit) and
    nothing is asked of it until then; `hint`: what the operator must fix, if it is theirs."""

    def __init__(self, message: str, *, retry_after: timedelta | None = None,
                 hint: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.hint = hint


@dataclass
class _Backoff:
    failures: int
    next_try: datetime


@dataclass(frozen=True)
class _Wanted:
    meeting_id: int
    key: str
    title: str
    starts_at: datetime
    ends_at: datetime


def meeting_key(workspace_id: int, meeting_id: int, created_at: datetime) -> str:
    """The idempotency key of a meeting's online meeting: its ids, and when it was made, so that
    a database started afresh (ids counted from 1 again) never gets an old meeting's link."""
    return f"dialogbot-{workspace_id}-{meeting_id}-{created_at.strftime('%Y%m%d%H%M%S')}"


class MeetingLinks:
    """Fills in the video link of meetings that have none, for the workspaces of `platforms`."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, port: OnlineMeetings,
                 deliveries: Deliveries, *, platforms: Collection[str] = ("teams",),
                 first_retry: timedelta = FIRST_RETRY, last_retry: timedelta = LAST_RETRY) -> None:
        self._sessions = sessions
        self._clock = clock
        self._port = port
        self._deliveries = deliveries
        self._platforms = tuple(platforms)
        self._first_retry = first_retry
        self._last_retry = last_retry
        self._backoff: dict[int, _Backoff] = {}
        self._paused_until: datetime | None = None
        self._lock = threading.Lock()

    def fill(self, limit: int = 20) -> int:
        """Give up to `limit` meetings their link; returns how many got one. Never raises: a
        failure is logged and that meeting asked for again later (a scheduler job)."""
        try:
            return self._fill(limit)
        except Exception:
            # The job runs again; one bad run must not stop the scheduler's thread.
            log.exception("filling in meeting links failed; trying again on the next run")
            return 0

    def _fill(self, limit: int) -> int:
        now = self._clock.now()
        with self._lock:
            if self._paused_until is not None and now < self._paused_until:
                return 0
            # Forget meetings long past their retry: linked, cancelled or over since (else the map grows).
            self._backoff = {m: b for m, b in self._backoff.items() if b.next_try > now - self._last_retry}
            waiting = [m for m, b in self._backoff.items() if b.next_try > now]
        filled = 0
        for wanted in self._wanted(now, limit, waiting):
            try:
                link = self._port.create(wanted.title, wanted.starts_at, wanted.ends_at, key=wanted.key)
            except LinkNotMade as error:
                self._failed(wanted, now, str(error), error.retry_after, error.hint)
                if error.retry_after is not None:
                    break  # the platform asked us to wait: asking for the next meeting would not help
                continue
            except Exception as error:  # noqa: BLE001 - any failure of the platform's client is retried
                self._failed(wanted, now, f"{type(error).__name__}: {error}", None, None)
                continue
            if not (URL.match(link) and link.startswith("https://") and len(link) <= LINK_MAX):
                self._failed(wanted, now, f"the join link it gave is not an https address of at most "
                                          f"{LINK_MAX} characters", None, None)
                continue
            if self._store(wanted.meeting_id, link):
                filled += 1
            with self._lock:
                self._backoff.pop(wanted.meeting_id, None)
        if filled:
            self._deliveries.wake()
        return filled

    def _wanted(self, now: datetime, limit: int, waiting: list[int]) -> list[_Wanted]:
        """The meetings still ahead without a link, soonest first, leaving out those backing off."""
        with self._sessions.begin() as session:
            rows = session.execute(
                select(Meeting.id, Meeting.workspace_id, Meeting.created_at, Meeting.title,
                       Meeting.starts_at, Meeting.duration_minutes)
                .join(Workspace, Workspace.id == Meeting.workspace_id)
                .where(Meeting.state == MeetingState.SCHEDULED, Meeting.video_link.is_(None),
                       Meeting.starts_at > now, Workspace.platform.in_(self._platforms),
                       *([Meeting.id.not_in(waiting)] if waiting else []))
                .order_by(Meeting.starts_at, Meeting.id)
                .limit(limit)
            ).all()
        return [_Wanted(row.id, meeting_key(row.workspace_id, row.id, row.created_at), row.title,
                        row.starts_at, row.starts_at + timedelta(minutes=row.duration_minutes))
                for row in rows]

    def _store(self, meeting_id: int, link: str) -> bool:
        """Write the link if the meeting still wants it, as a change of its link; whether it was."""
        now = self._clock.now()
        with self._sessions.begin() as session:
            meeting = session.scalar(select(Meeting).where(Meeting.id == meeting_id).with_for_update())
            # A coordinator may have pasted a link, cancelled or held the meeting while we asked.
            if (meeting is None or meeting.state != MeetingState.SCHEDULED or meeting.video_link is not None
                    or meeting.starts_at <= now):
                return False
            platform = session.scalar(select(Workspace.platform).where(Workspace.id == meeting.workspace_id))
            meeting.video_link = link
            record_change(session, self._deliveries, meeting, [ChangeField.LINK],
                          PersonRef(platform or "", BOT_USER_ID), now)
            log.info("meeting %s got its online meeting link", meeting.id)
            return True

    def _failed(self, wanted: _Wanted, now: datetime, reason: str, retry_after: timedelta | None,
                hint: str | None) -> None:
        with self._lock:
            previous = self._backoff.get(wanted.meeting_id)
            failures = previous.failures + 1 if previous is not None else 1
            delay = min(self._first_retry * 2 ** (failures - 1), self._last_retry)
            if retry_after is not None:
                delay = max(delay, retry_after)
                self._paused_until = now + retry_after
            self._backoff[wanted.meeting_id] = _Backoff(failures, now + delay)
        log.warning("no online meeting link for meeting %s yet (attempt %s, next in %s): %s%s",
                    wanted.meeting_id, failures, delay, reason, f". {hint}" if hint else "")
