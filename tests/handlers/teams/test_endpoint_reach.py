"""Teams contacts the bot cannot reach, through the real `/api/messages` and the fake Bot Connector:
someone without the app gets their invitation by e-mail where the roster has their address (the same
delivery, rerouted), and the coordinator's urgent progress report names who cannot be reached."""

from __future__ import annotations

from datetime import date, timedelta

from fakes.teams import activities
from tests.handlers.teams.test_endpoint import ORGANISATION, _card_texts, _set_up
from tests.support.smtp import smtp_server
from tests.support.teams import BOT, COORDINATOR, running_teams_bot

NO_APP = activities.user("Nina Utenapp")
ADDRESS = "nina@frivillig.example.org"


def test_a_contact_without_the_app_gets_the_invitation_by_email(database_url: str) -> None:
    with smtp_server() as smtp, running_teams_bot(
            database_url, DIALOG_PUBLIC_URL="https://dialog.example.org", SMTP_HOST=smtp.host,
            SMTP_PORT=str(smtp.port), SMTP_SECURITY="none", EMAIL_FROM="dialog@example.org",
            DIALOG_LINK_SECRET="k" * 40) as teams:
        _set_up(teams)
        teams.connector.add_member(NO_APP.id, name=NO_APP.name, aad_object_id=str(NO_APP.aad_object_id))
        status, _ = teams.say(COORDINATOR, f'{activities.at(BOT)} deltakere kontakt "{ORGANISATION}" '
                                           f"{activities.at(NO_APP)}={ADDRESS}", scope="channel",
                              mentions=[NO_APP])
        assert status == 200
        day = date.today() + timedelta(days=3)
        teams.say(COORDINATOR, f"planlegg {day.isoformat()} 10:00 Dialogmøte om frivillighet")
        # Nina never installed the app: Teams cannot be written to her, so the invitation is sent
        # to her address instead, in Norwegian, with its calendar file.
        smtp.wait_for(1)
        invitations = [m for m in smtp.messages(to=ADDRESS) if "Dialogmøte om frivillighet" in str(m["Subject"])]
        assert len(invitations) == 1
        assert "text/calendar" in {part.get_content_type() for part in invitations[0].walk()}
        # Nothing was posted for her in Teams (she has no chat with the bot).
        assert activities.personal_conversation(NO_APP) not in {s.conversation_id for s in teams.connector.sent}


def test_the_urgent_progress_report_names_who_cannot_be_reached(database_url: str) -> None:
    with running_teams_bot(database_url) as teams:
        _set_up(teams)
        teams.connector.add_member(NO_APP.id, name=NO_APP.name, aad_object_id=str(NO_APP.aad_object_id))
        teams.say(COORDINATOR, f'{activities.at(BOT)} deltakere ny "Fjordby Nattherberge" fast '
                               f"{activities.at(NO_APP)}", scope="channel", mentions=[NO_APP])
        tomorrow = date.today() + timedelta(days=1)
        teams.say(COORDINATOR, f"hast {tomorrow.isoformat()} 10:00 Flom i sentrum")
        report = teams.connector.wait_for(lambda sent: [
            s for s in sent if s.conversation_id == activities.personal_conversation(COORDINATOR)
            and "Flom i sentrum" in _card_texts(s) and "Kan ikke nås (1)" in _card_texts(s)], timeout=30)
        shown = _card_texts(report[-1])
        # The organisation, and the fix in the reason: install the app for them, or give an address.
        assert "Fjordby Nattherberge: invitasjonen kunne ikke leveres" in shown
        assert "not installed" in shown and "e-mail address" in shown
