"""The Oslo practice end to end in the sandbox's page, as Kari the coordinator and the people invited:
a meeting changed (time and agenda) reaching every copy, a language switch, an urgent call's progress
report naming the silent organisations, and Ola's suggested organisation accepted from the Home tab.

The fixtures and helpers are the browser tests' own (``test_browser.py``). The workspace is
Norwegian and everyone's Slack locale is English, so the channel and everyone without a language of
their own read Norwegian, dates written out. Time passes by the sandbox's clock
(:class:`ShiftedClock`), never by sleeping: every wait is an ``expect`` on what the page shows.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from babel.dates import format_date

from sandbox.launcher import Sandbox
from tests.sandbox import test_browser
from tests.sandbox.test_browser import (
    AMINA,
    KARI,
    OLA,
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
from tests.support.sandbox import ShiftedClock

# The browser tests' fixtures, here by the same names (pytest finds fixtures among a module's names).
browser, sandbox, clock, page = test_browser.browser, test_browser.sandbox, test_browser.clock, test_browser.page
OSLO = ZoneInfo("Europe/Oslo")


def norwegian(moment: datetime) -> str:
    """A time as Norwegian text writes it: "søndag 6. desember 2026 kl. 13:00"."""
    local = moment.astimezone(OSLO)
    return f"{format_date(local, 'EEEE d. MMMM y', locale='nb')} kl. {local:%H:%M}"


def open_dm(page: Page, sandbox: Sandbox, user: str) -> None:
    page.locator(f'[data-conversation="{sandbox.workspace.fake.dm_channel_id(user)}"]').click()
    expect(page.locator("#composer")).to_be_visible()


def open_home(page: Page) -> object:
    page.locator('[data-conversation="home"]').click()
    home = page.locator("#home")
    expect(home).to_be_visible()
    return home


def bot_says(page: Page, text: str | re.Pattern[str]) -> object:
    """The bot's messages in the open conversation containing `text` (private ones included)."""
    return page.locator("#messages .message.from-bot", has_text=text)


def schedule(page: Page, starts: datetime, title: str) -> str:
    """Kari schedules a meeting in the channel (invitations go out at once, as it is within the lead
    time); returns the channel post's ts."""
    act_as(page, KARI)
    open_channel(page)
    type_in(page, f"/dialog planlegg {starts:%Y-%m-%d %H:%M} {title}")
    post = page.locator("#messages .message:not(.ephemeral)", has=page.locator('[data-action-id="rsvp_yes"]'))
    expect(post).to_have_count(1, timeout=WAIT_MS)
    return post.get_attribute("data-ts")


def invitation_in_dm(page: Page, sandbox: Sandbox, user: str, title: str) -> object:
    """`user`'s DM invitation to the meeting called `title`, once it has arrived."""
    act_as(page, user)
    open_dm(page, sandbox, user)
    invitation = page.locator("#messages .message", has=page.locator('[data-action-id="rsvp_yes"]'),
                              has_text=title)
    expect(invitation).to_have_count(1, timeout=WAIT_MS)
    return invitation


