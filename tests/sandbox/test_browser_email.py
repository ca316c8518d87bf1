"""E-mail in the sandbox's page, end to end: Kari invites the volunteer centre, whose only contact is an
e-mail address; the invitation arrives in the Mailbox (the sandbox's own SMTP server); its answer link
opens the bot's page in a new tab, whose button records the answer; #dialog's tally counts it.

The fixtures and helpers are the browser tests' own (``test_browser.py``). Nothing waits by
sleeping: every wait is an ``expect`` on what a page shows.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sandbox import demo
from sandbox.launcher import Sandbox
from tests.sandbox import test_browser
from tests.sandbox.test_browser import (
    KARI,
    WAIT_MS,
    Page,
    act_as,
    expect,
    field,
    modal,
    open_channel,
    shoot,
    type_in,
)

# The browser tests' fixtures, here by the same names (pytest finds fixtures among a module's names).
browser, sandbox, clock, page = test_browser.browser, test_browser.sandbox, test_browser.clock, test_browser.page
TITLE = "Frivillige og ensomhet"


def schedule_with_the_volunteer_centre(page: Page, title: str) -> str:
    """Kari schedules a meeting a week ahead with the e-mail-only organisation; returns the post's ts."""
    act_as(page, KARI)
    open_channel(page)
    type_in(page, "/dialog schedule")
    modal(page)
    starts = (datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(days=7)).replace(hour=17, minute=0)
    field(page, "title").fill(title)
    field(page, "starts_at").fill(starts.strftime("%Y-%m-%dT%H:%M"))
    page.locator('#modal [data-block-id="organisations"]').get_by_label(demo.EMAIL_ORGANISATION).check()
    page.locator("#modal-submit").click()
    expect(page.locator("#modal")).to_be_hidden(timeout=WAIT_MS)
    post = page.locator("#messages .message:not(.ephemeral)", has=page.locator('[data-action-id="rsvp_yes"]'),
                        has_text=title)
    expect(post).to_have_count(1, timeout=WAIT_MS)
    expect(post).to_contain_text("Kommer: 0")
    return str(post.get_attribute("data-ts"))


def test_an_emailed_answer_link_is_answered_on_the_bots_page_and_counted_in_the_channel(
        page: Page, sandbox: Sandbox) -> None:
    ts = schedule_with_the_volunteer_centre(page, TITLE)

    # The Mailbox says it has something new, and what it is.
    tab = page.locator('[data-conversation="mailbox"]')
    expect(tab.locator(".unread-count")).to_be_visible(timeout=WAIT_MS)
    tab.click()
    expect(page.locator("#mailbox")).to_contain_text("local mailbox")
    letter = page.locator("#mailbox .mail-item", has_text=TITLE)
    expect(letter).to_have_count(1, timeout=WAIT_MS)
    expect(letter).to_contain_text(demo.EMAIL_CONTACT)
    expect(letter).to_have_class(re.compile(r"\bunread\b"))
    letter.click()
    expect(letter).not_to_have_class(re.compile(r"\bunread\b"), timeout=WAIT_MS)
    reader = page.locator("#mailbox .mail-message")
    expect(reader.locator(".mail-title")).to_contain_text(TITLE)
    expect(reader.locator(".mail-attachment", has_text=".ics")).to_be_visible()
    frame = page.frame_locator("#mailbox .mail-frame")
    # The volunteer centre reads Norwegian.
    attending = frame.get_by_role("link", name="Kommer", exact=True)
    expect(attending).to_be_visible(timeout=WAIT_MS)
    shoot(page, "mailbox")

    # The link opens the bot's own page in a new tab; looking at it changes nothing.
    with page.context.expect_page() as opened:
        attending.click()
    answer = opened.value
    answer.wait_for_load_state()
    assert "/p/answer/" in answer.url
    expect(answer.locator("h1")).to_contain_text(TITLE)
    page.bring_to_front()
    open_channel(page)
    post = page.locator(f'#messages .message[data-ts="{ts}"]')
    expect(post).to_contain_text("Kommer: 0")

    # Its one button records the answer; the channel's tally counts it in place.
    answer.bring_to_front()
    answer.locator("form button[type=submit]").click()
    expect(answer.locator(".notice")).to_be_visible(timeout=WAIT_MS)
    shoot(answer, "mailbox-answer-page")
    answer.close()
    page.bring_to_front()
    expect(post).to_contain_text("Kommer: 1", timeout=WAIT_MS)
    # The volunteer centre is one of the organisations attending (of three invited).
    expect(post).to_contain_text("Organisasjoner som kommer: 1 av 3")
