"""People outside chat: answers from a link (one confirmation per change, none when the answer
stays), what a link may no longer do, the personal page's view, proposing and supporting as an
e-mail contact, and links to one's page on request (no enumeration, one per ten minutes)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.errors import InvalidInput, NotAllowed, NotFound
from services.messages import AnswerRecorded, MeetingInvitation, PersonalLink
from services.minutes import THE_CITY, ActionItemInput
from services.outside import ANSWER_RECORDED, PERSONAL_LINK, AnswerRefused, AnswerState
from services.people import EMAIL, Actor, PersonRef
from services.privacy import PrivacySettings
from storage.models import Answer, Contact, Delivery, Organisation, Side, Tier
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

AMINA = "amina@bydelsmodrene.example.org"


@pytest.fixture
def mail() -> RecordingNotifier:
    return RecordingNotifier(EMAIL)


@pytest.fixture
def services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
             mail: RecordingNotifier, platform: str) -> Services:
    return build_services(sessions, clock, notifier, also=[mail], platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          privacy=PrivacySettings(notices=False))


@pytest.fixture
def amina(services: Services, sessions: sessionmaker[Session]) -> Actor:
    services.roster.add(coordinator(), "Bydelsmødrene", Tier.CORE, ["UMOTHERS1"])
    services.roster.add(coordinator(), "Helsedirektoratet", Tier.OBSERVER, ["UHELSEDIR"])
    _email_contact(sessions, "Bydelsmødrene", AMINA)
    return Actor(coordinator().workspace, PersonRef(EMAIL, AMINA))


def _email_contact(sessions: sessionmaker[Session], organisation: str, address: str) -> None:
    with sessions.begin() as session:
        found = session.scalars(select(Organisation).where(Organisation.name == organisation)).one()
        session.add(Contact(organisation_id=found.id, platform=EMAIL, user_id=address,
                            created_at=found.created_at))


def _rows(sessions: sessionmaker[Session], kind: str) -> int:
    with sessions() as session:
        return session.scalar(select(func.count(Delivery.id)).where(Delivery.kind == kind)) or 0


def _meeting(services: Services, clock: ManualClock) -> int:
    """A meeting in three hours whose invitations are out (sent, e-mail too)."""
    card = services.meetings.schedule(coordinator(), title="Winter shelter capacity",
                                      starts_at=clock.now() + timedelta(days=1)).meeting
    clock.advance(timedelta(days=1) - timedelta(hours=3))
    services.deliveries.sweep()
    return card.number


def test_an_answer_from_a_link_counts_and_is_confirmed_once_per_change(
        services: Services, clock: ManualClock, amina: Actor, mail: RecordingNotifier,
        notifier: RecordingNotifier, sessions: sessionmaker[Session]) -> None:
    number = _meeting(services, clock)
    assert any(isinstance(p.message, MeetingInvitation) for p in mail.posted), "invited by e-mail"
    view = services.outside.answer_view(amina, number)
    assert (view.state, view.answer, view.language) == (AnswerState.OPEN, None, "en")
    assert _rows(sessions, ANSWER_RECORDED) == 0, "a look changes nothing"

    outcome = services.outside.answer(amina, number, Answer.YES)
    assert outcome.confirmation_planned and outcome.view.answer == Answer.YES
    assert services.meetings.get(coordinator(), number).tally.yes == 1
    # The same answer again (a replayed form): recorded, nothing new planned.
    again = services.outside.answer(amina, number, Answer.YES)
    assert not again.confirmation_planned and _rows(sessions, ANSWER_RECORDED) == 1
    services.deliveries.sweep()
    [confirmation] = [p.message for p in mail.posted if isinstance(p.message, AnswerRecorded)]
    assert confirmation.answer == Answer.YES and confirmation.meeting.number == number
    # The channel post's tally followed, as for a click in chat.
    clock.advance(timedelta(seconds=2))
    services.deliveries.sweep()
    [post] = [p for p in notifier.posted if not p.destination.is_person]
    assert post.updates and post.updates[-1].meeting.tally.yes == 1

    # Two quick changes: only the answer that stands is confirmed.
    clock.advance(timedelta(seconds=1))
    assert services.outside.answer(amina, number, Answer.NO).confirmation_planned
    clock.advance(timedelta(seconds=1))
    assert services.outside.answer(amina, number, Answer.MAYBE).confirmation_planned
    services.deliveries.sweep()
    confirmed = [p.message.answer for p in mail.posted if isinstance(p.message, AnswerRecorded)]
    assert confirmed == [Answer.YES, Answer.MAYBE]

    # Someone who stopped e-mail is not written to: the page is their confirmation.
    services.outside.stop(amina)
    clock.advance(timedelta(seconds=1))
    recorded = services.outside.answer(amina, number, Answer.YES)
    assert recorded.view.answer == Answer.YES and not recorded.confirmation_planned
    assert _rows(sessions, ANSWER_RECORDED) == 3


def test_what_a_link_can_no_longer_do(services: Services, clock: ManualClock, amina: Actor,
                                      sessions: sessionmaker[Session]) -> None:
    draft = services.meetings.schedule(coordinator(), title="Not yet announced",
                                       starts_at=clock.now() + timedelta(days=30)).meeting.number
    with pytest.raises(NotFound):
        services.outside.answer_view(amina, draft)  # the coordinators' draft until invitations go out
    number = _meeting(services, clock)
    stranger = Actor(amina.workspace, PersonRef(EMAIL, "someone@example.org"))
    assert services.outside.answer_view(stranger, number).state == AnswerState.NOT_INVITED
    with pytest.raises(AnswerRefused) as refused:
        services.outside.answer(stranger, number, Answer.YES)
    assert refused.value.view.state == AnswerState.NOT_INVITED

    clock.advance(timedelta(hours=3))  # the start
    assert services.outside.answer_view(amina, number).state == AnswerState.STARTED
    with pytest.raises(AnswerRefused):
        services.outside.answer(amina, number, Answer.YES)
    later = _meeting(services, clock)
    services.meetings.cancel(coordinator(), later, "No venue")
    with pytest.raises(AnswerRefused) as cancelled:
        services.outside.answer(amina, later, Answer.YES)
    assert cancelled.value.view.state == AnswerState.CANCELLED
    assert cancelled.value.view.meeting.cancel_reason == "No venue"
    assert _rows(sessions, ANSWER_RECORDED) == 0
    with pytest.raises(NotFound):
        services.outside.answer_view(amina, 99)


def test_the_personal_page_and_what_can_be_done_there(services: Services, clock: ManualClock,
                                                     amina: Actor, sessions: sessionmaker[Session]) -> None:
    number = _meeting(services, clock)
    services.topics.propose(person("UHELSEDIR"), "Health services for newcomers")
    overview = services.outside.overview(amina)
    assert overview.organisations == ("Bydelsmødrene",)
    assert [m.meeting.number for m in overview.meetings] == [number]
    assert [t.title for t in overview.topics] == ["Health services for newcomers"]
    assert overview.supported == frozenset() and not overview.unsubscribed

    assert services.outside.support(amina, 1).added
    assert not services.outside.support(amina, 1).added
    topic = services.outside.propose(amina, "Meeting places for mothers", "In every district")
    assert topic.proposer_organisation == "Bydelsmødrene" and topic.proposer_side == Side.CIVIL_SOCIETY
    assert topic.proposer is None, "shown as the organisation, never the address"
    overview = services.outside.overview(amina)
    assert overview.supported == frozenset({1})
    assert {t.number for t in overview.topics} == {1, 2}

    # Stopping e-mail shows on the page; nothing else about them changes.
    services.outside.stop(amina)
    assert services.outside.overview(amina).unsubscribed
    assert services.outside.mail_status(amina).unsubscribed
    services.outside.resume(amina)
    assert not services.outside.mail_status(amina).unsubscribed

    # Someone no longer on the roster proposes and supports nothing.
    stranger = Actor(amina.workspace, PersonRef(EMAIL, "someone@example.org"))
    with pytest.raises(NotAllowed):
        services.outside.propose(stranger, "Something else entirely")
    with pytest.raises(NotAllowed):
        services.outside.support(stranger, 1)
    assert services.outside.overview(stranger).organisations == ()


def test_a_link_to_ones_page_on_request(services: Services, clock: ManualClock, amina: Actor,
                                        mail: RecordingNotifier, sessions: sessionmaker[Session]) -> None:
    services.outside.request_link("nobody@example.org")
    services.outside.request_link(f"  {AMINA.upper()} ")
    assert _rows(sessions, PERSONAL_LINK) == 1
    services.outside.request_link(AMINA)
    clock.advance(timedelta(minutes=9))
    services.outside.request_link(AMINA)
    assert _rows(sessions, PERSONAL_LINK) == 1, "one per ten minutes"
    services.deliveries.sweep()
    [sent] = [p for p in mail.posted if isinstance(p.message, PersonalLink)]
    assert sent.destination.id == AMINA and sent.message.organisations == ("Bydelsmødrene",)

    # Asked for, so sent even to someone who stopped e-mail (the page is how they restart it).
    services.outside.stop(amina)
    clock.advance(timedelta(minutes=10))
    services.outside.request_link(AMINA)
    services.deliveries.sweep()
    assert len([p for p in mail.posted if isinstance(p.message, PersonalLink)]) == 2

    with pytest.raises(InvalidInput):
        services.outside.request_link("not an address")
    with pytest.raises(InvalidInput):
        services.outside.request_link("a@example.org\r\nBcc: x@example.org")
    assert _rows(sessions, PERSONAL_LINK) == 2


def test_a_meeting_whose_invitations_are_not_out_is_not_on_the_page(
        services: Services, clock: ManualClock, amina: Actor) -> None:
    # Scheduled a month ahead: invitations go out two weeks before, until then it is a draft.
    services.meetings.schedule(coordinator(), title="Spring dialogue", starts_at=clock.now() + timedelta(days=30))
    assert services.outside.overview(amina).meetings == ()
    clock.advance(timedelta(days=17))
    assert [m.meeting.title for m in services.outside.overview(amina).meetings] == ["Spring dialogue"]


def test_links_on_request_are_capped_at_three_a_day(services: Services, clock: ManualClock, amina: Actor,
                                                   sessions: sessionmaker[Session]) -> None:
    for _ in range(6):  # a script asking every ten minutes, within the per-request window rule
        services.outside.request_link(AMINA)
        clock.advance(timedelta(minutes=10))
    assert _rows(sessions, PERSONAL_LINK) == 3
    clock.advance(timedelta(days=1))
    services.outside.request_link(AMINA)
    assert _rows(sessions, PERSONAL_LINK) == 4, "a new day, a new link"


def test_the_page_lists_the_organisations_follow_up_points_only(services: Services, clock: ManualClock,
                                                               amina: Actor) -> None:
    number = _meeting(services, clock)
    clock.advance(timedelta(hours=4))  # held
    due = clock.now().date() + timedelta(days=7)
    services.minutes.record(coordinator(), number, summary="Three things to follow up.", action_items=[
        ActionItemInput("Find meeting rooms", "Bydelsmødrene", due),
        ActionItemInput("Count the beds", "Helsedirektoratet", due),
        ActionItemInput("Find premises", THE_CITY, due),
    ])
    [(meeting, title, point)] = services.outside.overview(amina).follow_up
    assert (meeting, title, point.description, point.owner) == (
        number, "Winter shelter capacity", "Find meeting rooms", "Bydelsmødrene")
    assert services.outside.overview(amina).meetings == (), "a meeting held is no longer ahead"
