"""Suggested organisations: anyone suggests, a coordinator adds to the roster (and the meeting) or
dismisses, the suggester is told; only coordinators decide, and nothing is half-written."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.clock import ManualClock
from services.container import Services
from services.errors import Conflict, Field, FieldRef, InvalidFields, InvalidInput, NotAllowed, NotFound
from services.i18n import text
from services.messages import SuggestionDecided
from services.people import EMAIL, PersonRef
from services.suggestions import SuggestionInput
from storage.models import (
    Delivery,
    MeetingOrganisation,
    Organisation,
    OrganisationSuggestion,
    SuggestionState,
    Tier,
)
from tests.conftest import T0
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

OLA = "UOLA0001"
KARI_CONTACT = "UBYMISJ1"


def _suggest(services: Services, name: str = "Kirkens Bymisjon", **given: object) -> int:
    reason = str(given.pop("reason", "They run the night shelter and know the people in it"))
    card = services.suggestions.suggest(person(OLA), SuggestionInput(name, reason, **given))  # type: ignore[arg-type]
    return card.id


def _told(notifier: RecordingNotifier, user: str) -> list[SuggestionDecided]:
    return [p.message for p in notifier.posted
            if p.destination.id == user and isinstance(p.message, SuggestionDecided)]


def test_anyone_suggests_and_only_coordinators_see_the_suggester(services: Services, platform: str) -> None:
    services.suggestions.suggest(person(OLA), SuggestionInput(
        "  Kirkens   Bymisjon ", "They run the night shelter", contact="post@bymisjon.no",
        contact_person=PersonRef(platform, KARI_CONTACT), perspective="religion"))
    [card] = services.suggestions.waiting(coordinator())
    assert (card.name, card.perspective, card.contact, card.state) == (
        "Kirkens Bymisjon", "religion", "post@bymisjon.no", "open")
    assert card.suggested_by == PersonRef(platform, OLA) and card.contact_person.user_id == KARI_CONTACT
    with pytest.raises(NotAllowed):
        services.suggestions.waiting(person(OLA))
    # A suggestion is not a roster entry.
    assert services.roster.organisations(coordinator()) == []
    assert services.home.view(person(OLA)).suggestions == ()
    assert [c.name for c in services.home.view(coordinator()).suggestions] == ["Kirkens Bymisjon"]


def test_bad_suggestions_name_every_field_at_fault_and_store_nothing(services: Services, sessions) -> None:
    with pytest.raises(InvalidFields) as refused:
        services.suggestions.suggest(person(OLA), SuggestionInput(
            "K", "", contact="x" * 201, perspective="ethnicity"))
    assert set(refused.value.errors) == {FieldRef(Field.NAME), FieldRef(Field.REASON), FieldRef(Field.CONTACT),
                                         FieldRef(Field.PERSPECTIVES)}
    with pytest.raises(NotFound) as no_meeting:
        _suggest(services, meeting=7)
    assert no_meeting.value.field == Field.MEETING
    with sessions() as session:
        assert session.scalar(select(func.count(OrganisationSuggestion.id))) == 0


def test_an_organisation_already_on_the_roster_or_already_suggested_is_answered_helpfully(
    services: Services,
) -> None:
    services.roster.add(coordinator(), "Kirkens Bymisjon", Tier.TOPIC)
    with pytest.raises(Conflict) as listed:
        _suggest(services, "kirkens  BYMISJON")
    assert listed.value.field == Field.NAME
    assert "already on the roster" in listed.value.message.msgid and "invite" in listed.value.message.msgid
    _suggest(services, "NOAS")
    with pytest.raises(Conflict) as waiting:
        services.suggestions.suggest(person("UOTHER01"), SuggestionInput("noas", "Asylum law expertise"))
    assert "already been suggested" in waiting.value.message.msgid
    assert len(services.suggestions.waiting(coordinator())) == 1


def test_accepting_adds_to_the_roster_invites_to_the_meeting_and_tells_the_suggester(
    services: Services, sessions, notifier: RecordingNotifier, platform: str,
) -> None:
    meeting = services.meetings.schedule(coordinator(), title="Night shelters", starts_at=T0 + timedelta(days=20))
    number = meeting.meeting.number
    suggestion = _suggest(services, contact_person=PersonRef(platform, KARI_CONTACT), perspective="religion",
                          meeting=number)
    with pytest.raises(NotAllowed):
        services.suggestions.accept(person(OLA), suggestion)
    with pytest.raises(NotAllowed):
        services.suggestions.dismiss(person(OLA), suggestion)

    decision = services.suggestions.accept(coordinator(), suggestion)
    assert decision.added and decision.invited_to == number and decision.meeting_passed is None
    [listed] = services.roster.organisations(coordinator())
    assert (listed.name, listed.tier, listed.perspectives) == ("Kirkens Bymisjon", "topic", ("religion",))
    assert [c.user_id for c in listed.contacts] == [KARI_CONTACT]
    assert "Kirkens Bymisjon" in services.meetings.get(coordinator(), number).participants
    with sessions() as session:
        row = session.scalars(select(OrganisationSuggestion)).one()
        assert row.state == SuggestionState.ACCEPTED and row.organisation_id is not None
        assert row.decided_by_user_id == coordinator().person.user_id
        assert session.scalar(select(func.count(MeetingOrganisation.organisation_id)).where(
            MeetingOrganisation.organisation_id == row.organisation_id)) == 1

    services.deliveries.sweep()
    assert _told(notifier, OLA) == [SuggestionDecided("Kirkens Bymisjon", True, number, "Night shelters")]
    # Decided once: a second click is refused and nothing more is sent.
    with pytest.raises(Conflict):
        services.suggestions.accept(coordinator(), suggestion)
    with pytest.raises(Conflict):
        services.suggestions.dismiss(coordinator(), suggestion)
    services.deliveries.sweep()
    assert len(_told(notifier, OLA)) == 1
    assert services.suggestions.waiting(coordinator()) == ()


def test_a_chosen_tier_and_a_meeting_no_longer_ahead(
    services: Services, clock: ManualClock, notifier: RecordingNotifier,
) -> None:
    meeting = services.meetings.schedule(coordinator(), title="Soon", starts_at=T0 + timedelta(hours=3))
    suggestion = _suggest(services, meeting=meeting.meeting.number)
    clock.advance(timedelta(hours=4))
    decision = services.suggestions.accept(coordinator(), suggestion, Tier.CORE)
    assert decision.invited_to is None and decision.meeting_passed == meeting.meeting.number
    assert services.roster.organisations(coordinator())[0].tier == "core"
    services.deliveries.sweep()
    assert _told(notifier, OLA) == [SuggestionDecided("Kirkens Bymisjon", True)]


def test_accepting_a_name_that_reached_the_roster_meanwhile_keeps_the_entry_as_it_is(services: Services) -> None:
    suggestion = _suggest(services, perspective="religion")
    services.roster.add(coordinator(), "Kirkens Bymisjon", Tier.CORE, ["U0000001"])
    decision = services.suggestions.accept(coordinator(), suggestion)
    assert not decision.added and decision.organisation is not None
    [listed] = services.roster.organisations(coordinator())
    assert listed.tier == "core" and listed.perspectives == ()


def test_dismissing_tells_the_suggester_and_writes_no_roster_entry(
    services: Services, sessions, notifier: RecordingNotifier,
) -> None:
    suggestion = _suggest(services)
    decision = services.suggestions.dismiss(coordinator(), suggestion)
    assert decision.organisation is None and decision.suggestion.state == "dismissed"
    services.deliveries.sweep()
    assert _told(notifier, OLA) == [SuggestionDecided("Kirkens Bymisjon", False)]
    with sessions() as session:
        assert session.scalar(select(func.count(Organisation.id))) == 0
    # Dismissed is not "on the roster": it can be suggested again.
    _suggest(services)


def test_a_coordinator_deciding_on_their_own_suggestion_is_not_messaged(
    services: Services, sessions,
) -> None:
    card = services.suggestions.suggest(coordinator(), SuggestionInput("NOAS", "Asylum law expertise"))
    services.suggestions.accept(coordinator(), card.id)
    with sessions() as session:
        assert session.scalar(select(func.count(Delivery.id)).where(Delivery.kind == "suggestion_decided")) == 0


def test_a_failing_meeting_invite_leaves_nothing_half_written(
    services: Services, sessions, monkeypatch: pytest.MonkeyPatch,
) -> None:
    meeting = services.meetings.schedule(coordinator(), title="Night shelters", starts_at=T0 + timedelta(days=20))
    suggestion = _suggest(services, meeting=meeting.meeting.number)

    def broken(*_: object, **__: object) -> None:
        raise InvalidInput(text("boom"))

    monkeypatch.setattr(services.meetings, "invite_in", broken)
    with pytest.raises(InvalidInput):
        services.suggestions.accept(coordinator(), suggestion)
    with sessions() as session:
        assert session.scalar(select(func.count(Organisation.id))) == 0
        assert session.scalars(select(OrganisationSuggestion.state)).one() == SuggestionState.OPEN


def test_the_sandbox_seeds_olas_suggestion_for_kari_to_accept(services: Services, notifier: RecordingNotifier) -> None:
    from sandbox.demo import COORDINATOR as KARI
    from sandbox.demo import seed

    # Kari is the sandbox's coordinator; here, the test workspace's.
    assert seed(services, lambda user: coordinator() if user == KARI else person(user))
    [waiting] = services.suggestions.waiting(coordinator())
    assert waiting.suggested_by.user_id == "U0OLA" and waiting.name == "Fjordby Night Shelter (demo)"
    services.suggestions.accept(coordinator(), waiting.id)
    services.deliveries.sweep()
    assert _told(notifier, "U0OLA") == [SuggestionDecided("Fjordby Night Shelter (demo)", True)]


def test_a_decision_on_the_home_page_carries_the_page_as_it_is_now(
    services: Services, clock: ManualClock, notifier: RecordingNotifier
) -> None:
    first, second = _suggest(services), _suggest(services, "NOAS", reason="Asylum law, free of charge")
    accepted = services.home.accept_suggestion(coordinator(), first, Tier.CORE)
    assert (accepted.decision.added, accepted.decision.organisation.tier) == (True, Tier.CORE)
    assert [c.name for c in accepted.home.suggestions] == ["NOAS"]
    assert "Kirkens Bymisjon" in accepted.home.organisations
    dismissed = services.home.dismiss_suggestion(coordinator(), second)
    assert dismissed.decision.organisation is None and dismissed.home.suggestions == ()
    with pytest.raises(NotAllowed):
        services.home.accept_suggestion(person(OLA), second)
    services.deliveries.sweep()
    # Told by a delivery: the suggester only; the coordinator's answer is the page.
    assert sorted(p.destination.id for p in notifier.posted) == [OLA, OLA]


def test_an_address_in_the_contact_as_written_becomes_the_e_mail_contact(services: Services) -> None:
    suggestion = _suggest(services, contact="Amina Haddad, Amina@Bydelsmodrene.example.org, 900 00 000")
    services.suggestions.accept(coordinator(), suggestion)
    [listed] = services.roster.organisations(coordinator())
    assert listed.contacts == (PersonRef(EMAIL, "amina@bydelsmodrene.example.org"),)


def test_a_contact_without_an_address_adds_no_contact(services: Services) -> None:
    suggestion = _suggest(services, contact="Ask for Amina at the community centre (@ the desk)")
    services.suggestions.accept(coordinator(), suggestion)
    [listed] = services.roster.organisations(coordinator())
    assert listed.contacts == ()
