"""The delivery engine knows no platform: each row goes to its own platform's notifier, paced as
that notifier says, and what a platform says of its failures and its history is taken from it."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from services.clock import ManualClock
from services.deliveries import WORKER_TIMEOUT, Deliveries, SweepReport
from services.people import Destination, PersonRef
from services.ports import DeliveryError, Pacing, RateLimited
from storage.models import Delivery, DeliveryState, Workspace
from tests.support.notifier import RecordingNotifier


class _Crash(BaseException):
    """The process dies right after the platform took the message."""


class CrashingNotifier(RecordingNotifier):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.crash_after_send = 0

    def send(self, destination, message, *, delivery_id: int):
        ref = super().send(destination, message, delivery_id=delivery_id)
        if self.crash_after_send:
            self.crash_after_send -= 1
            raise _Crash()
        return ref


def _workspace(sessions, clock: ManualClock) -> int:
    with sessions.begin() as session:
        workspace = Workspace(platform="slack", external_id="T1", created_at=clock.now())
        session.add(workspace)
        session.flush()
        return workspace.id


def _engine(sessions, clock: ManualClock, notifiers) -> Deliveries:
    deliveries = Deliveries(sessions, clock, notifiers, workers=1)
    deliveries.register("note", lambda session, delivery: f"note {delivery.id}")  # type: ignore[arg-type,return-value]
    return deliveries


def _plan(deliveries: Deliveries, sessions, clock: ManualClock, workspace_id: int,
          destination: Destination, key: str) -> int:
    with sessions.begin() as session:
        return deliveries.plan(session, workspace_id=workspace_id, kind="note", key=key,
                               destination=destination, due_at=clock.now()).id


def _rows(sessions) -> dict[int, Delivery]:
    with sessions() as session:
        return {r.id: r for r in session.scalars(select(Delivery))}


def test_each_row_goes_to_its_own_platforms_notifier_and_others_are_left_alone(
    sessions, clock: ManualClock
) -> None:
    slack, teams = RecordingNotifier("slack"), RecordingNotifier("teams")
    deliveries = _engine(sessions, clock, {"slack": slack, "teams": teams})
    workspace_id = _workspace(sessions, clock)
    to_slack = _plan(deliveries, sessions, clock, workspace_id, Destination.channel("slack", "C1"), "a")
    to_teams = _plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", "19:x"), "b")
    to_email = _plan(deliveries, sessions, clock, workspace_id,
                     Destination.person(PersonRef("email", "a@example.org")), "c")

    report = deliveries.sweep()

    assert sorted(report.sent) == sorted([to_slack, to_teams])
    assert [p.delivery_id for p in slack.posted] == [to_slack]
    assert [p.delivery_id for p in teams.posted] == [to_teams]
    email_row = _rows(sessions)[to_email]
    # No notifier for e-mail here: its row is not even claimed, for the process that has one.
    assert (email_row.state, email_row.attempts, email_row.claimed_by) == (DeliveryState.PENDING, 0, None)

    # Updates go through the row's own notifier too.
    with sessions.begin() as session:
        for row in session.scalars(select(Delivery)):
            row.content_version += 1
    clock.advance(timedelta(seconds=1))
    assert sorted(deliveries.sweep().updated) == sorted([to_slack, to_teams])
    assert len(slack.posted[0].updates) == 1 and len(teams.posted[0].updates) == 1


def test_a_single_notifier_stands_for_its_own_platform(sessions, clock: ManualClock) -> None:
    teams = RecordingNotifier("teams")
    deliveries = _engine(sessions, clock, teams)
    workspace_id = _workspace(sessions, clock)
    mine = _plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", "19:x"), "a")
    _plan(deliveries, sessions, clock, workspace_id, Destination.channel("slack", "C1"), "b")
    assert deliveries.platforms == ("teams",)
    assert deliveries.sweep().sent == [mine]


def test_pacing_comes_from_the_notifier_per_platform(sessions, clock: ManualClock) -> None:
    slack = RecordingNotifier("slack")  # Slack's limits: 3 at once per destination
    teams = RecordingNotifier("teams", pacing=Pacing(burst=1, interval=timedelta(seconds=10),
                                                       update_gap=timedelta(seconds=30)))
    deliveries = _engine(sessions, clock, {"slack": slack, "teams": teams})
    workspace_id = _workspace(sessions, clock)
    for n in range(5):
        _plan(deliveries, sessions, clock, workspace_id, Destination.channel("slack", "C1"), f"s{n}")
        _plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", "19:x"), f"t{n}")

    deliveries.sweep()
    assert (len(slack.posted), len(teams.posted)) == (3, 1)
    clock.advance(timedelta(seconds=1))
    deliveries.sweep()
    assert (len(slack.posted), len(teams.posted)) == (4, 1)  # Teams' next token is 10 s away
    clock.advance(timedelta(seconds=9))
    deliveries.sweep()
    assert (len(slack.posted), len(teams.posted)) == (5, 2)

    # The update gap is the platform's too: Slack's message is updated after 1 s, Teams' after 30.
    with sessions.begin() as session:
        for row in session.scalars(select(Delivery).where(Delivery.state == DeliveryState.SENT)):
            row.content_version += 1
    deliveries.sweep()
    clock.advance(timedelta(seconds=1))
    deliveries.sweep()
    with sessions.begin() as session:
        for row in session.scalars(select(Delivery).where(Delivery.state == DeliveryState.SENT)):
            row.content_version += 1
    clock.advance(timedelta(seconds=1))
    updated = deliveries.sweep().updated
    rows = _rows(sessions)
    assert updated and {rows[i].dest_platform for i in updated} == {"slack"}


def test_operator_hints_are_logged_from_the_error(
    sessions, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    teams = RecordingNotifier("teams")
    deliveries = _engine(sessions, clock, teams)
    workspace_id = _workspace(sessions, clock)
    row = _plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", "19:x"), "a")
    teams.failures.append(DeliveryError("Forbidden", permanent=False,
                                        operator_hint="add the bot to the team"))
    with caplog.at_level(logging.ERROR, logger="services.deliveries"):
        assert deliveries.sweep().retrying == [row]
    assert "cannot go out until an operator acts: Forbidden (add the bot to the team)" in caplog.text
    assert _rows(sessions)[row].state == DeliveryState.PENDING

    caplog.clear()
    teams.failures.append(DeliveryError("busy", permanent=False))  # no hint: no alarm
    clock.set(_rows(sessions)[row].next_attempt_at)
    with caplog.at_level(logging.ERROR, logger="services.deliveries"):
        deliveries.sweep()
    assert "operator" not in caplog.text


def test_a_row_in_doubt_on_a_platform_that_cannot_tell_is_taken_as_sent_never_resent(
    sessions, clock: ManualClock
) -> None:
    email = CrashingNotifier("email", searchable=False)
    dead = _engine(sessions, clock, email)
    restarted = _engine(sessions, clock, email)
    workspace_id = _workspace(sessions, clock)
    row = _plan(dead, sessions, clock, workspace_id, Destination.person(PersonRef("email", "a@example.org")), "a")
    dead.heartbeat()
    [(claimed, _)] = dead._claim_due()
    email.crash_after_send = 1
    with pytest.raises(_Crash):
        dead._send_one(claimed, SweepReport())

    clock.advance(WORKER_TIMEOUT)
    report = restarted.sweep()
    restarted.wait_for_lookups()
    assert report.recovered == [row]
    for _ in range(3):
        clock.advance(timedelta(minutes=5))
        restarted.sweep()
    assert [p.delivery_id for p in email.posted] == [row]  # at most once: never twice
    state = _rows(sessions)[row]
    assert state.state == DeliveryState.SENT and state.message_ref is None

    # Later changes find no handle to update it by: nothing is sent, nothing is retried forever.
    with sessions.begin() as session:
        session.get(Delivery, row).content_version += 1
    clock.advance(timedelta(seconds=5))
    restarted.sweep()
    assert email.posted[0].updates == []
    assert _rows(sessions)[row].synced_version == _rows(sessions)[row].content_version


def test_a_lost_reply_on_a_platform_that_cannot_tell_is_not_sent_twice(
    sessions, clock: ManualClock
) -> None:
    email = RecordingNotifier("email", searchable=False)
    deliveries = _engine(sessions, clock, email)
    workspace_id = _workspace(sessions, clock)
    row = _plan(deliveries, sessions, clock, workspace_id, Destination.person(PersonRef("email", "a@example.org")), "a")
    email.lost_replies = 1
    assert deliveries.sweep().retrying == [row]
    clock.advance(timedelta(minutes=5))
    deliveries.sweep()
    deliveries.wait_for_lookups()
    assert len(email.posted) == 1
    assert _rows(sessions)[row].state == DeliveryState.SENT


def test_a_rate_limit_pauses_only_its_own_platform(sessions, clock: ManualClock) -> None:
    slack, teams = RecordingNotifier("slack"), RecordingNotifier("teams")
    deliveries = _engine(sessions, clock, {"slack": slack, "teams": teams})
    workspace_id = _workspace(sessions, clock)
    slack.failures.append(RateLimited(30))
    to_slack = [_plan(deliveries, sessions, clock, workspace_id, Destination.channel("slack", "C1"), f"s{n}")
                for n in range(2)]
    to_teams = [_plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", f"19:{n}"), f"t{n}")
                for n in range(2)]

    first = deliveries.sweep()
    assert set(to_teams) <= set(first.sent) and not set(to_slack) & set(first.sent)
    assert not slack.posted

    # While Slack waits, Teams keeps going.
    clock.advance(timedelta(seconds=5))
    late = _plan(deliveries, sessions, clock, workspace_id, Destination.channel("teams", "19:late"), "late")
    assert deliveries.sweep().sent == [late]
    assert not slack.posted
    assert all(_rows(sessions)[i].state == DeliveryState.PENDING for i in to_slack)

    clock.advance(timedelta(seconds=26))
    assert sorted(deliveries.sweep().sent) == sorted(to_slack)
    assert [p.delivery_id for p in slack.posted] == to_slack  # in order, once each


def test_background_kinds_go_out_after_everything_else_that_is_due(sessions, clock: ManualClock) -> None:
    slack = RecordingNotifier("slack", pacing=Pacing(burst=100, interval=timedelta(seconds=1),
                                                     update_gap=timedelta(seconds=1)))
    deliveries = Deliveries(sessions, clock, {"slack": slack}, workers=1)
    deliveries.register("notice", lambda session, delivery: f"notice {delivery.id}", background=True)  # type: ignore[arg-type,return-value]
    deliveries.register("note", lambda session, delivery: f"note {delivery.id}")  # type: ignore[arg-type,return-value]
    workspace_id = _workspace(sessions, clock)
    with sessions.begin() as session:
        notices = [deliveries.plan(session, workspace_id=workspace_id, kind="notice", key=f"n{n}",
                                   destination=Destination.person(PersonRef("slack", f"U{n}")),
                                   due_at=clock.now()).id for n in range(3)]
    clock.advance(timedelta(seconds=5))  # an urgent call after a roster import: due later
    urgent = [_plan(deliveries, sessions, clock, workspace_id,
                    Destination.person(PersonRef("slack", f"U{n}")), f"u{n}") for n in range(3)]
    deliveries.sweep()
    assert [p.delivery_id for p in slack.posted] == urgent
    clock.advance(timedelta(seconds=1))
    deliveries.sweep()
    assert [p.delivery_id for p in slack.posted] == urgent + notices
