"""End to end in a real headless Chromium: the sandbox page, the real bot, one loopback port.

Chromium is Debian's (``make test`` installs it; ``CHROMIUM`` names another binary), driven by
Playwright with ``executable_path``. Each test saves screenshots under
``test-artifacts/browser/`` (``DIALOG_SCREENSHOTS`` names another folder); a failing test
saves one of the moment it failed.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from sandbox import demo
from sandbox.launcher import Sandbox
from tests.support.sandbox import ShiftedClock, running_sandbox

playwright_api = pytest.importorskip("playwright.sync_api")
Browser, Page, expect = playwright_api.Browser, playwright_api.Page, playwright_api.expect

CHROMIUM = Path(os.environ.get("CHROMIUM") or "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# `make screenshots` points this at docs/screenshots, for the README.
ARTIFACTS = ROOT / (os.environ.get("DIALOG_SCREENSHOTS") or "test-artifacts/browser")
# As the machine's probe found: without these, Chromium keeps calling out to Google's hosts.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KARI, AMINA, OLA, SOFIE, TOMAS = demo.COORDINATOR, "U0AMINA", "U0OLA", "U0SOFIE", "U0TOMAS"
# What the bot does (a sweep, a fan-out) on a loaded two-core machine: generous, but bounded.
WAIT_MS = 30_000
# Every other expectation too (Playwright's own default is 5 seconds).
expect.set_options(timeout=10_000)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        message = f"no Chromium at {CHROMIUM}: `make test` installs Debian's chromium (or set CHROMIUM)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    with playwright_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def sandbox(tmp_path: Path, clock: ShiftedClock) -> Iterator[Sandbox]:
    with running_sandbox(f"sqlite:///{tmp_path / 'dialogbot.sqlite3'}", tmp_path / "workspace.json",
                         clock=clock) as running:
        yield running
        assert running.workspace.fake.violations == []


@pytest.fixture
def clock() -> ShiftedClock:
    """The bot's clock: real time until a test moves it (minutes need a meeting that has started)."""
    return ShiftedClock()


@pytest.fixture
def page(browser: Browser, sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="en-GB")
    opened = context.new_page()
    problems: list[str] = []
    opened.on("pageerror", lambda error: problems.append(str(error)))
    opened.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    opened.goto(sandbox.url)
    expect(opened.locator("#user-switcher")).to_be_visible()
    yield opened
    failed = getattr(request.node, "failed_call", False)
    if failed:
        shoot(opened, f"FAILED-{request.node.name}")
    context.close()
    assert problems == [], f"the page reported errors: {problems}"


def shoot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{re.sub(r'[^A-Za-z0-9_.-]+', '-', name)}.png"
    page.screenshot(path=str(path))
    return path


def act_as(page: Page, user: str) -> None:
    page.locator("#user-switcher").select_option(user)
    expect(page.locator("#user-switcher")).to_have_value(user)


def open_channel(page: Page) -> None:
    page.locator(f'[data-conversation="{demo.CHANNEL_ID}"]').click()
    expect(page.locator("#composer")).to_be_visible()


def type_in(page: Page, text: str) -> None:
    composer = page.locator("#composer")
    composer.fill(text)
    composer.press("Enter")
    expect(composer).to_have_value("")


def modal(page: Page) -> object:
    dialog = page.locator("#modal")
    expect(dialog).to_be_visible(timeout=WAIT_MS)
    return dialog


def field(page: Page, block_id: str) -> object:
    return page.locator(f'#modal [data-block-id="{block_id}"]').locator("input, textarea, select").first


def message_with(page: Page, text: str) -> object:
    return page.locator("#messages .message", has_text=text)


def test_a_topic_proposed_in_the_message_box_is_announced_with_a_private_thank_you(page: Page) -> None:
    act_as(page, AMINA)
    open_channel(page)
    type_in(page, "/dialog propose Better street lighting | Dark paths near the school")
    expect(message_with(page, "Better street lighting").filter(has_not=page.locator(".ephemeral-label")).first
           ).to_be_visible(timeout=WAIT_MS)
    thanks = page.locator("#messages .message.ephemeral", has_text="Better street lighting")
    expect(thanks).to_be_visible(timeout=WAIT_MS)
    expect(thanks.locator(".ephemeral-label")).to_have_text(re.compile("Only visible to you"))
    shoot(page, "propose-announced")
    # Someone else sees the announcement but not Amina's private thank-you.
    act_as(page, OLA)
    open_channel(page)
    expect(message_with(page, "Better street lighting").first).to_be_visible(timeout=WAIT_MS)
    expect(page.locator("#messages .message.ephemeral", has_text="Better street lighting")).to_have_count(0)


def test_a_modal_shows_a_validation_error_first_then_takes_the_corrected_form(page: Page) -> None:
    act_as(page, SOFIE)
    open_channel(page)
    type_in(page, "/dialog propose")
    dialog = modal(page)
    field(page, "title").fill("ab")
    page.locator("#modal-submit").click()
    error = page.locator('#modal .field-error')
    expect(error).to_be_visible(timeout=WAIT_MS)
    expect(error).to_contain_text("3")
    shoot(page, "modal-validation-error")
    field(page, "title").fill("Homework help at the library")
    page.locator("#modal-submit").click()
    expect(dialog).to_be_hidden(timeout=WAIT_MS)
    expect(message_with(page, "Homework help at the library").first).to_be_visible(timeout=WAIT_MS)


