"""The signed links of e-mails: what a link says comes back exactly; anything altered, forged, cut,
of another kind or past its time is refused; a form's token works only with the link its page was
opened by; without a key (or a public address) there are no links at all."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest

from handlers.email.links import (
    ANSWER_DAYS,
    FORM_HOURS,
    PAGE_DAYS,
    STOP_DAYS,
    LinkExpired,
    LinkInvalid,
    LinkKind,
    Links,
    email_link_key,
)
from services.enums import Answer
from services.people import EMAIL, PersonRef, WorkspaceRef

KEY = email_link_key("signing-secret", "xoxb-bot-token")
PUBLIC = "https://dialog.example.org"
WORKSPACE = WorkspaceRef("slack", "T0DIALOG")
KARI = "kari@example.org"
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Clock:
    """Seconds since the epoch, moved by hand."""

    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> float:
        return self.now.timestamp()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def links(clock: Clock) -> Links:
    return Links(KEY, PUBLIC + "/", clock=clock)


def _token(url: str, prefix: str) -> str:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}" == PUBLIC
    assert parts.path.startswith(prefix) and not parts.query
    return parts.path.removeprefix(prefix)


def _answer(links: Links, answer: Answer = Answer.YES, *, starts: timedelta = timedelta(days=3),
            meeting: int = 7, address: str = KARI) -> str:
    return _token(links.answer_url(WORKSPACE, address, meeting, answer, T0 + starts), "/p/answer/")


def test_an_answer_link_says_who_which_meeting_which_answer_and_until_when(links: Links) -> None:
    for answer in Answer:
        link = links.read(_answer(links, answer), LinkKind.ANSWER)
        assert link.kind == LinkKind.ANSWER
        assert link.actor.workspace == WORKSPACE and link.actor.person == PersonRef(EMAIL, KARI)
        assert link.address == KARI
        assert (link.meeting_number, link.answer) == (7, answer)
        assert link.expires_at == (T0 + timedelta(days=3)).timestamp()


def test_page_and_stop_links_say_who(links: Links) -> None:
    page = links.read(_token(links.page_url(WORKSPACE, KARI), "/p/me/"), LinkKind.PAGE)
    stop = links.read(_token(links.stop_url(WORKSPACE, KARI), "/p/stop/"), LinkKind.STOP)
    for link, kind in ((page, LinkKind.PAGE), (stop, LinkKind.STOP)):
        assert link.kind == kind and link.address == KARI and link.actor.workspace == WORKSPACE
        assert (link.meeting_number, link.answer, link.expires_at) == (None, None, None)


def test_each_person_and_each_answer_has_a_link_of_its_own(links: Links) -> None:
    tokens = {_answer(links, answer, address=address) for answer in Answer
              for address in (KARI, "ola@example.org")}
    assert len(tokens) == 6


def _flip(token: str, at: int) -> str:
    swap = "A" if token[at] != "A" else "B"
    return token[:at] + swap + token[at + 1:]


def test_a_tampered_link_is_refused(links: Links) -> None:
    token = _answer(links)
    payload, _, rest = token.partition(".")
    for at in (0, len(payload) // 2, len(token) - 1, len(payload) + 2):
        with pytest.raises(LinkInvalid):
            links.read(_flip(token, at), LinkKind.ANSWER)
    # Another person's address, or another answer, put in the payload: the signature no longer fits.
    data = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    assert data["p"] == KARI
    for change in ({"p": "mallory@example.org"}, {"a": Answer.NO.value}, {"m": 8},
                   {"x": data["x"] + 86400 * 365}):
        forged = base64.urlsafe_b64encode(json.dumps({**data, **change}, separators=(",", ":"))
                                          .encode()).decode().rstrip("=")
        with pytest.raises(LinkInvalid):
            links.read(f"{forged}.{rest}", LinkKind.ANSWER)


@pytest.mark.parametrize("token", ["", "x", "abc.def.ghi", "A" * 2001, "../../etc/passwd", "%00"])
def test_garbage_is_refused(links: Links, token: str) -> None:
    with pytest.raises(LinkInvalid):
        links.read(token, LinkKind.PAGE)


def test_a_cut_link_is_refused(links: Links) -> None:
    token = _token(links.page_url(WORKSPACE, KARI), "/p/me/")
    for length in (len(token) - 1, len(token) // 2, 10):
        with pytest.raises(LinkInvalid):
            links.read(token[:length], LinkKind.PAGE)


def test_a_link_signed_with_another_key_is_refused(clock: Clock, links: Links) -> None:
    other = Links(email_link_key("another-secret"), PUBLIC, clock=clock)
    with pytest.raises(LinkInvalid):
        links.read(_answer(other), LinkKind.ANSWER)
    with pytest.raises(LinkInvalid):
        links.read(_token(other.page_url(WORKSPACE, KARI), "/p/me/"), LinkKind.PAGE)


@pytest.mark.parametrize(("made", "read_as"), [
    (LinkKind.ANSWER, LinkKind.PAGE), (LinkKind.ANSWER, LinkKind.STOP),
    (LinkKind.PAGE, LinkKind.ANSWER), (LinkKind.PAGE, LinkKind.STOP),
    (LinkKind.STOP, LinkKind.PAGE), (LinkKind.STOP, LinkKind.ANSWER),
])
def test_a_link_of_another_kind_is_refused(links: Links, made: LinkKind, read_as: LinkKind) -> None:
    token = {LinkKind.ANSWER: _answer(links),
             LinkKind.PAGE: _token(links.page_url(WORKSPACE, KARI), "/p/me/"),
             LinkKind.STOP: _token(links.stop_url(WORKSPACE, KARI), "/p/stop/")}[made]
    with pytest.raises(LinkInvalid):
        links.read(token, read_as)


def test_an_answer_link_expires_when_its_meeting_starts(links: Links, clock: Clock) -> None:
    token = _answer(links, starts=timedelta(hours=2))
    clock.now = T0 + timedelta(hours=2) - timedelta(seconds=1)
    assert links.read(token, LinkKind.ANSWER).answer == Answer.YES
    clock.now = T0 + timedelta(hours=2)
    with pytest.raises(LinkExpired):
        links.read(token, LinkKind.ANSWER)


def test_an_answer_link_for_a_meeting_far_ahead_still_expires_by_age(links: Links, clock: Clock) -> None:
    token = _answer(links, starts=timedelta(days=ANSWER_DAYS + 30))
    clock.now = T0 + timedelta(days=ANSWER_DAYS) + timedelta(seconds=1)
    with pytest.raises(LinkExpired):
        links.read(token, LinkKind.ANSWER)


@pytest.mark.parametrize(("kind", "path", "days"), [
    (LinkKind.PAGE, "/p/me/", PAGE_DAYS), (LinkKind.STOP, "/p/stop/", STOP_DAYS),
])
def test_page_and_stop_links_expire_after_their_days(
        links: Links, clock: Clock, kind: LinkKind, path: str, days: int) -> None:
    url = links.page_url(WORKSPACE, KARI) if kind == LinkKind.PAGE else links.stop_url(WORKSPACE, KARI)
    token = _token(url, path)
    clock.now = T0 + timedelta(days=days) - timedelta(minutes=1)
    assert links.read(token, kind).address == KARI
    clock.now = T0 + timedelta(days=days, seconds=1)
    with pytest.raises(LinkExpired):
        links.read(token, kind)


def test_unsubscribing_outlives_the_page_link(links: Links, clock: Clock) -> None:
    """List-Unsubscribe must keep working in an e-mail kept for months."""
    assert STOP_DAYS > PAGE_DAYS
    stop = _token(links.stop_url(WORKSPACE, KARI), "/p/stop/")
    clock.now = T0 + timedelta(days=PAGE_DAYS + 1)
    assert links.read(stop, LinkKind.STOP).address == KARI


def test_a_form_token_works_only_with_the_link_it_was_made_for(links: Links) -> None:
    mine = _token(links.page_url(WORKSPACE, KARI), "/p/me/")
    theirs = _token(links.page_url(WORKSPACE, "ola@example.org"), "/p/me/")
    form = links.form_token(mine)
    assert form and mine not in form
    assert links.form_ok(mine, form)
    assert not links.form_ok(theirs, form)
    assert not links.form_ok(mine, links.form_token(theirs))
    # Missing, empty, altered or oversized: a POST without its form's token changes nothing.
    for bad in (None, "", _flip(form, len(form) - 2), form[:-4], "x" * 501, mine):
        assert not links.form_ok(mine, bad)


def test_a_form_token_expires(links: Links, clock: Clock) -> None:
    link = _answer(links)
    form = links.form_token(link)
    clock.now = T0 + timedelta(hours=FORM_HOURS) - timedelta(seconds=1)
    assert links.form_ok(link, form)
    clock.now = T0 + timedelta(hours=FORM_HOURS, seconds=1)
    assert not links.form_ok(link, form)


def test_a_form_token_of_another_key_fails(links: Links, clock: Clock) -> None:
    link = _answer(links)
    other = Links(email_link_key("another-secret"), PUBLIC, clock=clock)
    assert not links.form_ok(link, other.form_token(link))


def test_without_a_key_there_are_no_links(clock: Clock, links: Links) -> None:
    keyless = Links(email_link_key(), PUBLIC, clock=clock)
    assert email_link_key() == email_link_key("", "") == ""
    assert not keyless.available
    with pytest.raises(RuntimeError):
        keyless.page_url(WORKSPACE, KARI)
    # A genuine link of a keyed bot means nothing to a keyless one, and forms have no token.
    with pytest.raises(LinkInvalid):
        keyless.read(_token(links.page_url(WORKSPACE, KARI), "/p/me/"), LinkKind.PAGE)
    assert keyless.form_token("anything") == ""
    assert not keyless.form_ok("anything", "")


def test_without_a_public_address_links_are_not_available(clock: Clock) -> None:
    assert not Links(KEY, "", clock=clock).available
    assert Links(KEY, PUBLIC, clock=clock).available


def test_the_key_is_derived_never_a_secret_as_it_is() -> None:
    key = email_link_key("signing-secret", "xoxb-bot-token")
    assert key == email_link_key("signing-secret", "xoxb-bot-token")  # stable across restarts
    assert key not in ("signing-secret", "xoxb-bot-token")
    assert "signing-secret" not in key and "xoxb" not in key
    assert key != email_link_key("signing-secret", "xoxb-other-token")
    # Missing credentials are skipped, not counted: the same key with or without an empty one.
    assert email_link_key("signing-secret", "", "xoxb-bot-token") == key
