"""The personal page, unsubscribing and asking for a link, over real HTTP against the real bot:
an e-mail contact answers, supports and proposes (the topic appears in #dialog), stops and
restarts e-mail, in English and Norwegian; a mail provider's one-click unsubscribe works; asking
for a link answers the same for every address and sends one at most every ten minutes."""

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
from services.enums import Answer, Side, Tier
from services.outside import ANSWER_RECORDED, PERSONAL_LINK
from services.people import EMAIL, Actor, PersonRef, WorkspaceRef
from storage.models import Invitation, Person, Topic
from tests.conftest import CHANNEL, COORDINATOR, TEAM
from tests.handlers.email.pages_support import Browser, add_email_contact, deliveries_of, snapshot
from tests.support.harness import MEMBERS, RunningBot, bot_settings, fake_workspace, running_bot

AMINA = "amina@bydelsmodrene.example.org"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
WORKSPACE = WorkspaceRef("slack", TEAM)
COORDINATOR_ACTOR = Actor(WORKSPACE, PersonRef("slack", COORDINATOR))
XSS = "<script>alert('x')</script> & <b>bold</b>"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(T0)


@pytest.fixture
def fake_slack() -> Iterator[FakeSlack]:
    fake = fake_workspace().start()
    yield fake
    fake.stop()
    assert fake.violations == []


