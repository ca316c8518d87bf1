"""Words every platform uses alike for the services' plain data: the kinds of one's personal data
(the export's counts), and what changed in a meeting."""

from __future__ import annotations

from babel.lists import format_list

from services.i18n import Translator
from services.meetings import ChangeField

_LOCALES = {"nb": "nb_NO", "en": "en_GB"}


def data_labels(t: Translator) -> dict[str, str]:
    """What each count in a personal data export is of, in the reader's language."""
    return {
        "contact_for": t.gettext("organisations you are a contact for"),
        "conversations": t.gettext("your chats with the bot (how it reaches you)"),
        "invitations": t.gettext("invitations, with your answers and attendance"),
        "topics_proposed": t.gettext("topics you proposed"),
        "topics_supported": t.gettext("topics you supported"),
        "talks": t.gettext("talks you gave"),
        "chaired": t.gettext("meetings you chaired"),
        "minutes_written": t.gettext("minutes you wrote"),
        "minutes_comments": t.gettext("comments on draft minutes"),
        "suggestions_made": t.gettext("organisations you suggested"),
        "suggested_as_contact": t.gettext("suggestions naming you as the contact"),
        "suggestions_decided": t.gettext("suggestions you decided on"),
        "meetings_created": t.gettext("meetings you scheduled"),
        "meeting_changes": t.gettext("changes you made to meetings"),
        "follow_up_updates": t.gettext("follow-up points you updated"),
        "audit_entries": t.gettext("entries in the log of coordinator actions"),
        "audit_mentions": t.gettext("log entries naming you"),
        "messages": t.gettext("messages the bot sent you"),
    }


def what_changed(t: Translator, changes: tuple[str, ...]) -> str:
    """What changed, as a list in the reader's language: "a new time and a new video link" (a
    value no longer known is left out; nothing left: a dash)."""
    phrases = {
        ChangeField.TIME: t.gettext("a new time"),
        ChangeField.LENGTH: t.gettext("a new length"),
        ChangeField.TITLE: t.gettext("a new title"),
        ChangeField.LINK: t.gettext("a new video link"),
        ChangeField.BACKGROUND: t.gettext("a new background"),
        ChangeField.CHAIR: t.gettext("a new chair"),
        ChangeField.AGENDA: t.gettext("a new agenda"),
    }
    words = [phrases[ChangeField(c)] for c in changes if c in set(ChangeField)]
    return format_list(words, locale=_LOCALES.get(t.language, "en_GB")) if words else "—"
