"""Who an invitation reaches, said one way wherever it is counted: the urgent form's preview, the
scheduling confirmation and the urgent progress report (the service counts all three alike)."""

from __future__ import annotations

from handlers.slack.text import escape
from services.i18n import Translator
from services.messages import Audience


def audience_phrase(t: Translator, audience: Audience) -> str:
    """`3 organisations and 4 people`, in the reader's language."""
    organisations = t.ngettext("{count} organisation", "{count} organisations",
                               audience.organisations).format(count=audience.organisations)
    people = t.ngettext("{count} person", "{count} people", audience.people).format(count=audience.people)
    return t.gettext("{organisations} and {people}").format(organisations=organisations, people=people)


def no_contact_line(t: Translator, names: tuple[str, ...], limit: int = 20) -> str | None:
    """The organisations nobody can be told of (no contact person on the roster), or None."""
    if not names:
        return None
    shown = ", ".join(escape(name) for name in names[:limit])
    if len(names) > limit:
        shown += " " + t.gettext("and {count} more").format(count=len(names) - limit)
    line = t.gettext("No contact person, so nobody there gets the invitation: {names}.")
    return ":warning: " + line.format(names=shown)
