"""Which language each person is written to in: their choice, their organisation's, the workspace's;
a platform's English locale never overrides a Norwegian workspace or organisation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.errors import InvalidInput
from services.languages import LanguageSource, resolve
from services.messages import MeetingInvitation
from services.people import PersonRef
from storage.models import Organisation, Person
from tests.conftest import CHANNEL, COORDINATOR, TIMINGS
from tests.factories import organisation, person, workspace
from tests.support.notifier import RecordingNotifier

ALICE, BOB, CAROL = "UALICE001", "UBOB00001", "UCAROL001"


def _services(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
              language: str) -> Services:
    return build_services(sessions, clock, notifier, platform=notifier.platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language=language, timings=TIMINGS)


@pytest.fixture
def norwegian(sessions: sessionmaker[Session], clock: ManualClock, platform: str) -> tuple[Services, RecordingNotifier]:
    """Services for a workspace whose language (DIALOG_LANGUAGE) is Norwegian."""
    notifier = RecordingNotifier(platform)
    services = _services(sessions, clock, notifier, "nb")
    services.start(person(COORDINATOR).workspace)
    return services, notifier


def _organisation(sessions: sessionmaker[Session], name: str, language: str | None, *contacts: str) -> int:
    organisation_id = organisation(sessions, name, *contacts)
    with sessions.begin() as session:
        session.get_one(Organisation, organisation_id).language = language
    return organisation_id


def test_without_a_choice_the_workspace_language(norwegian: tuple[Services, RecordingNotifier]) -> None:
    services, _ = norwegian
    setting = services.languages.setting(person(ALICE))
    assert (setting.language, setting.source) == ("nb", LanguageSource.WORKSPACE)


def test_a_contact_gets_their_organisations_language_over_the_workspaces(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session]) -> None:
    services, _ = norwegian
    _organisation(sessions, "Harbour Welcome", "en", ALICE)
    _organisation(sessions, "No language set", None, BOB)
    assert services.languages.setting(person(ALICE)).source == LanguageSource.ORGANISATION
    assert services.languages.of(person(ALICE)) == "en"
    assert services.languages.of(person(BOB)) == "nb"


def test_a_persons_own_choice_wins_over_organisation_and_workspace(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session]) -> None:
    services, _ = norwegian
    _organisation(sessions, "Bydelsmødrene", "nb", ALICE)
    chosen = services.languages.choose(person(ALICE), "english")
    assert chosen.changed and (chosen.setting.language, chosen.setting.source) == ("en", LanguageSource.CHOICE)
    assert services.languages.of(person(ALICE)) == "en"
    again = services.languages.choose(person(ALICE), "EN")
    assert not again.changed
    back = services.languages.choose(person(ALICE), "auto")
    assert back.changed and (back.setting.language, back.setting.source) == ("nb", LanguageSource.ORGANISATION)
    with sessions() as session:
        # One row per person, kept (with no language) after `auto`.
        assert session.scalars(select(Person.language)).all() == [None]


def test_a_choice_holds_in_its_own_workspace_only(
        norwegian: tuple[Services, RecordingNotifier]) -> None:
    services, _ = norwegian
    services.languages.choose(person(ALICE), "en")
    assert services.languages.of(person(ALICE, team="T0OTHER")) == "nb"


def test_an_english_locale_never_overrides_a_norwegian_workspace_or_organisation(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session]) -> None:
    services, _ = norwegian
    # Slack shows English to everyone whose language it lacks: en-US says nothing about the reader.
    assert services.languages.of(person(ALICE), locale="en-US") == "nb"
    _organisation(sessions, "Bydelsmødrene", "nb", BOB)
    english = _services(sessions, services.clock, RecordingNotifier(), "en")  # type: ignore[arg-type]
    assert english.languages.of(person(BOB), locale="en-GB") == "nb"


def test_a_locale_in_a_language_other_than_english_is_a_hint_before_the_workspace(
        sessions: sessionmaker[Session], clock: ManualClock, platform: str) -> None:
    english = _services(sessions, clock, RecordingNotifier(platform), "en")
    setting = english.languages.setting(person(ALICE), locale="nb-NO")
    assert (setting.language, setting.source) == ("nb", LanguageSource.LOCALE)
    assert english.languages.of(person(ALICE), locale="en-US") == "en"
    english.languages.choose(person(ALICE), "en")
    assert english.languages.of(person(ALICE), locale="nb-NO") == "en"


@pytest.mark.parametrize("typed", ["xx", "deutsch", ""])
def test_anything_but_a_language_is_refused_with_the_choices_and_nothing_stored(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session], typed: str) -> None:
    services, _ = norwegian
    with pytest.raises(InvalidInput) as refused:
        services.languages.choose(person(ALICE), typed)
    assert "nb (norsk), en (English)" in refused.value.message.msgid
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Person)) == 0


def test_the_message_about_an_organisation_uses_that_organisations_language(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session], platform: str) -> None:
    services, _ = norwegian
    _organisation(sessions, "Harbour Welcome", "en", ALICE)
    nordvik = _organisation(sessions, "Nordvik Mothers", "nb", ALICE)
    with sessions() as session:
        ws = workspace(session).id
        me = PersonRef(platform, ALICE)
        assert resolve(session, ws, me, "nb").language == "en", "the oldest organisation first"
        assert resolve(session, ws, me, "en", organisation_id=nordvik).language == "nb"


def test_deliveries_follow_a_choice_made_after_they_were_planned(
        norwegian: tuple[Services, RecordingNotifier], sessions: sessionmaker[Session], clock: ManualClock) -> None:
    services, notifier = norwegian
    _organisation(sessions, "Bydelsmødrene", "nb", ALICE, BOB)
    _organisation(sessions, "Harbour Welcome", None, CAROL)
    services.meetings.urgent(person(COORDINATOR), title="Hetebølge")
    # Planned in Norwegian; Alice chooses English before the sweep sends them.
    services.languages.choose(person(ALICE), "en")
    services.deliveries.sweep()
    services.deliveries.sweep()
    invitations = {p.destination.id: p.destination.language for p in notifier.posted
                   if isinstance(p.message, MeetingInvitation)}
    assert invitations == {CHANNEL: "nb", ALICE: "en", BOB: "nb", CAROL: "nb"}

    # A later reminder follows a later choice too.
    services.languages.choose(person(BOB), "en")
    notifier.posted.clear()
    clock.advance(timedelta(hours=23, minutes=50))
    for _ in range(3):
        services.deliveries.sweep()
    reminded = {p.destination.id: p.destination.language for p in notifier.posted if p.destination.is_person}
    assert reminded.get(BOB) == "en" and reminded.get(CAROL) == "nb"
