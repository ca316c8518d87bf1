"""The scheduler: explicit job ids, a sweep that never raises, and wake-ups that are not lost."""

from __future__ import annotations

from time import monotonic, sleep

from scheduling.jobs import DeliverySweep, heartbeat
from scheduling.scheduler import HEARTBEAT_JOB_ID, SWEEP_JOB_ID, build_scheduler
from scheduling.watchdog import WATCHDOG_JOB_ID
from services.container import Services
from tests.factories import person
from tests.support.notifier import RecordingNotifier


def test_jobs_have_explicit_ids_and_waking_runs_a_sweep(services: Services, notifier: RecordingNotifier) -> None:
    exits: list[int] = []
    scheduler = build_scheduler(services, sweep_seconds=3600, on_database_lost=exits.append)
    ids = {job.id for job in scheduler.get_jobs()}
    assert {SWEEP_JOB_ID, HEARTBEAT_JOB_ID, WATCHDOG_JOB_ID} <= ids
    assert all("." in job_id for job_id in ids)  # named, not APScheduler's generated ids
    scheduler.start()
    try:
        services.topics.propose(person("U1"), "Housing for refugees")  # the use case wakes the sweep
        deadline = monotonic() + 10
        while not notifier.posted and monotonic() < deadline:
            sleep(0.02)  # waiting on a real background thread; bounded
        assert len(notifier.posted) == 1
        assert exits == []
    finally:
        scheduler.shutdown(wait=True)


def test_a_failing_sweep_is_logged_not_raised(services: Services, caplog) -> None:
    def broken() -> None:
        raise RuntimeError("database is gone")

    services.deliveries.sweep = broken  # type: ignore[method-assign]
    DeliverySweep(services)()
    assert "delivery sweep failed" in caplog.text


def test_a_wake_up_during_a_sweep_makes_it_go_round_again(services: Services) -> None:
    sweep = DeliverySweep(services)
    rounds = []

    def counting():
        rounds.append(1)
        if len(rounds) == 1:
            sweep.request()  # new work arrives while the first round runs
        return type("Report", (), {"busy": False})()

    services.deliveries.sweep = counting  # type: ignore[method-assign]
    sweep()
    assert len(rounds) == 2


def test_heartbeat_job_survives_errors(services: Services, caplog) -> None:
    def broken() -> None:
        raise RuntimeError("no database")

    services.deliveries.heartbeat = broken  # type: ignore[method-assign]
    heartbeat(services)
    assert "heartbeat failed" in caplog.text


def test_the_minutes_job_has_its_id_and_never_raises(services: Services, caplog) -> None:
    from scheduling.jobs import finalise_minutes
    from scheduling.scheduler import MINUTES_FINAL_JOB_ID

    scheduler = build_scheduler(services, sweep_seconds=3600, on_database_lost=lambda status: None)
    assert MINUTES_FINAL_JOB_ID in {job.id for job in scheduler.get_jobs()}
    finalise_minutes(services)  # nothing due: a quiet no-op

    def broken() -> int:
        raise RuntimeError("database is gone")

    services.minutes.review.finalise_due = broken  # type: ignore[method-assign]
    finalise_minutes(services)
    assert "finalising minutes failed" in caplog.text
