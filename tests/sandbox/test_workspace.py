"""The sandbox workspace against the real bot: people's actions become signed Slack requests,
and what the bot does shows up as Slack would show it. Runs on both databases."""

from __future__ import annotations

import json
import re
import threading
import urllib.request
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from slack_sdk import WebClient

from fakes.slack import SlackRequester
from sandbox import demo
from sandbox.launcher import Sandbox
from services.clock import ManualClock
from tests.support.sandbox import call, running_sandbox

KARI, AMINA, OLA, TOMAS = demo.COORDINATOR, "U0AMINA", "U0OLA", "U0TOMAS"
CHANNEL = demo.CHANNEL_ID


@pytest.fixture
def sandbox(database_url: str, tmp_path: Path) -> Any:
    with running_sandbox(database_url, tmp_path / "workspace.json") as running:
        yield running
        assert running.workspace.fake.violations == []


def state(sandbox: Sandbox, user: str) -> dict[str, Any]:
    status, body = call(sandbox, f"/sandbox/api/state?user={user}")
    assert status == 200, body
    return body


def channel(sandbox: Sandbox, user: str) -> list[dict[str, Any]]:
    return state(sandbox, user)["messages"][CHANNEL]


def wait(sandbox: Sandbox, predicate: Any, timeout: float = 10.0) -> None:
    assert sandbox.workspace.fake.wait_for(predicate, timeout), "the bot did not get there in time"


def ticking(sandbox: Sandbox, clock: ManualClock, predicate: Any, ticks: int = 20) -> None:
    """Wait for `predicate`, moving the bot's clock on a second at a time (pacing runs on it)."""
    for _ in range(ticks):
        if sandbox.workspace.fake.wait_for(predicate, 0.5):
            return
        clock.advance(timedelta(seconds=1))
    raise AssertionError("the bot did not get there in time")


def send(sandbox: Sandbox, user: str, text: str, where: str = CHANNEL) -> tuple[int, Any]:
    return call(sandbox, "/sandbox/api/send", {"user": user, "channel": where, "text": text})