def test_a_scheduled_meeting_is_answered_by_two_contacts_and_the_tally_changes_in_place(
        page: Page, sandbox: Sandbox) -> None:
    act_as(page, KARI)
    open_channel(page)
    type_in(page, "/dialog schedule")
    modal(page)
    starts = (datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(days=7)).replace(hour=10, minute=0)
    field(page, "title").fill("Youth and the evenings")
    field(page, "starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    # The core organisations (Amina's and Ola's) are invited anyway; two more from the topic tier.
    picker = page.locator('#modal [data-block-id="organisations"]')
    picker.get_by_label("Eastside Youth Sports (demo)").check()
    picker.get_by_label("Harbour Refugee Welcome (demo)").check()
    shoot(page, "schedule-form")
    page.locator("#modal-submit").click()
    expect(page.locator("#modal")).to_be_hidden(timeout=WAIT_MS)

    invitation = page.locator("#messages .message:not(.ephemeral)", has=page.locator('[data-action-id="rsvp_yes"]'))
    expect(invitation).to_have_count(1, timeout=WAIT_MS)
    expect(invitation).to_contain_text("Youth and the evenings")
    ts = invitation.get_attribute("data-ts")
    # The channel is in the workspace's language, Norwegian.
    expect(invitation).to_contain_text("Kommer: 0")

    for person, count in ((AMINA, 1), (OLA, 2)):
        act_as(page, person)
        open_channel(page)
        shown = page.locator(f'#messages .message[data-ts="{ts}"]')
        shown.locator('[data-action-id="rsvp_yes"]').click()
        expect(shown).to_contain_text(f"Kommer: {count}", timeout=WAIT_MS)
    # Updated in place: still one invitation, the same message, now marked as edited.
    expect(invitation).to_have_count(1)
    expect(page.locator(f'#messages .message[data-ts="{ts}"] .edited')).to_be_visible()
    shoot(page, "tally-after-two-answers")

    # Norwegian text has its date written out in Norwegian (Slack shows its date token in English).
    # Tomás's organisation reads English: the token in his invitation shows him New York time.
    assert "kl. 10:00" in page.locator(f'#messages .message[data-ts="{ts}"]').inner_text()
    act_as(page, TOMAS)
    page.locator(f'[data-conversation="{sandbox.workspace.fake.dm_channel_id(TOMAS)}"]').click()
    new_york = page.locator("#messages .message .slack-date").first
    expect(new_york).to_be_visible(timeout=WAIT_MS)
    in_new_york = starts.astimezone(ZoneInfo("America/New_York"))
    assert f"{in_new_york:%H:%M}" in new_york.inner_text()


def test_the_home_tab_shows_the_coordinators_overview(page: Page) -> None:
    act_as(page, KARI)
    page.locator('[data-conversation="home"]').click()
    home = page.locator("#home")
    expect(home).to_be_visible()
    expect(home).to_contain_text("Next year's budget for youth housing", timeout=WAIT_MS)
    shoot(page, "home")


def test_user_text_is_shown_as_text_never_as_markup(page: Page) -> None:
    act_as(page, AMINA)
    open_channel(page)
    type_in(page, '/dialog propose <img src=x onerror="window.pwned=1"> and <b>bold</b> claims')
    expect(message_with(page, "claims").first).to_be_visible(timeout=WAIT_MS)
    expect(message_with(page, "claims").first).to_contain_text("<b>bold</b>")
    assert page.locator("#messages img[src='x'], #messages b:text('bold')").count() == 0
    assert page.evaluate("window.pwned") is None


def test_the_urgent_form_recounts_in_place_and_keeps_what_was_typed(page: Page, clock: ShiftedClock) -> None:
    act_as(page, KARI)
    open_channel(page)
    # Kari reads English rather than the workspace's Norwegian.
    type_in(page, "/dialog language en")
    expect(page.locator("#messages .message.ephemeral", has_text="as you chose")).to_be_visible(timeout=WAIT_MS)
    type_in(page, "/dialog urgent")
    dialog = modal(page)
    audience = dialog.locator('[data-block-id="audience"]')
    expect(audience).to_contain_text("2 organisations and 2 people")
    field(page, "title").fill("Flooding in Nordvik")
    page.locator('#modal [data-block-id="organisations"]').get_by_label("Harbour Refugee Welcome (demo)").check()
    expect(audience).to_contain_text("3 organisations and 3 people", timeout=WAIT_MS)
    expect(field(page, "title")).to_have_value("Flooding in Nordvik")
    shoot(page, "urgent-recount")


def test_minutes_show_in_the_invitations_thread(page: Page, sandbox: Sandbox, clock: ShiftedClock) -> None:
    act_as(page, KARI)
    open_channel(page)
    starts = (clock.now().astimezone(ZoneInfo("Europe/Oslo")) + timedelta(days=2)).replace(hour=10, minute=0)
    type_in(page, f"/dialog schedule {starts:%Y-%m-%d %H:%M} Youth and the evenings")
    posted = page.locator("#messages .message:not(.ephemeral)", has=page.locator('[data-action-id="rsvp_yes"]'))
    expect(posted).to_have_count(1, timeout=WAIT_MS)
    # By its ts: once the meeting is over, the post loses its answer buttons.
    invitation = page.locator(f'#messages .message[data-ts="{posted.get_attribute("data-ts")}"]')
    clock.jump_to(starts + timedelta(hours=2))
    type_in(page, "/dialog minutes 1")
    modal(page)
    field(page, "summary").fill("We agreed to keep the youth clubs open until 23:00.")
    page.locator("#modal-submit").click()
    expect(page.locator("#modal")).to_be_hidden(timeout=WAIT_MS)
    link = invitation.locator(".thread-link")
    expect(link).to_be_visible(timeout=WAIT_MS)
    link.click()
    thread = page.locator("#thread")
    expect(thread).to_be_visible()
    expect(thread).to_contain_text("youth clubs open until 23:00", timeout=WAIT_MS)
    shoot(page, "minutes-thread")
