"""Start-up and e-mail: the bot says clearly what keeps e-mail contacts from being written to (no
SMTP_HOST, no DIALOG_PUBLIC_URL), says nothing when there are none, and wires the e-mail notifier
only when a server is set."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

import runtime
from config import Settings, load_settings
from handlers.email.notifier import EmailNotifier
from services.clock import ManualClock
from services.container import Services
from services.people import EMAIL
from storage.models import Contact, Organisation
from tests.factories import organisation
from tests.support.harness import bot_settings, fake_workspace

SMTP = {"SMTP_HOST": "smtp.example.org", "EMAIL_FROM": "Dialogbot <dialog@example.org>"}
PUBLIC = {"DIALOG_PUBLIC_URL": "https://dialog.example.org"}
PASSWORD = "Tr0ub4dor&3-horse-battery"


def _email_contacts(sessions: sessionmaker[Session], *addresses: str, name: str = "Caritas") -> int:
    """An organisation of the chat workspace whose contacts are e-mail addresses (as the roster
    stores them)."""
    organisation_id = organisation(sessions, name)
    with sessions.begin() as session:
        session.add_all(Contact(organisation_id=organisation_id, platform=EMAIL, user_id=address,
                                created_at=datetime(2026, 1, 1, tzinfo=UTC)) for address in addresses)
    return organisation_id


def _errors(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "dialogbot" and r.levelno >= logging.ERROR]


@pytest.fixture
def check(caplog: pytest.LogCaptureFixture, services: Services) -> Iterator[object]:
    def run(env: dict[str, str]) -> list[str]:
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="dialogbot"):
            # The running bot has its platform's secrets to sign links with (one stands in here).
            runtime.check_email(load_settings({"SLACK_SIGNING_SECRET": "shh", **env}), services)
        return _errors(caplog)
    yield run


def test_nothing_is_said_without_email_contacts(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    organisation(sessions, "Red Cross", "U012AB3CD")  # a chat contact, no address
    assert check({}) == []
    assert check(SMTP) == []


def test_missing_smtp_host_is_said_with_how_many_wait(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    _email_contacts(sessions, "kari@example.org", "ola@example.org")
    [error] = check(PUBLIC)
    assert "2 e-mail contacts" in error and "SMTP_HOST is not set" in error and ".env.example" in error


def test_missing_public_url_is_said(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    _email_contacts(sessions, "kari@example.org")
    [error] = check(SMTP)
    assert "1 e-mail contacts" in error and "DIALOG_PUBLIC_URL is not set" in error
    assert "answer links" in error


def test_no_key_for_the_links_is_said(sessions: sessionmaker[Session], services: Services,
                                      caplog: pytest.LogCaptureFixture) -> None:
    _email_contacts(sessions, "kari@example.org")
    # Teams alone, anonymous (no secret), with a relay that takes no password: nothing to derive from.
    settings = load_settings({**SMTP, **PUBLIC, "TEAMS_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                              "TEAMS_ANONYMOUS": "true"})
    with caplog.at_level(logging.INFO, logger="dialogbot"):
        runtime.check_email(settings, services)
    [error] = _errors(caplog)
    assert "DIALOG_LINK_SECRET" in error


def test_both_missing_are_both_said(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    _email_contacts(sessions, "kari@example.org")
    errors = check({})
    assert len(errors) == 2
    assert any("SMTP_HOST" in e for e in errors) and any("DIALOG_PUBLIC_URL" in e for e in errors)


def test_all_set_says_nothing(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    _email_contacts(sessions, "kari@example.org")
    assert check({**SMTP, **PUBLIC}) == []


def test_a_chat_contacts_fallback_address_counts(check, sessions: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    organisation(sessions, "Red Cross", "U012AB3CD")
    with sessions.begin() as session:
        session.execute(update(Contact).values(email="kari@example.org"))
    [error] = check(PUBLIC)
    assert "1 e-mail contacts" in error and "SMTP_HOST" in error


def test_an_archived_organisations_addresses_do_not_count(
        check, sessions: sessionmaker[Session], clock: ManualClock) -> None:  # type: ignore[no-untyped-def]
    archived = _email_contacts(sessions, "kari@example.org")
    with sessions.begin() as session:
        session.execute(update(Organisation).where(Organisation.id == archived)
                        .values(archived_at=clock.now()))
    assert check({}) == []


def test_the_email_notifier_is_wired_only_with_a_server(sessions: sessionmaker[Session],
                                                        clock: ManualClock) -> None:
    bare = load_settings(PUBLIC)
    links = runtime.email_links(bare, clock)
    assert runtime.email_notifier(bare, sessions, clock, links) is None
    settings = load_settings({**SMTP, **PUBLIC, "SMTP_USERNAME": "dialog", "SMTP_PASSWORD": PASSWORD})
    notifier = runtime.email_notifier(settings, sessions, clock, runtime.email_links(settings, clock))
    assert isinstance(notifier, EmailNotifier) and notifier.platform == EMAIL
    assert notifier.resend_in_doubt  # at least once: see the README's e-mail in doubt
    assert PASSWORD not in repr(vars(notifier))


def test_links_need_a_key_and_a_public_address(clock: ManualClock) -> None:
    assert not runtime.email_links(load_settings(PUBLIC), clock).available  # no secrets to derive a key
    keyed = load_settings({**PUBLIC, "SLACK_SIGNING_SECRET": "shh", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert runtime.email_links(keyed, clock).available
    no_address = load_settings({"SLACK_SIGNING_SECRET": "shh", "SLACK_BOT_TOKEN": "xoxb-1"})
    assert not runtime.email_links(no_address, clock).available


def test_teams_alone_signs_links_with_its_own_secret(clock: ManualClock) -> None:
    # A city's internal relay often takes no password: Teams' client secret is there to derive from.
    teams = load_settings({**PUBLIC, "TEAMS_TENANT_ID": "72f988bf-86f1-41af-91ab-2d7cd011db47",
                           "TEAMS_APP_ID": "0e3f3c5a-1a2b-4c3d-8e9f-0a1b2c3d4e5f",
                           "TEAMS_APP_PASSWORD": "8Xq8Q~Fh2kLm9Pq3Rs7Tv1Wx5Yz0Ab4Cd6Ef8Gh",
                           "SMTP_HOST": "relay.example.org", "EMAIL_FROM": "dialog@example.org"})
    assert runtime.email_links(teams, clock).available


def _build(settings: Settings, caplog: pytest.LogCaptureFixture) -> list[str]:
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="dialogbot"):
        bot = runtime.build(settings)
    try:
        return _errors(caplog)
    finally:
        runtime.shut_down(bot)


def test_start_up_says_it_for_the_real_bot(database_url: str, sessions: sessionmaker[Session],
                                           caplog: pytest.LogCaptureFixture) -> None:
    with fake_workspace() as fake:
        assert _build(bot_settings(database_url, fake), caplog) == []
        _email_contacts(sessions, "kari@example.org")
        errors = _build(bot_settings(database_url, fake), caplog)
        assert len(errors) == 2, errors
        ready = bot_settings(database_url, fake, **SMTP, **PUBLIC)
        assert _build(ready, caplog) == []