def test_a_meetings_new_time_and_agenda_reach_the_channel_post_and_the_invitations(
        page: Page, sandbox: Sandbox, clock: ShiftedClock) -> None:
    starts = (clock.now().astimezone(OSLO) + timedelta(days=5)).replace(hour=10, minute=0, second=0,
                                                                         microsecond=0)
    post_ts = schedule(page, starts, "Ungdom og kveldene")
    # Ola must have his invitation before the change: only those who got it are told what changed.
    dm_ts = invitation_in_dm(page, sandbox, OLA, "Ungdom og kveldene").get_attribute("data-ts")
    expect(page.locator(f'#messages .message[data-ts="{dm_ts}"]')).to_contain_text(norwegian(starts))

    act_as(page, KARI)
    open_channel(page)
    type_in(page, "/dialog endre 1")
    dialog = modal(page)
    expect(dialog).to_contain_text("Endre møte 1")
    expect(field(page, "title")).to_have_value("Ungdom og kveldene")
    moved = starts + timedelta(days=1, hours=3)
    field(page, "starts_at").fill(moved.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#modal-submit").click()
    expect(dialog).to_be_hidden(timeout=WAIT_MS)
    expect(bot_says(page, "har nå nytt tidspunkt")).to_be_visible(timeout=WAIT_MS)

    type_in(page, "/dialog dagsorden 1")
    dialog = modal(page)
    dialog.locator('[data-block-id="topics"]').get_by_label("2. Health information in more languages").check()
    page.locator("#modal-submit").click()
    expect(dialog).to_be_hidden(timeout=WAIT_MS)

    # The channel post follows in place: the same message, the new time, the agenda.
    post = page.locator(f'#messages .message[data-ts="{post_ts}"]')
    expect(post).to_contain_text(norwegian(moved), timeout=WAIT_MS)
    expect(post).to_contain_text("Dagsorden", timeout=WAIT_MS)
    expect(post).to_contain_text("Health information in more languages")
    expect(post).not_to_contain_text(norwegian(starts))

    # What changed is told after a short grace (a burst of changes is told once): let it pass.
    clock.jump_to(clock.now() + timedelta(minutes=3))
    act_as(page, OLA)
    open_dm(page, sandbox, OLA)
    invitation = page.locator(f'#messages .message[data-ts="{dm_ts}"]')
    expect(invitation).to_contain_text(norwegian(moved), timeout=WAIT_MS)
    expect(invitation).to_contain_text("Health information in more languages", timeout=WAIT_MS)
    expect(invitation).not_to_contain_text(norwegian(starts))
    told = bot_says(page, "Møte 1 (Ungdom og kveldene) er endret")
    expect(told).to_have_count(1, timeout=WAIT_MS)
    expect(told).to_contain_text("nytt tidspunkt og ny dagsorden")
    expect(told).to_contain_text(f"Nytt tidspunkt: {norwegian(moved)} (før: {norwegian(starts)})")
    shoot(page, "change-told")


def test_a_person_switches_to_english_and_back_to_norwegian_with_dates_written_out(
        page: Page, sandbox: Sandbox, clock: ShiftedClock) -> None:
    starts = (clock.now().astimezone(OSLO) + timedelta(days=4)).replace(hour=10, minute=0, second=0,
                                                                         microsecond=0)
    schedule(page, starts, "Ungdom og kveldene")
    # Ola's Slack locale is English (en-US), his organisation and the workspace Norwegian.
    act_as(page, OLA)
    open_channel(page)
    type_in(page, "/dialog møter")
    listing = bot_says(page, "Ungdom og kveldene").filter(has=page.locator(".ephemeral-label"))
    expect(listing).to_have_count(1, timeout=WAIT_MS)
    expect(listing).to_contain_text(norwegian(starts))
    expect(listing.locator('[data-action-id="rsvp_yes"]')).to_have_text("Kommer")

    type_in(page, "/dialog language en")
    expect(bot_says(page, "I write to you in English, as you chose")).to_be_visible(timeout=WAIT_MS)
    type_in(page, "/dialog meetings")
    listing = bot_says(page, "Ungdom og kveldene").filter(has=page.locator(".ephemeral-label"))
    expect(listing).to_have_count(2, timeout=WAIT_MS)
    english = listing.last
    expect(english.locator('[data-action-id="rsvp_yes"]')).to_have_text("Attending")
    # English text carries Slack's date token, shown in the reader's own zone and language.
    expect(english.locator(".slack-date")).to_contain_text(f"{starts:%B}")

    type_in(page, "/dialog språk nb")
    expect(bot_says(page, "Jeg skriver til deg på norsk (bokmål), slik du har valgt")).to_be_visible(
        timeout=WAIT_MS)
    type_in(page, "/dialog møter")
    expect(listing).to_have_count(3, timeout=WAIT_MS)
    back = listing.last
    expect(back).to_contain_text(norwegian(starts))
    expect(back.locator('[data-action-id="rsvp_yes"]')).to_have_text("Kommer")
    expect(back.locator(".slack-date")).to_have_count(0)
    shoot(page, "language-norwegian")

    # The Home tab's picker does the same.
    home = open_home(page)
    expect(home).to_contain_text("Kommende møter", timeout=WAIT_MS)
    home.locator('[data-action-id="language_pick"]').select_option(label="English")
    expect(home).to_contain_text("Upcoming meetings", timeout=WAIT_MS)
    expect(home).to_contain_text("Your language")


def test_an_urgent_call_with_a_link_reports_who_is_silent_by_name(
        page: Page, sandbox: Sandbox, clock: ShiftedClock) -> None:
    act_as(page, KARI)
    open_channel(page)
    type_in(page, "/dialog hast Flom i Nordvik | https://meet.example/flom | Kjellere under vann i Nordvik.")
    post = page.locator("#messages .message:not(.ephemeral)", has=page.locator('[data-action-id="rsvp_yes"]'))
    expect(post).to_have_count(1, timeout=WAIT_MS)
    expect(post).to_contain_text("Hastemøte")
    expect(post).to_contain_text("Bakgrunn: Kjellere under vann i Nordvik.")
    expect(post.get_by_role("link", name="Bli med på møtet")).to_have_attribute("href", "https://meet.example/flom")

    # The progress report, in Kari's DM with the bot, names both core organisations as silent.
    open_dm(page, sandbox, KARI)
    report = bot_says(page, "Flom i Nordvik").filter(has=page.locator('[data-action-id="urgent_nudge"]'))
    expect(report).to_contain_text(re.compile(
        r"Ikke svart ennå \(2\): Fjordby Interfaith Council \(demo\) · Nordvik Neighbourhood Mothers \(demo\)"),
        timeout=WAIT_MS)

    invitation = invitation_in_dm(page, sandbox, OLA, "Flom i Nordvik")
    invitation.locator('[data-action-id="rsvp_yes"]').click()
    expect(bot_says(page, "Svaret ditt for møte 1 (Flom i Nordvik): Kommer")).to_be_visible(timeout=WAIT_MS)

    act_as(page, KARI)
    open_dm(page, sandbox, KARI)
    expect(report).to_contain_text("Har svart (1): Nordvik Neighbourhood Mothers (demo): Kommer", timeout=WAIT_MS)
    expect(report).to_contain_text("Ikke svart ennå (1): Fjordby Interfaith Council (demo)")
    nudge = report.locator('[data-action-id="urgent_nudge"]')
    expect(nudge).to_have_text("Minn på dem som ikke har svart (1 person)")
    shoot(page, "urgent-report")
    nudge.click()
    expect(bot_says(page, "Minnet 1 person i 1 organisasjon som ikke har svart")).to_be_visible(timeout=WAIT_MS)

    # Amina, of the silent organisation, is nudged (in English, her organisation's language).
    act_as(page, AMINA)
    open_dm(page, sandbox, AMINA)
    expect(bot_says(page, "Nobody from Fjordby Interfaith Council (demo) has answered")).to_be_visible(
        timeout=WAIT_MS)


def test_kari_accepts_olas_suggested_organisation_from_the_home_tab(page: Page, sandbox: Sandbox) -> None:
    act_as(page, KARI)
    home = open_home(page)
    suggestion = home.locator(".block", has_text="Fjordby Night Shelter (demo)").first
    expect(suggestion).to_be_visible(timeout=WAIT_MS)
    expect(home).to_contain_text("Foreslåtte organisasjoner")
    expect(home).to_contain_text("nobody on the roster does")
    shoot(page, "suggestion-on-home")
    home.locator('[data-action-id="suggestion_accept"]').click()
    # The Home tab answers the click: the decision on top, the suggestion gone.
    expect(home).to_contain_text("Fjordby Night Shelter (demo) står nå på deltakerlisten", timeout=WAIT_MS)
    expect(home).not_to_contain_text("Foreslåtte organisasjoner")
    # The roster picker on the Home tab now holds it.
    expect(home.locator("option", has_text="Fjordby Night Shelter (demo)")).to_have_count(1, timeout=WAIT_MS)

    open_channel(page)
    type_in(page, "/dialog deltakere")
    roster = bot_says(page, "Inviteres etter tema")
    expect(roster).to_be_visible(timeout=WAIT_MS)
    # A topic organisation, its perspective in Norwegian; the address Ola wrote as its contact is
    # its e-mail contact now.
    expect(roster).to_contain_text("Fjordby Night Shelter (demo): post@nightshelter.example (folkehelse)")

    act_as(page, OLA)
    open_dm(page, sandbox, OLA)
    expect(bot_says(page, "Forslaget ditt, Fjordby Night Shelter (demo), er lagt til på deltakerlisten")
           ).to_be_visible(timeout=WAIT_MS)
