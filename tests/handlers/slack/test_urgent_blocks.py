"""The urgent renderers: the report's three groups and its nudge button, the nudge's answer, the
form's link, background and no-contact flag; valid Block Kit, user text escaped, both languages."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime

import pytest
from slack_sdk.models.views import View

from handlers.slack.render.meetings import meeting_invitation, schedule_confirmation, schedule_modal
from handlers.slack.render.urgent import nudge_confirmation, urgent_modal, urgent_progress
from services.enums import Answer, MeetingKind
from services.i18n import Translator
from services.meetings import NudgeOutcome, ScheduleForm, ScheduleOutcome, UrgentForm
from services.messages import (
    Audience,
    FanOutFailure,
    MeetingInvitation,
    OrganisationReach,
    Unreachable,
    UrgentProgress,
)
from services.people import EMAIL, PersonRef
from services.reachability import UnreachableOrganisation
from services.roster import OrganisationCard
from tests.handlers.slack.test_blocks import assert_valid_message
from tests.handlers.slack.test_meeting_blocks import OSLO, meeting

EN, NB = Translator("en"), Translator("nb")
HOSTILE = "<!channel> *Crisis* & co"


def progress(**overrides) -> UrgentProgress:
    values = dict(
        meeting=meeting(kind=MeetingKind.URGENT), total=5, sent=4, failed=(), done=True,
        audience=Audience(5, 5, ("Bydelsmødrene",)),
        answered=(OrganisationReach("Caritas", answer=Answer.YES), OrganisationReach("NOAS", answer=Answer.NO)),
        silent=(OrganisationReach(HOSTILE), OrganisationReach("Helsedirektoratet", observer=True)),
        unreachable=(OrganisationReach("Bydelsmødrene", unreachable=Unreachable.NO_CONTACT),
                     OrganisationReach("Red Cross", unreachable=Unreachable.NOT_DELIVERED)),
        silent_people=3,
    )
    values.update(overrides)
    return UrgentProgress(**values)


def _text(rendered) -> str:
    return rendered.text + json.dumps(rendered.blocks, ensure_ascii=False)


def test_the_report_lists_the_three_groups_with_answers_and_reasons() -> None:
    rendered = urgent_progress(EN, progress(), OSLO)
    assert_valid_message(rendered)
    shown = _text(rendered)
    assert "Invited: 5 organisations and 5 people." in shown
    assert "*Answered (2):* Caritas: Attending · NOAS: Not attending" in shown
    assert "*Silent, no answer yet (2):* &lt;!channel&gt; ∗Crisis∗ &amp; co · Helsedirektoratet _(observer)_" in shown
    assert ("*Cannot be reached (2):* Bydelsmødrene: no contact person · "
            "Red Cross: the invitation could not be delivered") in shown
    assert "<!channel>" not in shown
    [button] = [e for b in rendered.blocks if b["type"] == "actions" for e in b["elements"]]
    assert (button["action_id"], button["value"], button["text"]["text"]) == (
        "urgent_nudge", "4", "Nudge the silent ones (3 people)")


@pytest.mark.parametrize("overrides", [{"silent_people": 0, "silent": ()}, {"open": False}])
def test_no_nudge_button_when_nobody_is_silent_or_the_meeting_is_no_longer_ahead(overrides) -> None:
    rendered = urgent_progress(EN, progress(**overrides), OSLO)
    assert not [b for b in rendered.blocks if b["type"] == "actions"]


def test_the_report_in_norwegian() -> None:
    rendered = urgent_progress(NB, progress(), OSLO)
    assert_valid_message(rendered)
    shown = _text(rendered)
    assert "Har svart (2)" in shown and "Bydelsmødrene: ingen kontaktperson" in shown
    assert "Minn på dem som ikke har svart (3 personer)" in shown


def test_a_long_report_stays_within_slacks_limits() -> None:
    many = tuple(OrganisationReach(f"Organisation {n} " + "x" * 60) for n in range(500))
    rendered = urgent_progress(EN, progress(silent=many), OSLO)
    assert_valid_message(rendered)
    [silent] = [b["text"]["text"] for b in rendered.blocks if "Silent" in b.get("text", {}).get("text", "")]
    listed = silent.count("Organisation ")
    assert 0 < listed <= 40 and silent.endswith(f"…and {500 - listed} more.")


@pytest.mark.parametrize(("outcome", "expected"), [
    (NudgeOutcome(4, HOSTILE, 3, 2, 0, 60), "Nudged 3 people in 2 silent organisations about meeting 4 "
                                            "(&lt;!channel&gt; ∗Crisis∗ &amp; co)."),
    (NudgeOutcome(4, "Storm", 1, 1, 2, 60), "Nudged 1 person in 1 silent organisation about meeting 4 (Storm). "
                                            "2 more had a nudge less than 60 minutes ago and were left out."),
    (NudgeOutcome(4, "Storm", 0, 0, 3, 60), "Nobody was nudged again: everyone silent in meeting 4 (Storm) had "
                                            "a nudge less than 60 minutes ago."),
    (NudgeOutcome(4, "Storm", 0, 0, 0, 60), "Nobody to nudge in meeting 4 (Storm): every organisation reached "
                                            "has answered."),
])
def test_the_nudge_answer_says_how_many(outcome: NudgeOutcome, expected: str) -> None:
    rendered = nudge_confirmation(EN, outcome)
    assert_valid_message(rendered)
    assert rendered.text == expected
    assert_valid_message(nudge_confirmation(NB, outcome))


def _choices() -> ScheduleForm:
    organisations = (
        OrganisationCard("NOAS", "topic", (), (), (), "any", None),
        OrganisationCard("Bymisjonen", "topic", (object(),), (), (), "any", None),  # type: ignore[arg-type]
    )
    return ScheduleForm(topics=(), organisations=organisations, core=("Caritas", "Bydelsmødrene"),
                        core_without_contact=("Bydelsmødrene",),
                        unreachable=(UnreachableOrganisation("Bydelsmødrene", Unreachable.NO_CONTACT),
                                     UnreachableOrganisation("Caritas", Unreachable.NOT_DELIVERED)))


def test_the_urgent_form_takes_a_link_and_background_and_flags_who_has_no_contact() -> None:
    form = UrgentForm(_choices(), Audience(2, 1, ("Bydelsmødrene",)), datetime(2026, 3, 3, 9, tzinfo=UTC))
    for t in (EN, NB):
        view = urgent_modal(t, form, "{}")
        View(**view).validate_json()
        inputs = [b["block_id"] for b in view["blocks"] if b["type"] == "input"]
        assert inputs[:4] == ["title", "starts_at", "video_link", "background"]
    shown = json.dumps(urgent_modal(EN, form, "{}")["blocks"], ensure_ascii=False)
    assert "Will invite 2 organisations and 1 person." in shown
    assert "No contact person, so nobody there gets the invitation: Bydelsmødrene." in shown
    assert "NOAS — no contact person" in shown and "Bymisjonen —" not in shown
    # An organisation whose contacts' last messages all failed is flagged too, once, with the reason.
    assert "*Caritas* (the last messages to its contacts failed)" in shown
    assert shown.count("Bydelsmødrene") == 1


def test_the_schedule_form_flags_core_organisations_without_contacts() -> None:
    shown = json.dumps(schedule_modal(EN, _choices(), "{}")["blocks"], ensure_ascii=False)
    assert "No contact person, so nobody there gets the invitation: Bydelsmødrene." in shown


def test_the_confirmation_counts_by_the_services_audience() -> None:
    outcome = ScheduleOutcome(meeting(kind=MeetingKind.URGENT), True, audience=Audience(3, 4, ("Bydelsmødrene",)))
    shown = _text(schedule_confirmation(EN, outcome, OSLO))
    assert "Invitations are going out now to 3 organisations and 4 people." in shown
    assert "Bydelsmødrene" in shown


def test_the_background_is_shown_escaped_in_the_channel_and_each_dm() -> None:
    card = meeting(kind=MeetingKind.URGENT, background=f"Water {HOSTILE}\nsecond line")
    for personal in (True, False):
        rendered = meeting_invitation(EN, MeetingInvitation(card, personal=personal), OSLO)
        assert_valid_message(rendered)
        shown = _text(rendered)
        assert "*Background:* Water &lt;!channel&gt; ∗Crisis∗ &amp; co\\nsecond line" in shown
        assert "<!channel>" not in shown


def test_failures_name_email_contacts_by_address_with_the_mail_servers_reason() -> None:
    failed = (FanOutFailure(PersonRef("slack", "U0GONE01"), "user_disabled"),
              FanOutFailure(PersonRef(EMAIL, "ola_@example.org"), "550 5.1.1 <ola_@example.org>: No such `user`"))
    for t in (EN, NB):
        rendered = urgent_progress(t, progress(failed=failed, sent=3), OSLO)
        assert_valid_message(rendered)
        shown = _text(rendered)
        assert "• <@U0GONE01>: `user_disabled`" in shown
        assert ("• <mailto:ola_@example.org|ola\u02cd@example.org>: "
                "`550 5.1.1 &lt;ola_@example.org&gt;: No such \u02cbuser\u02cb`") in shown


def test_the_forms_flag_organisations_whose_contacts_stopped_email() -> None:
    choices = dataclasses.replace(_choices(), unreachable=(
        UnreachableOrganisation("Islamsk Råd", Unreachable.UNSUBSCRIBED),))
    urgent = UrgentForm(choices, Audience(2, 1), datetime(2026, 3, 3, 9, tzinfo=UTC))
    flagged = "*Islamsk Råd* (its contacts asked for no more e-mail)"
    assert flagged in json.dumps(urgent_modal(EN, urgent, "{}"), ensure_ascii=False)
    assert flagged in json.dumps(schedule_modal(EN, choices, "{}"), ensure_ascii=False)
