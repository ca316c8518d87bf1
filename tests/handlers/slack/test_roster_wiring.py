"""Suggested organisations and the roster form end to end, through signed HTTP and the fake Slack:
commands open forms, submissions are checked on the field, Home tab buttons work for coordinators
and refuse everyone else, the suggester hears the outcome by DM."""

from __future__ import annotations

import json
from typing import Any

from fakes.slack import FakeSlack
from handlers.slack import ids
from tests.conftest import COORDINATOR
from tests.support.harness import MEMBERS, RunningBot

ALICE, BOB, CAROL = MEMBERS
HOME = {"type": "app_home_opened", "channel": "D0HOME", "tab": "home"}


def _dump(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _send(bot: RunningBot, fake: FakeSlack, user: str, text: str, key: str) -> None:
    assert bot.slack.slash_command(text, user_id=user, response_url=fake.response_url(key)).status == 200


def _command(bot: RunningBot, fake: FakeSlack, user: str, text: str, key: str) -> dict:
    assert bot.slack.slash_command(text, user_id=user, response_url=fake.response_url(key)).status == 200
    assert fake.wait_for(lambda: any(r["key"] == key for r in fake.responses), timeout=10)
    return next(r["body"] for r in fake.responses if r["key"] == key)


def _opened(fake: FakeSlack, count: int) -> dict:
    assert fake.wait_for(lambda: len(fake.opened_views()) >= count, timeout=10)
    return fake.opened_views()[count - 1]


def _home(bot: RunningBot, fake: FakeSlack, user: str, containing: str) -> dict:
    assert bot.slack.event(dict(HOME, user=user)).status == 200
    assert fake.wait_for(lambda: containing in _dump(fake.home_view(user) or {}), timeout=10)
    return fake.home_view(user) or {}


def _typed(value: str) -> dict:
    return {ids.INPUT_ACTION: {"type": "plain_text_input", "value": value}}


def _chosen(value: str) -> dict:
    return {ids.INPUT_ACTION: {"type": "static_select", "selected_option": {"value": value}}}


def test_a_suggestion_by_form_then_accepted_from_the_coordinators_home_tab(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    # Anyone opens the form from their Home tab.
    home = _home(bot, fake_slack, ALICE, ids.SUGGEST_OPEN)
    assert ids.SUGGESTION_ACCEPT not in _dump(home) and ids.ROSTER_OPEN not in _dump(home)
    assert bot.slack.block_action(ids.SUGGEST_OPEN, "open", user_id=ALICE, container_type="view",
                                  view=home).status == 200
    form = _opened(fake_slack, 1)
    assert form["callback_id"] == ids.SUGGEST_VIEW

    values = {"name": _typed("K"), "reason": _typed(""),
              "contact_person": {ids.INPUT_ACTION: {"type": "users_select", "selected_user": CAROL}}}
    refused = bot.slack.view_submission(ids.SUGGEST_VIEW, values, user_id=ALICE, opened=form)
    errors = refused.json()["errors"]
    assert set(errors) == {"name", "reason"} and "2 to 120 characters" in errors["name"]

    values.update(name=_typed("Kirkens Bymisjon"), reason=_typed("They run the night shelter"),
                  perspective=_chosen("religion"))
    accepted = bot.slack.view_submission(ids.SUGGEST_VIEW, values, user_id=ALICE, opened=form)
    assert accepted.status == 200 and accepted.body == b""
    assert fake_slack.wait_for(lambda: any("Thank you" in m["text"] for m in fake_slack.dms(ALICE)), timeout=10)

    # A member's Home tab never shows who suggested what; a coordinator's does, with the decisions.
    assert ALICE not in _dump(_home(bot, fake_slack, BOB, ids.SUGGEST_OPEN))
    boss_home = _home(bot, fake_slack, COORDINATOR, "Kirkens Bymisjon")
    assert f"<@{ALICE}>" in _dump(boss_home) and ids.SUGGESTION_ACCEPT in _dump(boss_home)
    [button] = [e for b in boss_home["blocks"] if b["type"] == "actions"
                for e in b["elements"] if e["action_id"] == ids.SUGGESTION_ACCEPT]

    # A forged click by someone else is refused, privately, and changes nothing.
    assert bot.slack.block_action(ids.SUGGESTION_ACCEPT, button["value"], user_id=BOB, container_type="view",
                                  view=boss_home).status == 200
    assert fake_slack.wait_for(lambda: any("Only coordinators" in m["text"] for m in fake_slack.dms(BOB)),
                               timeout=10)

    assert bot.slack.block_action(ids.SUGGESTION_ACCEPT, button["value"], user_id=COORDINATOR,
                                  container_type="view", view=boss_home).status == 200
    assert fake_slack.wait_for(lambda: any("Your suggestion Kirkens Bymisjon was added to the roster" in m["text"]
                                           for m in fake_slack.dms(ALICE)), timeout=10)
    # The click is answered by the Home tab itself: the suggestion gone (the organisation is in its
    # roster picker now), and what was decided on top; no message sent around the delivery engine.
    assert fake_slack.wait_for(lambda: ids.SUGGESTION_ACCEPT not in _dump(fake_slack.home_view(COORDINATOR)),
                               timeout=10)
    assert "Kirkens Bymisjon is on the roster now." in _dump(fake_slack.home_view(COORDINATOR))
    assert not any("on the roster now" in m["text"] for m in fake_slack.dms(COORDINATOR))
    # Who represents whom: the coordinator sees Carol as the contact, a member the organisation only.
    roster = _command(bot, fake_slack, BOB, "roster", "roster")
    assert "Kirkens Bymisjon" in _dump(roster) and CAROL not in _dump(roster)
    assert f"<@{CAROL}>" in _dump(_command(bot, fake_slack, COORDINATOR, "roster", "boss-roster"))


def test_suggesting_by_command_and_a_duplicate_answered_helpfully(bot: RunningBot, fake_slack: FakeSlack) -> None:
    _command(bot, fake_slack, COORDINATOR, 'roster add "Oslo Red Cross" core', "add")
    duplicate = _command(bot, fake_slack, ALICE, 'recommend "oslo red cross" They help everyone', "dup")
    assert "already on the roster" in duplicate["text"] and duplicate["response_type"] == "ephemeral"
    thanks = _command(bot, fake_slack, ALICE, 'anbefal "NOAS" Asylum law <!channel>', "ok")
    assert "Your suggestion of" in thanks["text"] and "NOAS" in thanks["text"]
    boss_home = _home(bot, fake_slack, COORDINATOR, "NOAS")
    assert "<!channel>" not in _dump(boss_home) and "&lt;!channel&gt;" in _dump(boss_home)
    [dismiss] = [e for b in boss_home["blocks"] if b["type"] == "actions"
                 for e in b["elements"] if e["action_id"] == ids.SUGGESTION_DISMISS]
    bot.slack.block_action(ids.SUGGESTION_DISMISS, dismiss["value"], user_id=COORDINATOR, container_type="view",
                           view=boss_home)
    assert fake_slack.wait_for(lambda: any("decided not to add it" in m["text"] for m in fake_slack.dms(ALICE)),
                               timeout=10)
    assert fake_slack.wait_for(lambda: "You dismissed the suggestion of NOAS." in _dump(
        fake_slack.home_view(COORDINATOR)), timeout=10)
    _send(bot, fake_slack, ALICE, "recommend", "form")
    assert _opened(fake_slack, 1)["callback_id"] == ids.SUGGEST_VIEW


def test_the_roster_form_from_a_command_and_from_the_home_tab(bot: RunningBot, fake_slack: FakeSlack) -> None:
    assert "Only coordinators" in _command(bot, fake_slack, ALICE, "roster add", "sneaky")["text"]
    _command(bot, fake_slack, COORDINATOR, f'roster add "Caritas" topic <@{ALICE}>', "add")
    _send(bot, fake_slack, COORDINATOR, 'deltakere endre "caritas"', "edit")
    form = _opened(fake_slack, 1)
    assert form["callback_id"] == ids.ROSTER_VIEW
    fields = {b["block_id"]: b["element"] for b in form["blocks"]}
    assert fields["name"]["initial_value"] == "Caritas" and fields["contacts"]["initial_users"] == [ALICE]

    values = {"name": _typed("Caritas Oslo"), "tier": _chosen("core"),
              "contacts": {ids.INPUT_ACTION: {"type": "multi_users_select", "selected_users": [ALICE, BOB]}},
              "perspectives": {ids.INPUT_ACTION: {"type": "multi_static_select",
                                                  "selected_options": [{"value": "religion"}]}},
              "preferred_time": _chosen("afternoon"), "language": _chosen("nb"),
              "keywords": _typed("migration, !!")}
    refused = bot.slack.view_submission(ids.ROSTER_VIEW, values, user_id=COORDINATOR, opened=form)
    assert list(refused.json()["errors"]) == ["keywords"]
    # Refused by someone who is not a coordinator, even with the form in hand.
    values["keywords"] = _typed("migration, housing")
    sneaky = bot.slack.view_submission(ids.ROSTER_VIEW, values, user_id=BOB, opened=form)
    assert "Only coordinators" in _dump(sneaky.json()["errors"])
    saved = bot.slack.view_submission(ids.ROSTER_VIEW, values, user_id=COORDINATOR, opened=form)
    assert saved.status == 200 and saved.body == b""
    assert fake_slack.wait_for(lambda: any("Caritas Oslo is updated" in r["body"]["text"]
                                           for r in fake_slack.responses if r["key"] == "edit"), timeout=10)
    roster = _dump(_command(bot, fake_slack, COORDINATOR, "roster", "list"))
    assert "Caritas Oslo" in roster and "Core organisations" in roster and f"<@{BOB}>" in roster
    # A member sees the organisation, not who represents it.
    member_view = _dump(_command(bot, fake_slack, CAROL, "roster", "member-list"))
    assert "Caritas Oslo" in member_view and BOB not in member_view

    # From the Home tab: Add an organisation opens an empty form, picking one opens it filled in.
    home = _home(bot, fake_slack, COORDINATOR, ids.ROSTER_EDIT_PICK)
    bot.slack.block_action(ids.ROSTER_OPEN, "new", user_id=COORDINATOR, container_type="view", view=home)
    assert "initial_value" not in {b["block_id"]: b["element"] for b in _opened(fake_slack, 2)["blocks"]}["name"]
    bot.slack.block_action(ids.ROSTER_EDIT_PICK, "", user_id=COORDINATOR, container_type="view", view=home,
                           action={"type": "static_select", "selected_option": {"value": "Caritas Oslo"}})
    picked = {b["block_id"]: b["element"] for b in _opened(fake_slack, 3)["blocks"]}
    assert picked["name"]["initial_value"] == "Caritas Oslo" and picked["tier"]["initial_option"]["value"] == "core"
    # Not a coordinator: the Home tab has no roster tools, and a forged click opens nothing.
    assert ids.ROSTER_OPEN not in _dump(_home(bot, fake_slack, CAROL, ids.SUGGEST_OPEN))
    bot.slack.block_action(ids.ROSTER_OPEN, "new", user_id=CAROL, container_type="view", view=home)
    assert fake_slack.wait_for(lambda: any("Only coordinators" in m["text"] for m in fake_slack.dms(CAROL)),
                               timeout=10)
    assert len(fake_slack.opened_views()) == 3


def test_email_contacts_by_command_and_form_shown_to_coordinators_only(
    bot: RunningBot, fake_slack: FakeSlack
) -> None:
    # As Slack sends them: a linked address, a mention with its own address, an address unlinked.
    added = _command(bot, fake_slack, COORDINATOR,
                     f'roster add "Bydelsmødrene" core <mailto:Ola@Example.org|Ola@Example.org> '
                     f'<@{ALICE}|alice>=<mailto:alice@example.org|alice@example.org>', "add")
    assert "with 2 contacts" in added["text"] and added["response_type"] == "ephemeral"
    bad = _command(bot, fake_slack, COORDINATOR, 'roster contact "Bydelsmødrene" kari@example', "bad")
    assert "“kari@example” is not an e-mail address" in bad["text"] and bad["response_type"] == "ephemeral"
    given = _command(bot, fake_slack, COORDINATOR,
                     f'deltakere kontakt Bydelsmødrene <@{BOB}|bob> <mailto:bob@example.org|bob@example.org>', "pair")
    assert "3 contacts" in given["text"]
    roster = _dump(_command(bot, fake_slack, COORDINATOR, "roster", "list"))
    assert "<mailto:ola@example.org|ola@example.org>" in roster
    assert f"<@{ALICE}> (<mailto:alice@example.org|alice@example.org>)" in roster
    assert f"<@{BOB}> (<mailto:bob@example.org|bob@example.org>)" in roster
    member_view = _dump(_command(bot, fake_slack, CAROL, "roster", "member-list"))
    assert "Bydelsmødrene" in member_view and "example.org" not in member_view

    # The form holds the e-mail contact, shows the people's own addresses, and keeps them.
    _send(bot, fake_slack, COORDINATOR, 'roster edit "Bydelsmødrene"', "edit")
    form = _opened(fake_slack, 1)
    fields = {b["block_id"]: b for b in form["blocks"]}
    assert fields["contact_addresses"]["element"]["initial_value"] == "ola@example.org"
    assert "alice@example.org" in _dump(fields["contact_own_addresses"])
    values = {"name": _typed("Bydelsmødrene"), "tier": _chosen("core"),
              "contacts": {ids.INPUT_ACTION: {"type": "multi_users_select", "selected_users": [ALICE]}},
              "contact_addresses": _typed("ola@example.org\nnot-an-address"),
              "preferred_time": _chosen("any"), "language": _chosen("workspace")}
    refused = bot.slack.view_submission(ids.ROSTER_VIEW, values, user_id=COORDINATOR, opened=form)
    errors = refused.json()["errors"]
    assert list(errors) == ["contact_addresses"] and "not-an-address" in errors["contact_addresses"]
    values["contact_addresses"] = _typed("ola@example.org, Post@Mothers.example.org")
    saved = bot.slack.view_submission(ids.ROSTER_VIEW, values, user_id=COORDINATOR, opened=form)
    assert saved.status == 200 and saved.body == b""
    assert fake_slack.wait_for(lambda: any("Bydelsmødrene is updated" in r["body"]["text"]
                                           for r in fake_slack.responses if r["key"] == "edit"), timeout=10)
    roster = _dump(_command(bot, fake_slack, COORDINATOR, "roster", "again"))
    assert f"<@{ALICE}> (<mailto:alice@example.org|alice@example.org>)" in roster
    assert "post@mothers.example.org" in roster and f"<@{BOB}>" not in roster
