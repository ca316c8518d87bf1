"""The pages' templates from plain data: every part of a meeting and a follow-up point shown, in
both languages, with whatever people typed escaped."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import lxml.html
import pytest

from handlers.email.pages.render import local_time, long_date, page
from services.enums import Answer, FollowUpStatus, MeetingKind, MeetingState, Side
from services.meetings import UpcomingMeeting
from services.messages import ActionItemView, MeetingCard, Talk, Tally, TopicCard
from services.outside import Overview

OSLO = ZoneInfo("Europe/Oslo")
HOSTILE = "<img src=x onerror=alert(1)>"


def _meeting() -> MeetingCard:
    return MeetingCard(
        number=3, title=f"Winter {HOSTILE}", kind=MeetingKind.REGULAR, state=MeetingState.SCHEDULED,
        starts_at=datetime(2026, 12, 3, 13, 0, tzinfo=UTC), duration_minutes=90,
        video_link="javascript:alert(1)", agenda=((4, f"Housing {HOSTILE}"),), participants=("Caritas",),
        observers=(), tally=Tally(), invite_at=datetime(2026, 11, 19, 13, 0, tzinfo=UTC),
        talks=(Talk(f"Kari {HOSTILE}", "Caritas", "Shelters", 10),), chair=f"Ola {HOSTILE}",
        background=f"Cold {HOSTILE}")


def _overview(language: str) -> Overview:
    point = ActionItemView(f"Find rooms {HOSTILE}", "Bydelsmødrene", date(2026, 12, 20), Side.CIVIL_SOCIETY,
                           FollowUpStatus.IN_PROGRESS, 2, 1)
    topic = TopicCard(4, f"Housing {HOSTILE}", "", "proposed", None, Side.CIVIL_SOCIETY, f"Org {HOSTILE}", 2, 1,
                      datetime(2026, 11, 1, tzinfo=UTC))
    return Overview(("Bydelsmødrene",), (UpcomingMeeting(_meeting(), True, Answer.MAYBE),), (topic,),
                    frozenset({4}), ((2, f"Autumn {HOSTILE}", point),), False, language)


@pytest.mark.parametrize(("language", "words"), [
    ("en", ("Thursday, 3 December 2026 14:00 (Europe/Oslo)", "90 minutes", "in progress", "20 December 2026",
            "2.1 from meeting 2", "✓ Maybe", "You support this topic.")),
    ("nb", ("torsdag 3. desember 2026 kl. 14:00", "90 minutter", "pågår", "20. desember 2026",
            "2.1 fra møte 2", "✓ Kanskje", "Du støtter dette temaet.")),
])
def test_the_personal_page_shows_everything_escaped(language: str, words: tuple[str, ...]) -> None:
    response = page("personal.html", language, overview=_overview(language), address="amina@example.org",
                    base="/p/me/TOKEN", form_field="form", form_token="FORMTOKEN", done=None,
                    when=lambda m: local_time(m.starts_at, OSLO, language),
                    due=lambda d: long_date(d, language), proposal=None, errors={})
    html = response.get_data(as_text=True)
    tree = lxml.html.fromstring(html)
    shown = " ".join(tree.find("body").text_content().split())
    for word in words:
        assert word in shown, word
    # Everything typed is text: no element, no attribute came from it.
    assert "<img" not in html and HOSTILE in shown
    assert not tree.xpath("//img") and not tree.xpath("//*[@onerror]")
    # A video link that is not a web address is not a link.
    assert not [a for a in tree.iter("a") if (a.get("href") or "").startswith("javascript:")]
    # Every form carries its token; the chosen answer is marked for screen readers.
    assert all(f.xpath(".//input[@name='form' and @value='FORMTOKEN']") for f in tree.iter("form"))
    assert [b.text_content().strip() for b in tree.xpath("//button[@aria-pressed='true']")] == [words[5]]
    assert tree.get("lang") == language
    assert response.headers["Content-Security-Policy"].startswith("default-src 'none'; style-src 'nonce-")
    nonce = response.headers["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    assert tree.find(".//style").get("nonce") == nonce
