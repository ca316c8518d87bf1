"""E-mail contacts on the roster: an address is a contact of its own (on the e-mail platform), a
chat person may have an address for what chat cannot deliver, every way in (the commands, the
form, the CSV rows, a suggestion) takes them by the same rules, bad addresses are refused by name
with nothing stored, and reachability knows an address that failed or stopped e-mail."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services, build_services
from services.errors import Field, FieldRef, InvalidFields, InvalidInput
from services.messages import PrivacyNotice, Unreachable
from services.people import EMAIL, Actor, PersonRef, WorkspaceRef
from services.ports import DeliveryError
from services.privacy import PrivacySettings
from services.reachability import UnreachableOrganisation
from services.roster import ContactInput, RosterRow
from storage.models import AuditEntry, Contact, Organisation, Tier
from tests.conftest import CHANNEL, COORDINATOR, TEAM, TIMINGS
from tests.factories import coordinator, person
from tests.support.notifier import RecordingNotifier

OLA = "ola@example.org"
KARI = "kari@example.org"


def _with_email(sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier,
                platform: str, mail: RecordingNotifier, *, notices: bool) -> Services:
    """The services with an e-mail notifier besides the platform's (as runtime.py wires them)."""
    return build_services(sessions, clock, notifier, also=[mail], platform=platform, channel_id=CHANNEL,
                          coordinators=(COORDINATOR,), default_language="en", timings=TIMINGS,
                          privacy=PrivacySettings(notices=notices))


def _sweep(services: Services, clock: ManualClock, rounds: int = 6) -> None:
    for _ in range(rounds):
        services.deliveries.sweep()
        clock.advance(timedelta(seconds=1))


def _contacts(sessions: sessionmaker[Session]) -> list[tuple[str, str, str | None]]:
    with sessions() as session:
        return [tuple(row) for row in session.execute(
            select(Contact.platform, Contact.user_id, Contact.email).order_by(Contact.id))]


def test_an_address_is_a_contact_and_a_chat_person_may_have_one_too(
    services: Services, sessions: sessionmaker[Session], platform: str
) -> None:
    boss = coordinator()
    card = services.roster.add(boss, "Caritas", Tier.CORE,
                               ["U1", " Ola@Example.ORG ", OLA.upper(), ContactInput("U2", "Kari@example.org")])
    # One contact per address whatever its case; the address stored as the one spelling.
    assert card.contacts == (PersonRef(platform, "U1"), PersonRef(EMAIL, OLA), PersonRef(platform, "U2"))
    assert card.address_of(PersonRef(platform, "U2")) == KARI and card.address_of(PersonRef(platform, "U1")) is None
    assert _contacts(sessions) == [(platform, "U1", None), (EMAIL, OLA, None), (platform, "U2", KARI)]
    assert services.roster.email_contacts() == 2
    with sessions() as session:
        details = session.scalars(select(AuditEntry.details)).one()
    assert details["contacts"] == ["U1", OLA, f"U2={KARI}"]

    # Coordinators see them; anyone else sees the organisation only.
    whole = services.roster.listing(boss).organisations[0]
    assert whole.contacts == card.contacts and whole.addresses == ((PersonRef(platform, "U2"), KARI),)
    member = services.roster.listing(person("U9")).organisations[0]
    assert (member.contacts, member.addresses) == ((), ())


def test_roster_contact_adds_an_address_or_gives_a_chat_person_theirs(
    services: Services, sessions: sessionmaker[Session], platform: str
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["U1"])
    outcome = services.roster.add_contacts(boss, "caritas", [OLA])
    assert (outcome.added, outcome.already, outcome.addressed) == ((PersonRef(EMAIL, OLA),), (), ())
    outcome = services.roster.add_contacts(boss, "Caritas", [ContactInput("U1", KARI), "OLA@example.org"])
    assert outcome.added == () and outcome.addressed == (PersonRef(platform, "U1"),)
    assert outcome.already == (PersonRef(EMAIL, OLA),)
    assert outcome.organisation.address_of(PersonRef(platform, "U1")) == KARI
    # The same again changes nothing; a person named without an address keeps theirs.
    outcome = services.roster.add_contacts(boss, "Caritas", [ContactInput("U1", KARI), "U1"])
    assert (outcome.added, outcome.addressed) == ((), ()) and outcome.already == (PersonRef(platform, "U1"),)
    assert _contacts(sessions) == [(platform, "U1", KARI), (EMAIL, OLA, None)]
    with pytest.raises(InvalidInput) as empty:
        services.roster.add_contacts(boss, "Caritas", ["  "])
    assert empty.value.field == Field.CONTACTS


