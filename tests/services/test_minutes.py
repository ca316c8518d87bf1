"""Minutes close the loop: attendance, discussed topics, posts to the thread and attendees,
follow-up reminders to the owning organisation on the due date."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from services.clock import ManualClock
from services.container import Services
from services.errors import Field, FieldRef, InvalidInput, NotAllowed
from services.meetings import INVITE
from services.messages import ActionItemDue, MeetingInvitation, MinutesPosted, TopicChanged
from services.minutes import ActionItemInput
from services.people import MessageRef
from storage.models import Answer, Delivery, Tier
from tests.conftest import CHANNEL
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier


@pytest.fixture
def held(services: Services, clock: ManualClock, notifier: RecordingNotifier) -> int:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["UCARITAS1", "UCARITAS2"])
    services.roster.add(boss, "Red Cross", Tier.CORE, ["UREDCROSS"])
    services.topics.propose(person("UPROPOSER"), "Heating costs")
    services.topics.propose(person("UPROPOSER"), "Night buses")
    card = services.meetings.schedule(boss, title="March dialogue", starts_at=clock.now() + timedelta(hours=2),
                                      topic_numbers=[1, 2]).meeting
    for _ in range(3):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))
    services.meetings.rsvp(person("UCARITAS1"), card.number, Answer.YES)
    services.meetings.rsvp(person("UREDCROSS"), card.number, Answer.YES)
    clock.set(card.starts_at + timedelta(hours=1))
    notifier.posted.clear()
    return card.number


def _sweep(services: Services, clock: ManualClock, rounds: int = 3) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def test_minutes_are_posted_in_the_thread_and_sent_to_everyone_invited(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int, sessions
) -> None:
    form = services.minutes.form(coordinator(), held)
    assert {p.user_id for p in form.people_attending} == {"UCARITAS1", "UREDCROSS"}
    attendees = [person("UCARITAS1").person, person("UCARITAS2").person]  # corrected by hand
    view = services.minutes.record(
        coordinator(), held, summary="We agreed on warm rooms for the winter.", decisions="Open two more rooms.",
        action_items=[ActionItemInput("Find volunteers for the rooms", "Caritas", clock.now().date() + timedelta(days=7))],
        attendees=attendees, discussed=[1],
    ).minutes
    assert (view.attendees, view.attending_organisations, view.discussed) == (2, ("Caritas",), ((1, "Heating costs"),))
    _sweep(services, clock)
    posts = [p for p in notifier.posted if isinstance(p.message, MinutesPosted)]
    channel = [p for p in posts if p.destination.kind == "channel"]
    assert len(channel) == 1 and channel[0].destination.id == CHANNEL
    with sessions() as session:
        invitation = session.scalar(select(Delivery.message_ref).where(
            Delivery.kind == INVITE, Delivery.dest_kind == "channel"))
    assert invitation and channel[0].message.reply_to == MessageRef(invitation), "a reply to the invitation"
    # Everyone invited gets the final minutes, whatever they answered: Red Cross too.
    assert sorted(p.destination.id for p in posts if p.destination.is_person) == ["UCARITAS1", "UCARITAS2", "UREDCROSS"]
    changes = sorted((p.message.topic.number, p.message.change) for p in notifier.posted
                     if isinstance(p.message, TopicChanged))
    assert changes == [(1, "discussed"), (2, "unscheduled")]
    assert services.topics.get(person("U9"), 1).state == "discussed"
    assert services.topics.get(person("U9"), 2).state == "proposed"


def test_follow_up_points_remind_the_owner_organisation_on_the_due_date(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    due = clock.now().date() + timedelta(days=7)
    services.minutes.record(coordinator(), held, summary="A short but real summary.",
                            action_items=[ActionItemInput("Report on shelter capacity", "Caritas", due)])
    _sweep(services, clock)
    assert not [p for p in notifier.posted if isinstance(p.message, ActionItemDue)]
    clock.set(clock.now() + timedelta(days=7, hours=12))
    _sweep(services, clock)
    reminded = [p for p in notifier.posted if isinstance(p.message, ActionItemDue)]
    assert sorted(p.destination.id for p in reminded) == ["UCARITAS1", "UCARITAS2"]
    assert reminded[0].message.item.due_on == due


def test_a_correction_updates_the_posted_minutes_in_place(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    services.minutes.record(coordinator(), held, summary="First version of the summary.",
                            attendees=[person("UCARITAS1").person])
    _sweep(services, clock)
    services.minutes.record(coordinator(), held, summary="Corrected version of the summary.",
                            attendees=[person("UCARITAS1").person])
    _sweep(services, clock)
    [channel] = [p for p in notifier.posted if isinstance(p.message, MinutesPosted) and p.destination.kind == "channel"]
    assert notifier.latest(channel).minutes.summary == "Corrected version of the summary."
    assert notifier.latest(channel).minutes.version == 2


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        (dict(summary="short"), FieldRef(Field.SUMMARY)),
        (dict(action_items=[ActionItemInput("Do it", "", date(2030, 1, 1))]), FieldRef(Field.ACTION_ITEM, 1)),
        (dict(action_items=[ActionItemInput("Do the thing", "Caritas", None)]), FieldRef(Field.ACTION_ITEM, 1)),
        (dict(action_items=[ActionItemInput("Do the thing", "Caritas", date(2020, 1, 1))]),
         FieldRef(Field.ACTION_ITEM, 1)),
    ],
)
def test_bad_minutes_are_refused_on_the_field(services: Services, held: int, kwargs, field: FieldRef) -> None:
    values = dict(summary="A perfectly fine summary.")
    values.update(kwargs)
    with pytest.raises(InvalidInput) as refused:
        services.minutes.record(coordinator(), held, **values)
    assert refused.value.ref == field
    assert services.meetings.get(person("U9"), held).state == "scheduled", "nothing was written"


def test_minutes_need_a_meeting_that_has_happened_and_a_coordinator(
    services: Services, clock: ManualClock
) -> None:
    card = services.meetings.schedule(coordinator(), title="Next month", starts_at=clock.now() + timedelta(days=30)).meeting
    with pytest.raises(InvalidInput) as refused:
        services.minutes.record(coordinator(), card.number, summary="Too early for minutes.")
    assert "has not happened yet" in refused.value.message.msgid
    with pytest.raises(NotAllowed):
        services.minutes.form(person("UCARITAS1"), card.number)


def test_invitation_post_still_renders_after_the_meeting_is_held(
    services: Services, clock: ManualClock, notifier: RecordingNotifier, held: int
) -> None:
    services.minutes.record(coordinator(), held, summary="We met and talked a lot.")
    _sweep(services, clock)
    assert not [p for p in notifier.posted if isinstance(p.message, MeetingInvitation)]
