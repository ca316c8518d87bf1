"""E-mail addresses in the domain: one spelling stored and compared, anything that is not an
address refused with a message naming it (in Norwegian and English), and a person's choice to stop
e-mail kept and reversible."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from services.clock import ManualClock
from services.container import Services
from services.errors import Field, InvalidInput, NotFound
from services.i18n import translator
from services.mailing import MAX_ADDRESS, looks_like_address, normalise_address
from services.people import EMAIL, Actor, PersonRef, WorkspaceRef
from storage.models import Person, Tier, Workspace
from tests.factories import coordinator


@pytest.mark.parametrize(("typed", "stored"), [
    ("kari@example.org", "kari@example.org"),
    ("Kari.Nordmann@Example.ORG", "kari.nordmann@example.org"),
    ("  kari@example.org\t", "kari@example.org"),
    ("mailto:Kari@Example.org", "kari@example.org"),
    ("MAILTO:kari@example.org", "kari@example.org"),
    ("kari+dialog@example.org", "kari+dialog@example.org"),
    # Internationalised domains: the Unicode spelling and the ASCII (punycode) one are one address.
    ("kari@bølle.no", "kari@bølle.no"),
    ("Kari@XN--BLLE-GRA.no", "kari@bølle.no"),
    ("KÅRE@Bølle.no", "kåre@bølle.no"),
])
def test_an_address_has_one_spelling(typed: str, stored: str) -> None:
    assert normalise_address(typed) == stored
    assert normalise_address(stored) == stored  # stable: normalising twice changes nothing


@pytest.mark.parametrize("typed", [
    "kari", "kari@", "@example.org", "kari@example", "kari@@example.org", "kari @example.org",
    "kari@exa mple.org", "kari@example..org", "<@U012AB3CD>", "\"kari\"@example.org",
    "kari@[192.0.2.1]", "kari@-example.org", "", "   ", "mailto:",
])
def test_obvious_garbage_is_refused(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_address(typed)
    assert refused.value.field == Field.CONTACTS


@pytest.mark.parametrize("typed", [
    "kari@example.org\r\nBcc: everyone@example.org",
    "kari@example.org\nSubject: hi",
    "kari@example.org\rBcc: everyone@example.org",
    "kari\0@example.org",
])
def test_line_breaks_are_refused_and_never_echoed(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_address(typed)
    shown = refused.value.message.params["address"]
    assert "\r" not in shown and "\n" not in shown
    assert "line break" in translator("en").render(refused.value.message)


def test_an_over_long_address_is_refused_and_shown_cut_short() -> None:
    local = "k" * 64
    domain = ".".join(["d" * 60] * 4) + ".org"  # every label legal, the whole too long
    assert len(f"{local}@{domain}") > MAX_ADDRESS
    with pytest.raises(InvalidInput) as refused:
        normalise_address(f"{local}@{domain}")
    assert len(refused.value.message.params["address"]) <= 81
    # The longest legal local part is fine with a short domain.
    assert normalise_address(f"{local}@example.org") == f"{local}@example.org"


def test_the_field_given_is_the_one_named() -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_address("nope", field=Field.NAME)
    assert refused.value.field == Field.NAME


@pytest.mark.parametrize(("value", "meant"), [
    ("kari@example.org", True), (" kari@example.org ", True), ("mailto:kari@example.org", True),
    ("kari", False), ("@kari", False), ("<@U012AB3CD>", False), ("U012AB3CD", False),
    ("@@example", False),
])
def test_what_is_meant_as_an_address(value: str, meant: bool) -> None:
    assert looks_like_address(value) is meant


@pytest.mark.parametrize(("language", "garbage", "line_break"), [
    ("en", "“nope” is not an e-mail address. Write it like name@example.org.",
     "“kari@example.org Bcc: x@example.org” is not an e-mail address: it has a line break in it."),
    ("nb", "«nope» er ikke en e-postadresse. Skriv den som navn@example.org.",
     "«kari@example.org Bcc: x@example.org» er ikke en e-postadresse: den har et linjeskift i seg."),
])
def test_the_messages_in_norwegian_and_english(language: str, garbage: str, line_break: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        normalise_address("nope")
    assert translator(language).render(refused.value.message) == garbage
    with pytest.raises(InvalidInput) as refused:
        normalise_address("kari@example.org\nBcc: x@example.org")
    assert translator(language).render(refused.value.message) == line_break


def _email(address: str) -> Actor:
    # An e-mail contact belongs to the chat workspace whose roster names them.
    return Actor(coordinator().workspace, PersonRef(EMAIL, address))


def _person(sessions: sessionmaker[Session], address: str) -> Person | None:
    with sessions() as session:
        return session.scalar(select(Person).where(Person.platform == EMAIL, Person.user_id == address))


def test_unsubscribing_is_kept_told_once_and_can_be_taken_back(
        services: Services, sessions: sessionmaker[Session], clock: ManualClock) -> None:
    kari = _email("kari@example.org")
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["kari@example.org"])
    assert not services.mailing.is_unsubscribed(kari)

    first = services.mailing.unsubscribe(kari)
    assert (first.address, first.unsubscribed, first.changed) == ("kari@example.org", True, True)
    assert services.mailing.is_unsubscribed(kari)
    row = _person(sessions, "kari@example.org")
    assert row is not None and row.unsubscribed_at is not None
    # A second click (a mail scanner, a double tap) changes nothing and says so.
    again = services.mailing.unsubscribe(kari)
    assert (again.unsubscribed, again.changed) == (True, False)

    back = services.mailing.resubscribe(kari)
    assert (back.unsubscribed, back.changed) == (False, True)
    assert not services.mailing.is_unsubscribed(kari)
    assert not services.mailing.is_unsubscribed(_email("someone.else@example.org"))


def test_a_stop_link_for_a_workspace_not_served_here_changes_nothing(
        services: Services, sessions: sessionmaker[Session]) -> None:
    with pytest.raises(NotFound):
        services.mailing.unsubscribe(Actor(WorkspaceRef("slack", "TELSEWHERE"), PersonRef(EMAIL, "k@example.org")))
    with sessions() as session:
        assert session.scalar(select(func.count(Workspace.id))) == 0
        assert session.scalar(select(func.count(Person.id))) == 0


def test_only_email_contacts_can_stop_email(services: Services) -> None:
    services.roster.add(coordinator(), "Caritas", Tier.CORE, ["kari@example.org"])
    # A chat person with no address of their own on the roster: there is no e-mail to stop.
    chat = Actor(coordinator().workspace, PersonRef(coordinator().workspace.platform, "U012AB3CD"))
    with pytest.raises(InvalidInput) as refused:
        services.mailing.unsubscribe(chat)
    assert translator("nb").render(refused.value.message) == (
        "Bare e-postkontakter kan stoppe eller starte e-post igjen her.")
    assert services.mailing.is_unsubscribed(chat) is False