@pytest.mark.parametrize(("typed", "named"), [
    ("ola@", "ola@"),
    ("ola@example", "ola@example"),
    ("ola smith@example.org", "ola smith@example.org"),
    ("ola@example.org\r\nBcc: everyone@example.org", "ola@example.org  Bcc: everyone@example.org"),
    ("o" * 300 + "@example.org", "o" * 80),
])
def test_a_bad_address_is_refused_by_name_and_nothing_is_stored(
    services: Services, sessions: sessionmaker[Session], typed: str, named: str
) -> None:
    boss = coordinator()
    with pytest.raises(InvalidInput) as by_command:
        services.roster.add(boss, "Caritas", Tier.CORE, ["U1", typed])
    assert by_command.value.field == Field.CONTACTS
    assert by_command.value.message.params["address"].startswith(named)
    assert "\n" not in by_command.value.message.params["address"]
    with pytest.raises(InvalidInput):
        services.roster.add(boss, "Caritas", Tier.CORE, [ContactInput("U1", typed)])
    with pytest.raises(InvalidInput) as by_form:
        services.roster.save(boss, RosterRow("Caritas", "core", ("U1", typed)))
    assert by_form.value.field == Field.CONTACTS
    # With other fields at fault, every one is named at once.
    with pytest.raises(InvalidFields) as with_others:
        services.roster.save(boss, RosterRow("C", "core", ("U1", typed)))
    assert set(with_others.value.errors) == {FieldRef(Field.NAME), FieldRef(Field.CONTACTS)}
    with pytest.raises(InvalidInput) as by_file:
        services.roster.import_rows(boss, [RosterRow("Caritas", "core", (typed,))])
    assert by_file.value.message.params["line"] == 2
    services.roster.add(boss, "NOAS", Tier.TOPIC, ["U1"])
    with pytest.raises(InvalidInput):
        services.roster.add_contacts(boss, "NOAS", [OLA, typed])
    with sessions() as session:
        assert session.scalar(select(func.count(Organisation.id))) == 1
    assert [c[1] for c in _contacts(sessions)] == ["U1"]


def test_rows_round_trip_addresses_and_the_file_is_the_truth_for_them(
    services: Services, sessions: sessionmaker[Session], platform: str
) -> None:
    boss = coordinator()
    rows = [RosterRow("Caritas", "core", ("U1", ContactInput("U2", KARI), OLA))]
    assert services.roster.import_rows(boss, rows).created == ["Caritas"]
    exported = services.roster.export_rows(boss)
    assert exported[0].contacts == ("U1", ContactInput("U2", KARI), OLA)
    again = services.roster.import_rows(boss, exported)
    assert again.unchanged == ["Caritas"]
    # A file naming U2 without the address takes it away, and one without OLA drops that contact.
    changed = services.roster.import_rows(boss, [RosterRow("Caritas", "core", ("U1", "U2"))])
    assert changed.updated == ["Caritas"]
    assert _contacts(sessions) == [(platform, "U1", None), (platform, "U2", None)]


def test_the_form_keeps_chat_peoples_addresses_it_has_no_field_for(
    services: Services, sessions: sessionmaker[Session], platform: str
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, [ContactInput("U1", KARI), OLA])
    # The form's people and addresses (as its parser reads them): U1 kept with Kari's address,
    # OLA replaced by another address, U3 new.
    saved = services.roster.save(boss, RosterRow("Caritas", "core", ("U1", "U3", "New@example.org"),
                                                 keeps_addresses=True), original="Caritas")
    assert saved.changed
    assert _contacts(sessions) == [(platform, "U1", KARI), (platform, "U3", None), (EMAIL, "new@example.org", None)]
    again = services.roster.save(boss, RosterRow("Caritas", "core", ("U1", "U3", "new@example.org"),
                                                 keeps_addresses=True), original="Caritas")
    assert not again.changed


