"""Minutes reach everyone invited (contacts and observers, whatever they answered); with a review
period they go out first as a draft, comments reach the coordinators, and the minutes become final
when the period passes or a coordinator says so."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.errors import Conflict, Field, InvalidInput, NotAllowed
from services.messages import MinutesCommented, MinutesPosted
from services.minutes import ActionItemInput
from storage.models import Answer, MinutesComment, MinutesState, Tier
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

REVIEW = timedelta(days=3)


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             platform: str) -> Services:
    """The services with a three-day review round for minutes (DIALOG_MINUTES_REVIEW=3d)."""
    return build_services(sessions, clock, notifier, platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          minutes_review=REVIEW)


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


@pytest.fixture
def held(services: Services, clock: ManualClock, notifier: RecordingNotifier) -> int:
    """A meeting just held: Caritas (two contacts) said yes, Red Cross said no, the district (an
    observer) never answered."""
    return _hold(services, clock, notifier)


def _minutes(notifier: RecordingNotifier, *, draft: bool) -> list:
    return [p for p in notifier.posted if isinstance(p.message, MinutesPosted) and p.message.draft == draft]


def test_draft_then_comments_then_final_when_the_review_period_passes(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int, sessions
) -> None:
    recorded_at = clock.now()
    recorded = services.minutes.record(coordinator(), held, summary="Warm rooms for the winter, two more.",
                                       attendees=[person("UCARITAS1").person])
    assert recorded.readers == 4, "every contact of every organisation invited, observers too"
    view = recorded.minutes
    assert (view.state, view.review_until) == (MinutesState.DRAFT, recorded_at + REVIEW)
    _sweep(services, clock)
    drafts = _minutes(notifier, draft=True)
    # Every contact of every organisation invited, observers too, whatever they answered; not the channel.
    assert sorted(p.destination.id for p in drafts) == ["UCARITAS1", "UCARITAS2", "UDISTRICT", "UREDCROSS"]
    assert _minutes(notifier, draft=False) == []
    assert drafts[0].message.minutes.review_until == recorded_at + REVIEW

    comment = services.minutes.review.comment(person("UREDCROSS"), held, "  Please spell our name Red Cross.  ")
    assert (comment.meeting_number, comment.coordinators) == (held, 1)
    _sweep(services, clock)
    [told] = [p for p in notifier.posted if isinstance(p.message, MinutesCommented)]
    assert told.destination.id == COORDINATOR
    assert (told.message.body, told.message.organisations, told.message.author.user_id) == (
        "Please spell our name Red Cross.", ("Red Cross",), "UREDCROSS")
    with sessions() as session:
        assert session.scalars(select(MinutesComment.body)).all() == ["Please spell our name Red Cross."]

    clock.set(recorded_at + REVIEW - timedelta(minutes=1))
    assert services.minutes.review.finalise_due() == 0, "not before the deadline"
    clock.set(recorded_at + REVIEW)
    assert services.minutes.review.finalise_due() == 1
    assert services.minutes.review.finalise_due() == 0, "once"
    _sweep(services, clock)
    final = _minutes(notifier, draft=False)
    assert sorted(p.destination.id for p in final) == [CHANNEL, "UCARITAS1", "UCARITAS2", "UDISTRICT", "UREDCROSS"]
    assert all(p.message.minutes.state == MinutesState.FINAL for p in final)
    # The drafts already sent now say comments are closed (re-rendered in place, final state).
    assert all(notifier.latest(p).minutes.state == MinutesState.FINAL for p in drafts)
    with pytest.raises(Conflict) as closed:
        services.minutes.review.comment(person("UCARITAS1"), held, "Too late for this one.")
    assert closed.value.field == Field.COMMENT


def test_comments_only_from_those_invited_and_of_a_sensible_length(
    services: Services, clock: ManualClock, held: int
) -> None:
    services.minutes.record(coordinator(), held, summary="A draft worth commenting on.")
    with pytest.raises(NotAllowed):
        services.minutes.review.comment(person("USTRANGER"), held, "I was not even invited.")
    with pytest.raises(InvalidInput) as short:
        services.minutes.review.comment(person("UCARITAS1"), held, "ok")
    assert short.value.field == Field.COMMENT
    # A coordinator may comment too (say, for a colleague).
    assert services.minutes.review.comment(coordinator(), held, "Add the district's figures.").coordinators == 1


def test_a_coordinator_makes_the_minutes_final_at_once(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    services.minutes.record(coordinator(), held, summary="Final sooner than the deadline.")
    with pytest.raises(NotAllowed):
        services.minutes.review.finalise(person("UCARITAS1"), held)
    outcome = services.minutes.review.finalise(coordinator(), held)
    assert (outcome.already, outcome.readers) == (False, 4)
    assert services.minutes.review.finalise(coordinator(), held).already
    _sweep(services, clock)
    assert len(_minutes(notifier, draft=False)) == 5
    # Its drafts were still waiting: the final minutes go instead, no draft after the fact.
    assert _minutes(notifier, draft=True) == []
    clock.advance(REVIEW)
    assert services.minutes.review.finalise_due() == 0


def test_a_correction_during_review_keeps_the_draft_and_its_deadline(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    first = services.minutes.record(coordinator(), held, summary="First draft of the summary.").minutes
    _sweep(services, clock)
    clock.advance(timedelta(days=1))
    second = services.minutes.record(coordinator(), held, summary="Second draft, after comments.").minutes
    assert (second.state, second.review_until, second.version) == (MinutesState.DRAFT, first.review_until, 2)
    _sweep(services, clock)
    drafts = _minutes(notifier, draft=True)
    assert len(drafts) == 4, "corrected in place, not sent again"
    assert notifier.latest(drafts[0]).minutes.summary == "Second draft, after comments."


def test_without_review_minutes_are_final_at_once_and_reach_everyone_invited(
    sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str
) -> None:
    services = build_services(sessions, clock, notifier, platform=platform, channel_id=CHANNEL,
                              coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS)
    number = _hold(services, clock, notifier)
    recorded = services.minutes.record(coordinator(), number, summary="Final straight away, as before.",
                                       action_items=[ActionItemInput("Send the figures", "Caritas",
                                                                     clock.now().date() + timedelta(days=3))])
    assert (recorded.minutes.state, recorded.readers) == (MinutesState.FINAL, 4)
    _sweep(services, clock)
    final = _minutes(notifier, draft=False)
    # Not only the yes-answers: Red Cross said no, the district (observer) never answered.
    assert sorted(p.destination.id for p in final) == [CHANNEL, "UCARITAS1", "UCARITAS2", "UDISTRICT", "UREDCROSS"]
    assert _minutes(notifier, draft=True) == []
    with pytest.raises(Conflict):
        services.minutes.review.comment(person("UCARITAS1"), number, "Comments are closed here.")


def _hold(services: Services, clock: ManualClock, notifier: RecordingNotifier) -> int:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    services.roster.add(boss, "Bydel Gamle Oslo", Tier.OBSERVER, ["UDISTRICT"])
    card = services.meetings.schedule(boss, title="Winter dialogue", starts_at=clock.now() + timedelta(hours=2),
                                      organisations=["Bydel Gamle Oslo"]).meeting
    _sweep(services, clock)
    services.meetings.rsvp(person("UCARITAS1"), card.number, Answer.YES)
    services.meetings.rsvp(person("UREDCROSS"), card.number, Answer.NO)
    clock.set(card.starts_at + timedelta(hours=1))
    notifier.posted.clear()
    return card.number