def inputs(view: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {block["block_id"]: block["element"] for block in view["blocks"] if block["type"] == "input"}


def test_the_first_run_seeds_the_demo_workspace_and_announces_its_proposals(sandbox: Sandbox) -> None:
    wait(sandbox, lambda: len(sandbox.workspace.fake.messages(CHANNEL)) >= len(demo.PROPOSALS))
    shown = state(sandbox, KARI)
    assert shown["me"]["title"] == "Coordinator, Fjordby City Hall"
    assert {u["id"] for u in shown["users"] if not u["is_bot"]} == {p.id for p in demo.PEOPLE}
    titles = [m["text"] for m in shown["messages"][CHANNEL]]
    for _, title, _ in demo.PROPOSALS:
        assert any(title in text for text in titles)
    _, body = send(sandbox, KARI, "/dialog roster")
    wait(sandbox, lambda: any(e["user"] == KARI for e in sandbox.workspace.fake.ephemerals))
    roster = json.dumps(next(e for e in sandbox.workspace.fake.ephemerals if e["user"] == KARI))
    for row in demo.ROSTER:
        assert row.name in roster


def test_a_command_answers_only_the_person_who_typed_it(sandbox: Sandbox) -> None:
    status, body = send(sandbox, AMINA, "/dialog help")
    assert (status, body) == (200, {"ok": True})
    wait(sandbox, lambda: any(e["user"] == AMINA for e in sandbox.workspace.fake.ephemerals))
    mine = [m for m in channel(sandbox, AMINA) if m["ephemeral"]]
    assert len(mine) == 1 and "/dialog propose" in json.dumps(mine[0])
    assert mine[0]["user"] == sandbox.workspace.fake.bot_user_id
    assert not [m for m in channel(sandbox, OLA) if m["ephemeral"]]


def test_plain_text_is_a_message_and_unknown_commands_are_refused_with_a_hint(sandbox: Sandbox) -> None:
    assert send(sandbox, OLA, "Hei alle sammen <b>!</b>") == (200, {"ok": True})
    said = [m for m in channel(sandbox, KARI) if m["user"] == OLA]
    assert [m["text"] for m in said] == ["Hei alle sammen <b>!</b>"]
    status, body = send(sandbox, OLA, "/remind me")
    assert status == 400 and "/remind is not a command here" in body["error"] and "/dialog help" in body["error"]
    status, body = send(sandbox, OLA, "   ")
    assert status == 400 and "/dialog help" in body["error"]
    status, body = send(sandbox, OLA, "/dialog help", where="DU0AMINA")
    assert status == 404 and "your DM" in body["error"]
    status, body = call(sandbox, "/sandbox/api/state?user=U0NOBODY")
    assert status == 404 and "nobody" in body["error"]


def test_a_modal_shows_errors_on_its_fields_then_closes_when_the_bot_takes_it(sandbox: Sandbox) -> None:
    fake = sandbox.workspace.fake
    send(sandbox, AMINA, "/dialog propose")
    wait(sandbox, lambda: fake.modal(AMINA) is not None)
    assert fake.modal(OLA) is None, "a modal is shown to the person who asked for it only"
    view = state(sandbox, AMINA)["modal"]["view"]
    fields = inputs(view)
    assert "title" in fields

    status, body = call(sandbox, "/sandbox/api/submit", {"user": AMINA, "view_id": view["id"], "values": {}})
    assert status == 200 and set(body["errors"]) == {"title"} and "title" in body["errors"]["title"]
    assert fake.modal(AMINA) is not None

    values = {"title": {fields["title"]["action_id"]: "Bike lanes by the schools"}}
    status, body = call(sandbox, "/sandbox/api/submit", {"user": AMINA, "view_id": view["id"], "values": values})
    assert (status, body["errors"]) == (200, {})
    assert fake.modal(AMINA) is None
    wait(sandbox, lambda: any("Bike lanes by the schools" in m["text"] for m in fake.messages(CHANNEL)))
    wait(sandbox, lambda: any("Bike lanes" in e["text"] and e["user"] == AMINA for e in fake.ephemerals))


def test_someone_elses_form_cannot_be_submitted_or_closed(sandbox: Sandbox) -> None:
    fake = sandbox.workspace.fake
    send(sandbox, AMINA, "/dialog propose")
    wait(sandbox, lambda: fake.modal(AMINA) is not None)
    view_id = fake.modal(AMINA)["id"]
    for path in ("/sandbox/api/submit", "/sandbox/api/close"):
        status, body = call(sandbox, path, {"user": OLA, "view_id": view_id, "values": {}})
        assert status == 404 and "no longer open" in body["error"]
    assert call(sandbox, "/sandbox/api/close", {"user": AMINA, "view_id": view_id})[0] == 200
    assert fake.modal(AMINA) is None


def test_support_updates_the_announcement_in_place_and_confirms_privately(sandbox: Sandbox) -> None:
    fake = sandbox.workspace.fake
    wait(sandbox, lambda: len(fake.messages(CHANNEL)) >= 1)
    first = fake.messages(CHANNEL)[0]
    block = next(b for b in first["blocks"] if b.get("accessory", {}).get("action_id") == "topic_support")
    click = {"user": OLA, "container": {"type": "message", "channel": CHANNEL, "ts": first["ts"]},
             "block_id": block["block_id"], "action_id": "topic_support", "action": {"type": "button"}}
    assert call(sandbox, "/sandbox/api/action", click) == (200, {"ok": True})
    wait(sandbox, lambda: fake.messages(CHANNEL)[0]["edited"] >= 1)
    # The workspace's language is Norwegian: the channel, and Ola (whose Slack locale is en-US, as
    # every Norwegian's is) in private.
    assert "1 støtte" in json.dumps(fake.messages(CHANNEL)[0]["blocks"], ensure_ascii=False)
    wait(sandbox, lambda: any(e["user"] == OLA for e in fake.ephemerals))
    [confirmation] = [m for m in channel(sandbox, OLA) if m["ephemeral"]]
    assert "støtter" in confirmation["text"]
    gone = dict(click, block_id="no-such-block")
    status, body = call(sandbox, "/sandbox/api/action", gone)
    assert status == 404 and "no longer there" in body["error"]


def test_a_meeting_is_scheduled_in_a_form_and_two_answers_change_the_tally_in_place(sandbox: Sandbox) -> None:
    fake = sandbox.workspace.fake
    send(sandbox, KARI, "/dialog schedule")
    wait(sandbox, lambda: fake.modal(KARI) is not None)
    view = fake.modal(KARI)
    fields = inputs(view)
    starts = (datetime.now(ZoneInfo("Europe/Oslo")) + timedelta(days=7)).replace(hour=10, minute=0)
    organisations = fields["organisations"]
    values: dict[str, Any] = {
        "title": {fields["title"]["action_id"]: "Youth and the evenings"},
        "starts_at": {fields["starts_at"]["action_id"]: starts.strftime("%Y-%m-%dT%H:%M")},
        # The core (Amina's and Ola's organisations) is invited anyway; one more from the topic tier.
        "organisations": {organisations["action_id"]: ["Eastside Youth Sports (demo)"]},
    }
    status, body = call(sandbox, "/sandbox/api/submit", {"user": KARI, "view_id": view["id"], "values": values})
    assert (status, body["errors"]) == (200, {}), body
    # A week ahead is inside the invitation lead: the invitation goes out at once.
    wait(sandbox, lambda: any("rsvp_yes" in json.dumps(m["blocks"]) for m in fake.messages(CHANNEL)))
    invitation = next(m for m in fake.messages(CHANNEL) if "rsvp_yes" in json.dumps(m["blocks"]))
    actions = next(b for b in invitation["blocks"] if b["type"] == "actions"
                   and any(e.get("action_id") == "rsvp_yes" for e in b["elements"]))
    for person in (AMINA, OLA):
        click = {"user": person, "container": {"type": "message", "channel": CHANNEL, "ts": invitation["ts"]},
                 "block_id": actions["block_id"], "action_id": "rsvp_yes", "action": {"type": "button"}}
        assert call(sandbox, "/sandbox/api/action", click) == (200, {"ok": True})

    def tally() -> str:
        current = next(m for m in fake.messages(CHANNEL) if m["ts"] == invitation["ts"])
        return json.dumps(current["blocks"])

    wait(sandbox, lambda: "Kommer: 2 " in tally(), timeout=15)
    assert next(m for m in fake.messages(CHANNEL) if m["ts"] == invitation["ts"])["edited"] >= 1


def test_the_home_tab_is_published_when_opened(sandbox: Sandbox) -> None:
    assert call(sandbox, "/sandbox/api/home", {"user": KARI}) == (200, {"ok": True})
    wait(sandbox, lambda: sandbox.workspace.fake.home_view(KARI) is not None)
    home = state(sandbox, KARI)["home"]
    assert home["type"] == "home" and "Next year" in json.dumps(home["blocks"])
    assert state(sandbox, OLA)["home"] is None


def test_one_port_serves_the_page_the_fake_api_and_the_bot_with_signatures_checked(sandbox: Sandbox) -> None:
    status, _ = call(sandbox, "/healthz")
    assert status == 200
    request = SlackRequester(sandbox.url, "not-the-signing-secret", team_id=demo.TEAM_ID)
    forged = request.slash_command("help", user_id=KARI, channel_id=CHANNEL)
    assert forged.status == 401
    client = WebClient(token=sandbox.workspace.fake.bot_token, base_url=sandbox.workspace.fake.api_url)
    assert client.auth_test()["team_id"] == demo.TEAM_ID
    assert sandbox.runtime.settings.slack_api_url == sandbox.url + "/api/"
    with urllib.request.urlopen(sandbox.url + "/", timeout=10) as page:
        html = page.read().decode()
    # The page works offline: its script and styles come from the sandbox itself.
    assert "/sandbox/static/sandbox.js" in html and "/sandbox/static/sandbox.css" in html
    assert not re.search(r"""(src|href)=["']https?:""", html)


def test_the_workspace_and_the_roster_survive_a_restart_without_being_seeded_twice(
        database_url: str, tmp_path: Path) -> None:
    kept = tmp_path / "workspace.json"
    with running_sandbox(database_url, kept) as first:
        fake = first.workspace.fake
        assert fake.wait_for(lambda: len(fake.messages(CHANNEL)) >= len(demo.PROPOSALS), 10)
        send(first, OLA, "Before the restart")
        before = fake.messages(CHANNEL)
    assert json.loads(kept.read_text())["format"] == 1
    with running_sandbox(database_url, kept) as second:
        after = second.workspace.fake.messages(CHANNEL)
        assert [m["ts"] for m in after] == [m["ts"] for m in before]
        send(second, OLA, "After the restart")
        texts = [m["text"] for m in second.workspace.fake.messages(CHANNEL)]
        assert texts[-2:] == ["Before the restart", "After the restart"]
        status, _ = send(second, KARI, "/dialog topics")
        assert status == 200
        assert second.workspace.fake.wait_for(lambda: any(e["user"] == KARI for e in second.workspace.fake.ephemerals))
        listing = json.dumps([e for e in second.workspace.fake.ephemerals if e["user"] == KARI])
        assert listing.count("Safe meeting places") == 1


def test_an_unreadable_saved_workspace_is_kept_aside_and_a_fresh_one_starts(
        database_url: str, tmp_path: Path) -> None:
    kept = tmp_path / "workspace.json"
    kept.write_text("{not json")
    with running_sandbox(database_url, kept) as running:
        assert running.workspace.fake.channels() == [{"id": CHANNEL, "name": demo.CHANNEL_NAME}]
    [kept_aside] = tmp_path.glob("workspace.json.unreadable-*")
    assert kept_aside.read_text() == "{not json"
    assert json.loads(kept.read_text())["format"] == 1


def test_picking_organisations_in_the_urgent_form_recounts_who_will_be_notified(sandbox: Sandbox) -> None:
    fake = sandbox.workspace.fake
    # Kari would rather read English than the workspace's Norwegian.
    send(sandbox, KARI, "/dialog language en")
    wait(sandbox, lambda: any("as you chose" in e["text"] for e in fake.ephemerals if e["user"] == KARI))
    send(sandbox, KARI, "/dialog urgent")
    wait(sandbox, lambda: fake.modal(KARI) is not None)
    view = fake.modal(KARI)
    assert "2 organisations and 2 people" in json.dumps(view["blocks"])
    picker = inputs(view)["organisations"]
    assert picker["type"] == "multi_static_select"
    chosen = ["Eastside Youth Sports (demo)", "Not an option"]
    pick = {"user": KARI, "container": {"type": "view", "view_id": view["id"]}, "block_id": "organisations",
            "action_id": picker["action_id"], "action": {"type": "multi_static_select", "selected": chosen},
            "values": {"organisations": {picker["action_id"]: chosen},
                       "title": {inputs(view)["title"]["action_id"]: "Flooding in Nordvik"}}}
    assert call(sandbox, "/sandbox/api/action", pick) == (200, {"ok": True})
    # One more organisation (of one contact) counted: the pick reached the bot, the bogus value did not.
    wait(sandbox, lambda: "3 organisations and 3 people" in json.dumps(fake.modal(KARI)["blocks"]))
    assert fake.modal(KARI)["id"] == view["id"], "the form is updated in place, not replaced"
    [update] = fake.calls_to("views.update")
    assert update.params["view_id"] == view["id"] and update.params["hash"] == view["hash"]


def test_minutes_written_after_the_meeting_appear_in_the_invitations_thread(database_url: str, tmp_path: Path) -> None:
    # The meeting has to have started before its minutes can be written: the bot's clock is moved.
    zone = ZoneInfo("Europe/Oslo")
    clock = ManualClock(datetime.now(zone))
    with running_sandbox(database_url, tmp_path / "workspace.json", clock=clock) as running:
        fake = running.workspace.fake
        starts = (clock.now().astimezone(zone) + timedelta(days=1)).replace(hour=10, minute=0)
        status, _ = send(running, KARI, f"/dialog schedule {starts:%Y-%m-%d %H:%M} Youth and the evenings")
        assert status == 200
        # The channel is paced on the bot's clock (the demo's announcements use up its burst).
        ticking(running, clock, lambda: any("rsvp_yes" in json.dumps(m["blocks"]) for m in fake.messages(CHANNEL)))
        invitation = next(m for m in fake.messages(CHANNEL) if "rsvp_yes" in json.dumps(m["blocks"]))
        clock.set(starts + timedelta(hours=2))

        send(running, KARI, "/dialog minutes 1")
        wait(running, lambda: fake.modal(KARI) is not None)
        view = fake.modal(KARI)
        fields = inputs(view)
        assert fields["attendees"]["type"] == "multi_users_select"
        values = {"summary": {fields["summary"]["action_id"]: "We agreed on longer opening hours."},
                  "attendees": {fields["attendees"]["action_id"]: [AMINA, OLA, "U0NOBODY"]}}
        status, body = call(running, "/sandbox/api/submit", {"user": KARI, "view_id": view["id"], "values": values})
        assert (status, body["errors"]) == (200, {}), body
        ticking(running, clock, lambda: any(m.get("thread_ts") == invitation["ts"] and m["ts"] != invitation["ts"]
                                            for m in fake.messages(CHANNEL)))
        shown = state(running, AMINA)["messages"][CHANNEL]
        [reply] = [m for m in shown if m.get("thread_ts") == invitation["ts"] and m["ts"] != invitation["ts"]]
        assert "longer opening hours" in json.dumps(reply)
        # Attendees get the minutes by DM, as Slack would deliver them.
        wait(running, lambda: any("longer opening hours" in json.dumps(m) for m in fake.dms(AMINA)))
        assert running.workspace.fake.violations == []


def test_a_pending_long_poll_is_answered_when_the_sandbox_stops(database_url: str, tmp_path: Path) -> None:
    # Without this, stopping would wait for every open page's poll (20 s) to run out.
    answers: list[tuple[int, Any]] = []
    with running_sandbox(database_url, None) as running:
        wait(running, lambda: len(running.workspace.fake.messages(CHANNEL)) == len(demo.PROPOSALS))
        since = state(running, KARI)["version"]
        poll = threading.Thread(target=lambda: answers.append(
            call(running, f"/sandbox/api/state?user={KARI}&since={since}")))
        poll.start()
        # Stop only once the page's poll is waiting in the sandbox (no saver runs without a file).
        assert running.workspace.fake.wait_for(lambda: running.workspace.fake.waiting_for_change == 1, 10)
    poll.join(timeout=10)
    assert not poll.is_alive() and [status for status, _ in answers] == [200]
