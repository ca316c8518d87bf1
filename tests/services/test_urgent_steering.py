"""Steering an urgent call: a link and a background in every invitation, a report naming who
answered, who is silent and who cannot be reached (and why), a one-click nudge of the silent ones,
and one count of who is invited, the same in the form, the confirmation and the report."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import Field, InvalidInput, NotAllowed, field_errors
from services.messages import (
    Audience,
    MeetingInvitation,
    MeetingNudge,
    OrganisationReach,
    Unreachable,
    UrgentProgress,
)
from services.ports import DeliveryError
from storage.models import Answer, Delivery, Meeting, Tier
from tests.conftest import COORDINATOR
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def roster(services: Services) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS", "USHARED01"])
    services.roster.add(boss, "Bydelsmødrene", Tier.CORE, [])  # nobody speaks for it yet
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["UNOAS0001"])
    services.roster.add(boss, "Bymisjonen", Tier.TOPIC, ["UBYMISJ01", "USHARED01"])
    services.roster.add(boss, "Helsedirektoratet", Tier.OBSERVER, ["UHDIR0001"])


def _progress(notifier: RecordingNotifier) -> UrgentProgress:
    [posted] = [p for p in notifier.posted if isinstance(p.message, UrgentProgress)]
    assert posted.destination.id == COORDINATOR
    message = notifier.latest(posted)
    assert isinstance(message, UrgentProgress)
    return message


def _settle(services: Services, clock: ManualClock) -> None:
    """Run the fan-out and let the report catch up (updates are spaced a second apart)."""
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=2))


def _nudged(notifier: RecordingNotifier) -> list[tuple[str, str]]:
    return sorted((p.destination.id, p.message.organisation) for p in notifier.posted
                  if isinstance(p.message, MeetingNudge))


PICKED = ["NOAS", "Bymisjonen", "Helsedirektoratet"]


@pytest.mark.usefixtures("roster")
def test_the_report_names_answered_silent_and_unreachable_organisations_with_reasons(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    # NOAS's only contact cannot be reached; one of Bymisjonen's two cannot either.
    notifier.refuse["UNOAS0001"] = DeliveryError("user_not_found", permanent=True)
    notifier.refuse["UBYMISJ01"] = DeliveryError("account_inactive", permanent=True)
    services.meetings.urgent(coordinator(), title="Flooding", organisations=PICKED)
    _settle(services, clock)
    services.meetings.rsvp(person("UREDCROSS"), 1, Answer.YES)
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.NO)
    services.meetings.rsvp(person("UCARITAS2"), 1, Answer.MAYBE)  # Caritas: someone may come
    _settle(services, clock)
    progress = _progress(notifier)
    assert progress.answered == (
        OrganisationReach("Caritas", answer=Answer.MAYBE),
        # USHARED01 speaks for Red Cross too, but only UREDCROSS answered: Red Cross has answered.
        OrganisationReach("Red Cross", answer=Answer.YES),
    )
    # Bymisjonen: one contact failed, the other (USHARED01) got it and has not answered for it.
    assert progress.silent == (OrganisationReach("Bymisjonen"),
                               OrganisationReach("Helsedirektoratet", observer=True))
    assert progress.unreachable == (
        OrganisationReach("Bydelsmødrene", unreachable=Unreachable.NO_CONTACT),
        OrganisationReach("NOAS", unreachable=Unreachable.NOT_DELIVERED),
    )
    assert progress.sending == 0 and progress.done
    assert sorted(f.person.user_id for f in progress.failed) == ["UBYMISJ01", "UNOAS0001"]
    # People reached in silent organisations: USHARED01 (for Bymisjonen) and the observer.
    assert progress.silent_people == 2 and progress.open


@pytest.mark.usefixtures("roster")
def test_organisations_still_being_sent_to_are_neither_silent_nor_unreachable(
    services: Services, notifier: RecordingNotifier
) -> None:
    services.meetings.urgent(coordinator(), title="Storm")
    # Nothing swept yet: the report itself goes first, while every invitation is still on its way.
    with services.sessions() as session:
        from services.meetings.urgent import standing

        meeting = session.scalar(select(Meeting))
        found = standing(session, meeting)
    assert found.answered == [] and found.silent == []
    assert [o.name for o in found.unreachable] == ["Bydelsmødrene"]
    assert found.sending == 2


@pytest.mark.usefixtures("roster")
def test_the_nudge_button_nudges_only_the_silent_and_only_once_in_the_window(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    notifier.refuse["UNOAS0001"] = DeliveryError("user_not_found", permanent=True)
    services.meetings.urgent(coordinator(), title="Flooding", organisations=PICKED)
    _settle(services, clock)
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)
    with pytest.raises(NotAllowed):
        services.meetings.nudge_silent(person("UCARITAS1"), 1)
    first = services.meetings.nudge_silent(coordinator(), 1)
    # Red Cross (UREDCROSS, USHARED01), Bymisjonen (UBYMISJ01; USHARED01 already counted) and the
    # observer: not Caritas (answered), NOAS (unreachable) or Bydelsmødrene (no contact).
    assert (first.nudged, first.organisations, first.recently) == (4, 3, 0)
    again = services.meetings.nudge_silent(coordinator(), 1)  # a second click, before the sweep
    assert (again.nudged, again.recently) == (0, 4)
    _settle(services, clock)
    # USHARED01 speaks for both Red Cross and Bymisjonen, both silent: one nudge, naming one of them.
    assert _nudged(notifier) == [("UBYMISJ01", "Bymisjonen"), ("UHDIR0001", "Helsedirektoratet"),
                                 ("UREDCROSS", "Red Cross"), ("USHARED01", "Bymisjonen")]
    clock.advance(timedelta(minutes=30))
    assert services.meetings.nudge_silent(coordinator(), 1).nudged == 0, "sent half an hour ago"
    services.meetings.rsvp(person("UREDCROSS"), 1, Answer.NO)
    clock.advance(timedelta(minutes=31))
    later = services.meetings.nudge_silent(coordinator(), 1)
    assert (later.nudged, later.organisations) == (3, 2), "after the window: the still silent, once more"
    _settle(services, clock)
    assert len(_nudged(notifier)) == 7


@pytest.mark.usefixtures("roster")
def test_nudging_a_cancelled_call_is_refused(services: Services) -> None:
    services.meetings.urgent(coordinator(), title="False alarm")
    services.meetings.cancel(coordinator(), 1)
    with pytest.raises(InvalidInput):
        services.meetings.nudge_silent(coordinator(), 1)


@pytest.mark.usefixtures("roster")
def test_form_confirmation_and_report_count_the_same_people(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    form = services.meetings.urgent_form(coordinator(), PICKED)
    called = services.meetings.urgent(coordinator(), title="Heatwave", organisations=PICKED)
    _settle(services, clock)
    report = _progress(notifier)
    # 6 organisations (the observer too: it gets the invitation), 7 people (USHARED01 once).
    expected = Audience(6, 7, ("Bydelsmødrene",))
    assert form.audience == called.audience == report.audience == expected
    assert report.total == 7 and report.sent == 7
    invited = {p.destination.id for p in notifier.posted
               if isinstance(p.message, MeetingInvitation) and p.destination.is_person}
    assert len(invited) == expected.people and "UHDIR0001" in invited, "the observer is counted and told"


@pytest.mark.usefixtures("roster")
def test_the_schedule_form_flags_core_organisations_without_contacts(services: Services) -> None:
    assert services.meetings.schedule_form(coordinator()).core_without_contact == ("Bydelsmødrene",)
    assert services.meetings.urgent_form(coordinator()).audience.no_contact == ("Bydelsmødrene",)


@pytest.mark.usefixtures("roster")
def test_link_and_background_are_stored_and_reach_every_invitation(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    background = "Basements under water in <!channel> Haugerud *now*"
    called = services.meetings.urgent(coordinator(), title="Flooding", video_link=" https://meet.example/abc ",
                                      background=f"  {background} ")
    assert (called.meeting.video_link, called.meeting.background) == ("https://meet.example/abc", background)
    _settle(services, clock)
    invitations = [p.message for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
    assert invitations and all(m.meeting.background == background for m in invitations)
    assert {m.personal for m in invitations} == {True, False}, "the channel post and each DM"


@pytest.mark.usefixtures("roster")
def test_a_bad_link_or_an_overlong_background_is_refused_on_its_field_and_nothing_is_written(
    services: Services, sessions
) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.meetings.urgent(coordinator(), title="Flooding", video_link="meet.example/abc",
                                 background="x" * 501)
    assert {ref.field for ref in field_errors(refused.value)} == {Field.VIDEO_LINK, Field.BACKGROUND}
    with sessions() as session:
        assert session.scalar(select(func.count(Meeting.id))) == 0
        assert session.scalar(select(func.count(Delivery.id))) == 0


@pytest.mark.usefixtures("roster")
def test_urgent_calls_nudge_silent_organisations_two_hours_before_if_time_allows(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, sessions
) -> None:
    start = clock.now() + timedelta(hours=3, minutes=30)
    services.meetings.urgent(coordinator(), title="Heat", starts_at=start)
    services.meetings.urgent(coordinator(), title="Too soon", starts_at=clock.now() + timedelta(hours=2, minutes=30))
    with sessions() as session:
        nudges = session.execute(select(Delivery.meeting_id, Delivery.due_at).where(
            Delivery.kind == "meeting_nudge")).all()
    assert {due for _, due in nudges} == {start - timedelta(hours=2)}, "none for a call 2½ hours ahead"
    _settle(services, clock)
    services.meetings.rsvp(person("UCARITAS1"), 1, Answer.YES)
    # The coordinator nudged by hand 45 minutes before the automatic nudge: nobody gets it twice.
    clock.set(start - timedelta(hours=2, minutes=45))
    assert services.meetings.nudge_silent(coordinator(), 1).nudged == 2  # Red Cross's two people
    _settle(services, clock)
    clock.set(start - timedelta(hours=2))
    _settle(services, clock)
    assert _nudged(notifier) == [("UREDCROSS", "Red Cross"), ("USHARED01", "Red Cross")]