@pytest.fixture(params=["en", "nb"])
def language(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def bot(database_url: str, fake_slack: FakeSlack, clock: ManualClock, language: str) -> Iterator[RunningBot]:
    settings = bot_settings(database_url, fake_slack, DIALOG_INVITE_LEAD="1h", DIALOG_LANGUAGE=language,
                            DIALOG_PUBLIC_URL="https://dialog.example.org")
    with running_bot(settings, clock=clock) as running:
        services = running.runtime.services
        services.roster.add(COORDINATOR_ACTOR, "Bydelsmødrene", Tier.CORE, [MEMBERS[1]])
        add_email_contact(services.sessions, "Bydelsmødrene", AMINA)
        yield running


@pytest.fixture
def links(bot: RunningBot, clock: ManualClock) -> Links:
    return email_links(bot.runtime.settings, clock)


@pytest.fixture
def browser(bot: RunningBot) -> Browser:
    return Browser(bot.url)


WORDS = {
    "en": {"page": "Your page in the dialogue meetings", "support": "Support", "propose": "Propose the topic",
           "stop": "Stop e-mails", "resume": "Receive e-mails again", "yes": "Attending",
           "supported": "You support this topic.", "stopped": "You will receive no more e-mails",
           "resumed": "You will receive e-mails from the dialogue meetings again",
           "answered": "Your answer is recorded", "short": "at least 3 characters"},
    "nb": {"page": "Siden din i dialogmøtene", "support": "Støtt", "propose": "Foreslå temaet",
           "stop": "Stopp e-poster", "resume": "Få e-poster igjen", "yes": "Kommer",
           "supported": "Du støtter dette temaet.", "stopped": "Du får ikke flere e-poster",
           "resumed": "Du får e-poster fra dialogmøtene igjen",
           "answered": "Svaret ditt er registrert", "short": "minst 3 tegn"},
}


def test_an_email_contact_uses_their_page(bot: RunningBot, fake_slack: FakeSlack, clock: ManualClock,
                                          links: Links, browser: Browser, language: str) -> None:
    words = WORDS[language]
    services = bot.runtime.services
    services.topics.propose(COORDINATOR_ACTOR, XSS, "Details with <i>tags</i>")
    services.meetings.schedule(COORDINATOR_ACTOR, title="Winter shelter capacity",
                               starts_at=T0 + timedelta(hours=3))
    clock.advance(timedelta(hours=2, seconds=1))  # invitations go out one hour before
    url = links.page_url(WORKSPACE, AMINA)

    before = snapshot(services.sessions)
    page = browser.get(url)
    assert page.status == 200, page.text()
    assert snapshot(services.sessions) == before
    assert page.tree().get("lang") == language
    text = page.text()
    assert words["page"] in text and "Bydelsmødrene" in text and AMINA in text
    assert "Winter shelter capacity" in text
    # A title full of markup is text on the page.
    assert XSS in text and "<script>" not in page.body and "&lt;script&gt;" in page.body
    assert "<i>" not in page.body

    # Answer from the page: recorded, confirmed once.
    answered = browser.submit(page, words["yes"])
    assert answered.status == 303 and "done=answered" in answered.header("Location")
    page = browser.get(answered.header("Location"))
    assert words["answered"] in page.text()
    with services.sessions() as session:
        assert session.scalar(select(Invitation.answer).where(Invitation.user_id == AMINA)) == Answer.YES
    assert len(deliveries_of(services.sessions, ANSWER_RECORDED, AMINA)) == 1

    # Support the open topic: counted once, however often posted.
    supported = browser.submit(page, words["support"])
    assert supported.status == 303
    page = browser.get(supported.header("Location"))
    assert words["supported"] in page.text()
    assert services.topics.get(COORDINATOR_ACTOR, 1).supporters == 1

    # A title too short: the form again, the message by the field, the words kept.
    refused = browser.submit(page, words["propose"], title="ab", details="Keep <these> words")
    assert refused.status == 422
    assert words["short"] in refused.text()
    [title_input] = [i for i in refused.tree().iter("input") if i.get("name") == "title"]
    assert title_input.get("value") == "ab" and title_input.get("aria-invalid") == "true"
    assert "Keep &lt;these&gt; words" in refused.body
    # Proposed: the organisation's, civil society's, announced in #dialog.
    proposed = browser.submit(refused, words["propose"], title="Meeting places for <mothers>")
    assert proposed.status == 303 and "done=proposed" in proposed.header("Location")
    with services.sessions() as session:
        topic = session.scalars(select(Topic).where(Topic.number == 2)).one()
        assert (topic.title, topic.proposer_platform, topic.proposer_side) == (
            "Meeting places for <mothers>", EMAIL, Side.CIVIL_SOCIETY)
    assert fake_slack.wait_for(lambda: any("Meeting places for" in _dump(m) for m in fake_slack.messages(CHANNEL)),
                               timeout=10)
    [announcement] = [m for m in fake_slack.messages(CHANNEL) if "Meeting places for" in _dump(m)]
    assert "Bydelsmødrene" in _dump(announcement) and AMINA not in _dump(announcement)

    # Stop e-mails, and take it back.
    page = browser.get(proposed.header("Location"))
    stopped = browser.submit(page, words["stop"], follow=True)
    assert words["stopped"] in stopped.text()
    assert services.mailing.is_unsubscribed(Actor(WORKSPACE, PersonRef(EMAIL, AMINA)))
    resumed = browser.submit(stopped, words["resume"], follow=True)
    assert words["resumed"] in resumed.text()
    assert not services.mailing.is_unsubscribed(Actor(WORKSPACE, PersonRef(EMAIL, AMINA)))

    # A form without its token changes nothing.
    action, fields = resumed.form(words["stop"])
    del fields["form"]
    assert browser.post(action, fields).status == 403
    assert not services.mailing.is_unsubscribed(Actor(WORKSPACE, PersonRef(EMAIL, AMINA)))


def _dump(message: dict) -> str:
    return message["text"] + json.dumps(message["blocks"], ensure_ascii=False)


def test_unsubscribing_by_page_and_by_one_click(bot: RunningBot, links: Links, browser: Browser,
                                                 language: str) -> None:
    services = bot.runtime.services
    amina = Actor(WORKSPACE, PersonRef(EMAIL, AMINA))
    url = links.stop_url(WORKSPACE, AMINA)
    before = snapshot(services.sessions)
    page = browser.get(url)
    assert page.status == 200 and snapshot(services.sessions) == before
    assert not services.mailing.is_unsubscribed(amina)
    # Neither a bare POST nor a forged one-click does anything; a token from elsewhere neither.
    assert browser.post(url, {"do": "stop"}).status == 403
    assert browser.post(url.replace(url[-6:], "AAAAAA"), body="List-Unsubscribe=One-Click").status == 404
    assert not services.mailing.is_unsubscribed(amina)

    # The mail provider's POST (RFC 8058): no form token, just the field.
    one_click = browser.post(url, body="List-Unsubscribe=One-Click")
    assert one_click.status == 200
    assert services.mailing.is_unsubscribed(amina)
    again = browser.get(url)
    assert WORDS[language]["resume"] in again.text()
    resumed = browser.submit(again, WORDS[language]["resume"], follow=True)
    assert not services.mailing.is_unsubscribed(amina)
    stopped = browser.submit(resumed, WORDS[language]["stop"])
    assert stopped.status == 303 and services.mailing.is_unsubscribed(amina)
    with services.sessions() as session:
        assert session.scalar(select(Person.unsubscribed_at).where(Person.user_id == AMINA)) is not None


def test_asking_for_a_link_tells_nobody_who_is_on_the_roster(bot: RunningBot, clock: ManualClock,
                                                            browser: Browser) -> None:
    sessions = bot.runtime.services.sessions
    form = browser.get("/p/link")
    assert form.status == 200
    # Without the form's token: nothing.
    assert browser.post("/p/link", {"address": AMINA}).status == 403
    assert deliveries_of(sessions, PERSONAL_LINK) == []

    known = browser.submit(form, "", address=AMINA.upper())
    unknown = browser.submit(form, "", address="nobody@example.org")
    assert known.status == unknown.status == 303
    assert known.header("Location") == unknown.header("Location")
    assert browser.get(known.header("Location")).text() == browser.get(unknown.header("Location")).text()
    [link] = deliveries_of(sessions, PERSONAL_LINK)
    assert link.dest_id == AMINA

    # Again within ten minutes: the same answer, no second e-mail.
    assert browser.submit(form, "", address=AMINA).status == 303
    assert len(deliveries_of(sessions, PERSONAL_LINK)) == 1
    clock.advance(timedelta(minutes=10))
    assert browser.submit(form, "", address=AMINA).status == 303
    assert len(deliveries_of(sessions, PERSONAL_LINK)) == 2

    # Not an address: said by the field, the input kept (escaped).
    refused = browser.submit(form, "", address="<b>not-an-address")
    assert refused.status == 422 and "&lt;b&gt;not-an-address" in refused.body
    assert len(deliveries_of(sessions, PERSONAL_LINK)) == 2
