"""The e-mail contacts' pages over real HTTP, against the real bot and the fake Slack: an answer
link's GET changes nothing and its button records once (tally and channel post follow), every
bad link gets a clear page, forms need their token, and every response is locked down."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from fakes.slack import FakeSlack
from handlers.email.links import Links
from runtime import email_links
from services.clock import ManualClock
from services.enums import Answer
from services.outside import ANSWER_RECORDED
from services.people import EMAIL, Actor, PersonRef, WorkspaceRef
from storage.models import Invitation, Person
from tests.conftest import CHANNEL, COORDINATOR, TEAM
from tests.handlers.email.pages_support import (
    SECURITY_HEADERS,
    Browser,
    add_email_contact,
    deliveries_of,
    snapshot,
)
from tests.support.harness import MEMBERS, RunningBot, bot_settings, fake_workspace, running_bot

ALICE = MEMBERS[0]
AMINA = "amina@bydelsmodrene.example.org"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)  # 10:00 in Oslo
STARTS = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)  # the meeting: 12:00 in Oslo
WORKSPACE = WorkspaceRef("slack", TEAM)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = fake_workspace().start()
    yield fake
    fake.stop()
    assert fake.violations == []


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h",
                            DIALOG_PUBLIC_URL="https://dialog.example.org", DIALOG_LANGUAGE="en")
    with running_bot(settings, clock=clock) as running:
        yield running


@pytest.fixture
def links(bot: RunningBot, clock: ManualClock) -> Links:
    return email_links(bot.runtime.settings, clock)


@pytest.fixture
def browser(bot: RunningBot) -> Browser:
    return Browser(bot.url)


def _say(bot: RunningBot, fake: FakeSlack, text: str, key: str) -> dict:
    reply = bot.slack.slash_command(text, user_id=COORDINATOR, response_url=fake.response_url(key))
    assert reply.status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _dump(message: dict) -> str:
    return message["text"] + json.dumps(message["blocks"], ensure_ascii=False)


def _meeting(bot: RunningBot, fake: FakeSlack, clock: ManualClock, title: str = "Winter shelter capacity") -> dict:
    """Caritas (a chat member) and Bydelsmødrene (an address only) on the roster, a meeting at
    12:00 today, its invitations out: the channel post."""
    _say(bot, fake, f'roster add "Caritas" core <@{ALICE}>', "roster-1")
    _say(bot, fake, f'roster add "Bydelsmødrene" core <@{MEMBERS[1]}>', "roster-2")
    add_email_contact(bot.runtime.services.sessions, "Bydelsmødrene", AMINA)
    assert "is scheduled" in _say(bot, fake, f"schedule 2026-03-02 12:00 {title}", "schedule")["text"]
    clock.advance(timedelta(hours=1, seconds=1))  # 11:00: the invitations are due
    assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) == 1, timeout=10)
    return fake.messages(CHANNEL)[0]


def _answer_of(bot: RunningBot, address: str) -> Answer | None:
    with bot.runtime.services.sessions() as session:
        return session.scalar(select(Invitation.answer).where(Invitation.platform == EMAIL,
                                                              Invitation.user_id == address))


def test_an_answer_link_shows_then_records_once_and_the_channel_post_follows(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock, links: Links, browser: Browser) -> None:
    post = _meeting(bot, fake_slack, clock)
    assert "Attending: 0" in _dump(post)
    sessions = bot.runtime.services.sessions
    url = links.answer_url(WORKSPACE, AMINA, 1, Answer.YES, STARTS)

    before = snapshot(sessions)
    shown = browser.get(url)
    # A mail scanner opening the link (twice) changes nothing at all.
    assert browser.get(url).status == 200
    assert snapshot(sessions) == before
    assert shown.status == 200, shown.text()
    text = shown.text()
    assert "Meeting 1: Winter shelter capacity" in text
    assert "Monday, 2 March 2026 12:00 (Europe/Oslo)" in text
    assert "Your answer now: Not answered yet" in text
    assert "Winter shelter capacity" in shown.tree().findtext(".//title")
    # One button, for the answer the link names; links (GETs) to the others.
    [button] = shown.tree().iter("button")
    assert " ".join(button.text_content().split()) == "Answer: Attending"
    others = [a.text_content() for a in shown.tree().iter("a") if "/p/answer/" in (a.get("href") or "")]
    assert others == ["Not attending", "Maybe"]

    # Without the form's token, or with another link's, nothing is recorded.
    assert browser.post(url, {}).status == 403
    action, fields = shown.form("Answer: Attending")
    other = browser.get(links.answer_url(WORKSPACE, AMINA, 1, Answer.NO, STARTS))
    _, other_fields = other.form("Answer: Not attending")
    refused = browser.post(action, other_fields)
    assert refused.status == 403 and "Nothing was changed" in refused.text()
    assert snapshot(sessions) == before

    answered = browser.post(action, fields)
    assert answered.status == 303 and answered.header("Location").endswith("?done=confirmed")
    result = browser.get(answered.header("Location"))
    assert result.status == 200 and "Your answer is recorded: Attending." in result.text()
    assert _answer_of(bot, AMINA) == Answer.YES
    [confirmation] = deliveries_of(sessions, ANSWER_RECORDED, AMINA)
    # The result page is a GET: reloading it changes nothing.
    after = snapshot(sessions)
    assert browser.get(answered.header("Location")).status == 200 and snapshot(sessions) == after

    # The tally in the channel post counts it, as a click in chat would.
    clock.advance(timedelta(seconds=2))
    assert fake_slack.wait_for(lambda: "Attending: 1" in _dump(fake_slack.messages(CHANNEL)[0]), timeout=10)
    assert len(fake_slack.messages(CHANNEL)) == 1

    # A replayed POST records the same answer again: no second confirmation.
    assert browser.post(action, fields).status == 303
    assert [d.id for d in deliveries_of(sessions, ANSWER_RECORDED, AMINA)] == [confirmation.id]

    # Another answer from its own link is a change: confirmed once more.
    _, no_fields = other.form("Answer: Not attending")
    assert browser.post(other.path, no_fields, follow=True).status == 200
    assert _answer_of(bot, AMINA) == Answer.NO
    assert len(deliveries_of(sessions, ANSWER_RECORDED, AMINA)) == 2


def test_bad_links_get_clear_pages_and_change_nothing(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock, links: Links, browser: Browser) -> None:
    _meeting(bot, fake_slack, clock)
    sessions = bot.runtime.services.sessions
    before = snapshot(sessions)
    url = links.answer_url(WORKSPACE, AMINA, 1, Answer.YES, STARTS)

    # Altered or cut short: not valid (404), never a stack trace.
    token = url.rsplit("/", 1)[1]
    for forged in (url[:-3] + ("AAA" if not url.endswith("AAA") else "BBB"), url[:-10],
                   url.replace(token, token.replace(".", "x", 1)), "/p/answer/nonsense"):
        page = browser.get(forged)
        assert page.status == 404 and "This link is not valid" in page.text(), forged
        assert browser.post(forged, {"form": "x"}).status == 404
    # A page link is no answer link, and the other way round.
    page_url = links.page_url(WORKSPACE, AMINA)
    assert browser.get(page_url.replace("/p/me/", "/p/answer/")).status == 404
    assert browser.get(url.replace("/p/answer/", "/p/me/")).status == 404
    # Genuine links for a workspace this bot does not serve (a database restored from elsewhere).
    elsewhere = WorkspaceRef("slack", "TELSEWHERE")
    for gone in (links.page_url(elsewhere, AMINA), links.stop_url(elsewhere, AMINA),
                 links.answer_url(elsewhere, AMINA, 1, Answer.YES, STARTS)):
        assert browser.get(gone).status == 404, gone

    # Someone not invited (their organisation is not on the roster).
    outsider = browser.get(links.answer_url(WORKSPACE, "someone@example.org", 1, Answer.YES, STARTS))
    assert outsider.status == 403 and "not on the invitation list for meeting 1" in outsider.text()
    # A meeting that does not exist.
    assert browser.get(links.answer_url(WORKSPACE, AMINA, 9, Answer.YES, STARTS)).status == 404
    assert snapshot(sessions) == before

    # A link that outlives the start (its meeting moved earlier): answers are closed.
    late = links.answer_url(WORKSPACE, AMINA, 1, Answer.YES, STARTS + timedelta(days=1))
    late_page = browser.get(late)
    assert late_page.status == 200
    clock.set(STARTS + timedelta(minutes=1))
    started = browser.get(late)
    assert started.status == 410 and "Meeting 1 has started" in started.text()
    assert browser.submit(late_page, "Answer: Attending").status == 410
    # The link itself expires with the start.
    expired = browser.get(url)
    assert expired.status == 410 and "This link has expired" in expired.text()
    assert _answer_of(bot, AMINA) is None
    assert snapshot(sessions)["invitations"] == before["invitations"]


def test_a_cancelled_meeting_says_so(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock, links: Links, browser: Browser) -> None:
    _meeting(bot, fake_slack, clock)
    url = links.answer_url(WORKSPACE, AMINA, 1, Answer.MAYBE, STARTS)
    shown = browser.get(url)
    bot.runtime.services.meetings.cancel(_coordinator(), 1, "The venue <is> flooded")
    page = browser.get(url)
    assert page.status == 410 and "Meeting 1 was cancelled" in page.text()
    assert "Reason: The venue <is> flooded" in page.text() and "&lt;is&gt;" in page.body
    assert browser.submit(shown, "Answer: Maybe").status == 410
    assert _answer_of(bot, AMINA) is None


def _coordinator() -> Actor:
    return Actor(WORKSPACE, PersonRef("slack", COORDINATOR))


def test_every_page_is_locked_down(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock, links: Links, browser: Browser) -> None:
    _meeting(bot, fake_slack, clock)
    pages = [links.answer_url(WORKSPACE, AMINA, 1, Answer.YES, STARTS), links.page_url(WORKSPACE, AMINA),
             links.stop_url(WORKSPACE, AMINA), "/p/link", "/p/answer/forged", "/p/me/forged"]
    for url in pages:
        page = browser.get(url)
        assert page.status in (200, 404), (url, page.status)
        for name, value in SECURITY_HEADERS.items():
            assert page.header(name) == value, (url, name)
        assert "noindex" in page.header("X-Robots-Tag")
        policy = page.header("Content-Security-Policy")
        for part in ("default-src 'none'", "form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"):
            assert part in policy, (url, policy)
        assert "<script" not in page.body.lower()
        assert page.header("Content-Type").startswith("text/html")
    # The personal data download keeps working beside the pages (and is locked down too).
    data = browser.get("/p/data/unknown.json")
    assert data.status == 404 and data.header("Referrer-Policy") == "no-referrer"


def test_requests_beyond_the_budget_get_429(bot: RunningBot, browser: Browser, clock: ManualClock) -> None:
    statuses = [browser.get("/p/link").status for _ in range(60)]
    assert statuses == [200] * 60
    refused = browser.get("/p/link")
    assert refused.status == 429 and "Too many requests" in refused.text()
    assert refused.header("Retry-After") and refused.header("Cache-Control") == "no-store"
    assert browser.get("/healthz").status in (200, 503)  # other paths are not budgeted here
    clock.advance(timedelta(seconds=2))  # two tokens back
    assert [browser.get("/p/link").status for _ in range(3)] == [200, 200, 429]


def test_person_no_longer_on_the_roster(
        bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock, links: Links, browser: Browser) -> None:
    _meeting(bot, fake_slack, clock)
    url = links.answer_url(WORKSPACE, AMINA, 1, Answer.YES, STARTS)
    shown = browser.get(url)
    bot.runtime.services.roster.remove(_coordinator(), "Bydelsmødrene")
    assert browser.get(url).status == 403
    refused = browser.submit(shown, "Answer: Attending")
    assert refused.status == 403 and "not on the invitation list" in refused.text()
    with bot.runtime.services.sessions() as session:
        assert session.scalar(select(Person.id).where(Person.user_id == AMINA)) is None
