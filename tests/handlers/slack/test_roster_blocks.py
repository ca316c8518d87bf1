"""The suggestion and roster renderers: valid Block Kit in both languages, perspectives in the
reader's language, user text escaped, the suggester shown only where coordinators look."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from slack_sdk.models.views import View

from fakes.slack.blockkit import view_problems
from handlers.slack import ids
from handlers.slack.render.home import home_view
from handlers.slack.render.roster import roster_contacts, roster_list
from handlers.slack.render.roster_form import roster_modal, roster_saved, unreachable_note
from handlers.slack.render.suggestions import (
    decision_confirmation,
    suggestion_decided,
    suggestion_home_blocks,
    suggestion_modal,
    suggestion_received,
)
from services.home import HomeView
from services.i18n import Translator
from services.messages import SuggestionDecided, Unreachable
from services.people import EMAIL, PersonRef
from services.reachability import UnreachableOrganisation
from services.roster import ContactsOutcome, OrganisationCard, RosterForm, RosterListing, SaveOutcome
from services.suggestions import Decision, SuggestionCard, SuggestionForm
from tests.handlers.slack.test_blocks import assert_valid_message

EN, NB = Translator("en"), Translator("nb")
CARD = SuggestionCard(
    id=4, name="Kirkens *Bymisjon* <!channel>", reason="They run the _night_ shelter", contact="post@bymisjon.no",
    contact_person=PersonRef("slack", "UCONTACT"), perspective="religion", meeting=(3, "Night shelters"),
    suggested_by=PersonRef("slack", "UOLA0001"), state="open", created_at=datetime(2026, 3, 2, tzinfo=UTC))
CARITAS = OrganisationCard("Caritas & co", "core", (PersonRef("slack", "U1"),), ("religion",), ("housing",),
                           "afternoon", "nb")


def _dump(value: object) -> str:
    return json.dumps(value, ensure_ascii=False)


def test_the_suggestion_form_is_valid_and_shows_perspectives_in_the_readers_language() -> None:
    for t, label in ((EN, "religious communities"), (NB, "tros- og livssynssamfunn")):
        view = suggestion_modal(t, SuggestionForm(("religion", "gender-age"), ((3, "Night <shelters>"),)), "{}")
        View(**view).validate_json()
        assert view_problems(view, allowed_types=("modal",)) == []
        assert view["callback_id"] == ids.SUGGEST_VIEW and len(view["title"]["text"]) <= 24
        assert [b["block_id"] for b in view["blocks"] if b["type"] == "input"] == [
            "name", "reason", "perspective", "contact", "contact_person", "meeting"]
        dump = _dump(view)
        assert label in dump and "Night &lt;shelters&gt;" in dump
    without_meetings = suggestion_modal(EN, SuggestionForm(("religion",), ()), "{}")
    assert "meeting" not in [b.get("block_id") for b in without_meetings["blocks"]]


def test_coordinators_see_the_suggestion_with_its_suggester_and_one_click_decisions() -> None:
    blocks = [b.to_dict() for b in suggestion_home_blocks(EN, [CARD])]
    dump = _dump(blocks)
    assert "<@UOLA0001>" in dump and "<@UCONTACT>" in dump and "post@bymisjon.no" in dump
    assert "religious communities" in dump and "for meeting 3 (Night shelters)" in dump
    assert "<!channel>" not in dump and "&lt;!channel&gt;" in dump
    [actions] = [b for b in blocks if b["type"] == "actions"]
    assert [(e["action_id"], e.get("value")) for e in actions["elements"][:2]] == [
        (ids.SUGGESTION_ACCEPT, "4"), (ids.SUGGESTION_DISMISS, "4")]
    assert [o["value"] for o in actions["elements"][2]["options"]] == ["4|core", "4|observer"]
    assert suggestion_home_blocks(EN, []) == []


def test_the_home_tab_has_a_suggest_button_for_everyone_and_roster_tools_for_coordinators() -> None:
    member = HomeView((), (), (), False, None, (), (CARD,), ("Caritas",))
    view = home_view(EN, member, ZoneInfo("Europe/Oslo"))
    assert view_problems(view, allowed_types=("home",)) == []
    dump = _dump(view)
    assert ids.SUGGEST_OPEN in dump
    # Not a coordinator: no suggester, no decisions, no roster tools (whatever the view held).
    assert "UOLA0001" not in dump and ids.SUGGESTION_ACCEPT not in dump and ids.ROSTER_OPEN not in dump
    boss = HomeView((), (), (), True, None, (), (CARD,), ("Caritas", "NOAS"))
    dump = _dump(home_view(NB, boss, ZoneInfo("Europe/Oslo")))
    assert ids.SUGGESTION_ACCEPT in dump and ids.ROSTER_OPEN in dump and ids.ROSTER_EDIT_PICK in dump
    assert "<@UOLA0001>" in dump


def test_the_roster_form_holds_the_organisation_in_the_readers_language() -> None:
    view = roster_modal(NB, RosterForm(CARITAS), '{"organisation": "Caritas & co"}')
    View(**view).validate_json()
    assert view_problems(view, allowed_types=("modal",)) == []
    assert [b["block_id"] for b in view["blocks"]] == [
        "name", "tier", "contacts", "contact_addresses", "perspectives", "preferred_time", "language",
        "keywords"]
    fields = {b["block_id"]: b["element"] for b in view["blocks"]}
    assert fields["name"]["initial_value"] == "Caritas & co"
    assert fields["tier"]["initial_option"]["value"] == "core"
    assert fields["contacts"]["initial_users"] == ["U1"]
    assert [o["text"]["text"] for o in fields["perspectives"]["initial_options"]] == ["tros- og livssynssamfunn"]
    assert fields["preferred_time"]["initial_option"]["value"] == "afternoon"
    assert fields["language"]["initial_option"]["value"] == "nb"
    assert fields["keywords"]["initial_value"] == "housing"
    empty = roster_modal(EN, RosterForm(None), "{}")
    empty_fields = {b["block_id"]: b["element"] for b in empty["blocks"]}
    assert "initial_value" not in empty_fields["name"]
    assert empty_fields["tier"]["initial_option"]["value"] == "topic"
    assert empty_fields["language"]["initial_option"]["value"] == "workspace"


def test_confirmations_and_the_suggesters_message() -> None:
    assert_valid_message(suggestion_received(EN, CARD))
    assert_valid_message(roster_saved(EN, SaveOutcome(CARITAS, created=True, changed=True)))
    lonely = OrganisationCard("NOAS", "topic", (), (), (), "any", None)
    assert "no contact person" in roster_saved(EN, SaveOutcome(lonely, False, True)).text
    added = decision_confirmation(EN, Decision(CARD, CARITAS, added=True, invited_to=3))
    assert_valid_message(added)
    assert "is on the roster now" in added.text and "invited to meeting 3" in added.text
    passed = decision_confirmation(EN, Decision(CARD, CARITAS, added=True, meeting_passed=3))
    assert "no longer ahead" in passed.text
    told = suggestion_decided(EN, SuggestionDecided("Kirkens Bymisjon", True))
    assert told.text == "Your suggestion Kirkens Bymisjon was added to the roster. Thank you!"
    invited = suggestion_decided(NB, SuggestionDecided("Kirkens Bymisjon", True, 3, "Natt <herberge>"))
    assert_valid_message(invited)
    assert "Kirkens Bymisjon" in invited.text and "3" in invited.text and "&lt;herberge&gt;" in invited.text
    no = suggestion_decided(EN, SuggestionDecided("NOAS", False))
    assert "decided not to add it" in no.text


def test_the_unreachable_note_names_each_organisation_and_why() -> None:
    [note] = unreachable_note(EN, [UnreachableOrganisation("Gone *Away*", Unreachable.NOT_DELIVERED),
                                   UnreachableOrganisation("Silent", Unreachable.NO_CONTACT)])
    dump = _dump(note.to_dict())
    assert "the last messages to its contacts failed" in dump and "no contact person" in dump
    assert "Gone \u2217Away\u2217" in dump
    assert unreachable_note(EN, []) == []


# An e-mail contact; a chat contact with their own address; an address whose `_` and `*` are valid
# in an address but must not open the bot's own emphasis.
MOTHERS = OrganisationCard(
    "Bydelsmødrene", "core",
    (PersonRef(EMAIL, "ola@example.org"), PersonRef("slack", "U1"), PersonRef(EMAIL, "_post*@mødre.example.org")),
    ("gender-age",), (), "any", None, addresses=((PersonRef("slack", "U1"), "kari@example.org"),))


def test_coordinators_see_email_contacts_as_addresses_and_others_see_no_one() -> None:
    for t in (EN, NB):
        rendered = roster_list(t, RosterListing((MOTHERS,), for_coordinator=True))
        assert_valid_message(rendered)
        shown = _dump(rendered.blocks)
        assert ("*Bydelsmødrene*: <mailto:ola@example.org|ola@example.org>, "
                "<@U1> (<mailto:kari@example.org|kari@example.org>), "
                "<mailto:_post*@mødre.example.org|\u02cdpost\u2217@mødre.example.org>") in shown
    member = roster_list(EN, RosterListing((MOTHERS,), for_coordinator=False))
    assert "example.org" not in _dump(member.blocks) and "U1" not in _dump(member.blocks)


def test_roster_contact_says_who_was_there_and_whose_address_was_saved() -> None:
    outcome = ContactsOutcome(MOTHERS, added=(PersonRef(EMAIL, "ola@example.org"),),
                              already=(PersonRef(EMAIL, "_post*@mødre.example.org"),),
                              addressed=(PersonRef("slack", "U1"),))
    for t, saved in ((EN, "E-mail address saved for messages Slack cannot deliver"),
                     (NB, "E-postadresse lagret for meldinger Slack ikke får levert")):
        rendered = roster_contacts(t, outcome)
        assert_valid_message(rendered)
        assert "<mailto:_post*@mødre.example.org|\u02cdpost\u2217@mødre.example.org>" in rendered.text
        assert f"{saved}: <@U1> (<mailto:kari@example.org|kari@example.org>)." in rendered.text


def test_the_roster_form_holds_email_contacts_and_shows_peoples_own_addresses() -> None:
    for t in (EN, NB):
        view = roster_modal(t, RosterForm(MOTHERS), "{}")
        View(**view).validate_json()
        assert view_problems(view, allowed_types=("modal",)) == []
        fields = {b["block_id"]: b for b in view["blocks"]}
        assert fields["contacts"]["element"]["initial_users"] == ["U1"]
        assert fields["contact_addresses"]["element"]["initial_value"] == (
            "ola@example.org\n_post*@mødre.example.org")
        assert fields["contact_addresses"]["optional"] is True
        assert "<@U1> <mailto:kari@example.org|kari@example.org>" in _dump(fields["contact_own_addresses"])
    plain = roster_modal(EN, RosterForm(CARITAS), "{}")
    assert "contact_own_addresses" not in _dump(plain)
    assert "initial_value" not in {b["block_id"]: b["element"] for b in plain["blocks"]}["contact_addresses"]


def test_an_organisation_whose_contacts_stopped_email_is_flagged_so() -> None:
    for t, why in ((EN, "its contacts asked for no more e-mail"), (NB, "kontaktpersonene har meldt seg av e-post")):
        [note] = unreachable_note(t, [UnreachableOrganisation("Bydelsmødrene", Unreachable.UNSUBSCRIBED)])
        assert f"*Bydelsmødrene* ({why})" in _dump(note.to_dict())
