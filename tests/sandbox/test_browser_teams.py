"""The sandbox page's Teams tab in a real headless Chromium: the dialogue channel's Adaptive Cards
drawn by Microsoft's renderer (shipped with the page), a meeting scheduled by message, and an RSVP
clicked on the channel's card: the clicker is answered privately and the tally changes in place.

The fixtures and helpers are the browser tests' own (``test_browser.py``). Nothing waits by
sleeping: every wait is an ``expect`` on what the page shows.
"""

from __future__ import annotations

from datetime import date, timedelta

from sandbox.launcher import Sandbox
from sandbox.teams import PEOPLE
from tests.sandbox import test_browser
from tests.sandbox.test_browser import WAIT_MS, Page, expect, shoot

# The browser tests' fixtures, here by the same names (pytest finds fixtures among a module's names).
browser, sandbox, clock, page = test_browser.browser, test_browser.sandbox, test_browser.clock, test_browser.page
KARI, AMINA, OLA = PEOPLE[0], PEOPLE[1], PEOPLE[2]
TITLE = "Kveldene i Fjordby"


def open_teams(page: Page) -> None:
    page.locator('#sidebar [data-platform="teams"]').click()
    expect(page.locator("#teams-app")).to_be_visible()
    expect(page.locator("#app")).to_be_hidden()


def act_as(page: Page, person_id: str) -> None:
    page.locator("#teams-person").select_option(person_id)
    expect(page.locator("#teams-person")).to_have_value(person_id)


def go(page: Page, where: str) -> None:
    page.locator(f'#teams-app [data-where="{where}"]').click()
    expect(page.locator(f'#teams-app [data-where="{where}"]')).to_have_class("teams-place active")


def write(page: Page, text: str) -> None:
    composer = page.locator("#teams-app .teams-composer textarea")
    composer.fill(text)
    composer.press("Enter")
    expect(composer).to_have_value("")


def _weekday_ahead(days: int) -> date:
    day = date.today() + timedelta(days=days)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_the_teams_tab_shows_the_channel_as_adaptive_cards_and_counts_an_rsvp_click(
        page: Page, sandbox: Sandbox) -> None:
    open_teams(page)
    # The demo's topics, announced in the dialogue channel as cards the renderer drew.
    topic = page.locator("#teams-app .teams-post", has_text="Safe meeting places for young people")
    expect(topic.locator(".ac-adaptiveCard")).to_be_visible(timeout=WAIT_MS)
    expect(topic.locator("button.ac-pushButton")).to_have_count(1)
    # Markdown drawn, not shown as typed: the title is bold, its escaped "(demo)" has no backslash.
    expect(topic.locator(".ac-textBlock strong").first).to_be_visible()
    expect(page.locator("#teams-app .teams-post", has_text="Health information")).not_to_contain_text("\\(")
    shoot(page, "teams-channel")

    # Kari schedules a meeting from her chat with the bot.
    act_as(page, KARI.id)
    go(page, "chat")
    write(page, f"planlegg {_weekday_ahead(7).isoformat()} 10:00 {TITLE}")
    expect(page.locator("#teams-app .teams-message.from-me", has_text=TITLE)).to_be_visible()
    expect(page.locator("#teams-app .teams-message.from-bot .ac-adaptiveCard", has_text=TITLE).first
           ).to_be_visible(timeout=WAIT_MS)

    # Amina answers on the channel's card; she is told privately, and the tally counts her.
    act_as(page, AMINA.id)
    go(page, "channel")
    invitation = page.locator("#teams-app .teams-post", has=page.locator(".ac-adaptiveCard", has_text=TITLE))
    expect(invitation).to_have_count(1, timeout=WAIT_MS)
    expect(invitation).to_contain_text("0 av 2")
    post_id = invitation.get_attribute("data-post")
    invitation.get_by_role("button", name="Kommer", exact=True).click()
    shown = page.locator(f'#teams-app .teams-post[data-post="{post_id}"]')
    expect(shown.locator(".teams-notice")).to_be_visible(timeout=WAIT_MS)
    expect(shown).to_contain_text("1 av 2", timeout=WAIT_MS)
    shoot(page, "teams-rsvp")

    # Ola sees the count, not Amina's private answer.
    act_as(page, OLA.id)
    expect(shown).to_contain_text("1 av 2")
    expect(shown.locator(".teams-notice")).to_have_count(0)

    # Back to Slack: its page is as it was.
    page.locator('#teams-app [data-platform="slack"]').click()
    expect(page.locator("#app")).to_be_visible()
    expect(page.locator("#teams-app")).to_be_hidden()