def test_an_accepted_suggestion_keeps_what_an_archived_organisation_had(
    services: Services, sessions: sessionmaker[Session], platform: str
) -> None:
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, [ContactInput("U1", KARI), OLA])
    services.roster.remove(boss, "Caritas")
    card = services.roster.add(boss, "Caritas", Tier.TOPIC, ["U2"])
    assert card.contacts == (PersonRef(platform, "U1"), PersonRef(EMAIL, OLA), PersonRef(platform, "U2"))
    assert card.address_of(PersonRef(platform, "U1")) == KARI


def test_a_new_email_contact_is_told_the_privacy_notice_by_email(
    sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str
) -> None:
    mail = RecordingNotifier(EMAIL)
    services = _with_email(sessions, clock, notifier, platform, mail, notices=True)
    boss = coordinator()
    services.roster.add(boss, "Caritas", Tier.CORE, ["U1", ContactInput("U2", KARI)])
    services.roster.add_contacts(boss, "Caritas", [OLA])
    services.roster.import_rows(boss, [RosterRow("NOAS", "topic", ("post@noas.example.org",))])
    _sweep(services, clock)
    told = sorted(p.destination.id for p in mail.posted if isinstance(p.message, PrivacyNotice))
    assert told == [OLA, "post@noas.example.org"]
    # Kari's address is U2's, for what chat cannot deliver: U2 is told in chat.
    assert sorted(p.destination.id for p in notifier.posted if isinstance(p.message, PrivacyNotice)) == ["U1", "U2"]


def test_an_email_contact_is_reachable_until_it_fails_for_good_or_stops_email(
    sessions: sessionmaker[Session], clock: ManualClock, notifier: RecordingNotifier, platform: str
) -> None:
    mail = RecordingNotifier(EMAIL)
    services = _with_email(sessions, clock, notifier, platform, mail, notices=False)
    boss = coordinator()
    services.roster.add(boss, "Bydelsmødrene", Tier.CORE, [OLA])
    services.roster.add(boss, "Caritas", Tier.CORE, ["U1"])
    services.roster.add(boss, "Islamsk Råd", Tier.CORE, [KARI])
    services.roster.add(boss, "NOAS", Tier.CORE, [ContactInput("U2", "post@noas.example.org")])
    assert services.meetings.schedule_form(boss).unreachable == ()

    mail.refuse[OLA] = DeliveryError("550 5.1.1 No such user", permanent=True)
    notifier.refuse["U2"] = DeliveryError("user_disabled", permanent=True)
    services.mailing.unsubscribe(Actor(WorkspaceRef(platform, TEAM), PersonRef(EMAIL, KARI)))
    services.meetings.urgent(boss, title="Flooding")
    _sweep(services, clock)
    # NOAS's chat contact failed, but nothing sent to their own address has failed: reachable.
    assert services.meetings.schedule_form(boss).unreachable == (
        UnreachableOrganisation("Bydelsmødrene", Unreachable.NOT_DELIVERED),
        UnreachableOrganisation("Islamsk Råd", Unreachable.UNSUBSCRIBED),
    )
    # When that address fails too (here as Caritas's e-mail contact), nobody at NOAS can be reached.
    services.roster.add_contacts(boss, "Caritas", ["post@noas.example.org"])
    mail.refuse["post@noas.example.org"] = DeliveryError("550 5.1.1 No such user", permanent=True)
    services.meetings.urgent(boss, title="Flooding again")
    _sweep(services, clock)
    assert services.meetings.schedule_form(boss).unreachable == (
        UnreachableOrganisation("Bydelsmødrene", Unreachable.NOT_DELIVERED),
        UnreachableOrganisation("Islamsk Råd", Unreachable.UNSUBSCRIBED),
        UnreachableOrganisation("NOAS", Unreachable.NOT_DELIVERED),
    )
