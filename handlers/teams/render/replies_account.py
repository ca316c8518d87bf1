"""Short answers in Teams about one's own things and the minutes: the language in use, one's data on
its way, a comment passed on, minutes made final, a follow-up point's status."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from handlers.teams.render.common import Card, md
from handlers.teams.render.replies_help import usage, word
from handlers.teams.render.words import local_time, status_word
from services.follow_up import StatusOutcome
from services.i18n import Translator
from services.languages import LanguageChosen, LanguageSetting, LanguageSource
from services.minutes_review import CommentOutcome, FinalOutcome
from services.privacy import ExportRequested


def language_name(t: Translator, language: str) -> str:
    """A language's name in the reader's language, as it reads inside a sentence."""
    return {"nb": t.gettext("Norwegian (Bokmål)"), "en": t.gettext("English")}.get(language, language)


def _why(t: Translator, setting: LanguageSetting) -> str:
    name = language_name(t, setting.language)
    if setting.source == LanguageSource.CHOICE:
        return t.gettext("I write to you in {language}, as you chose.").format(language=name)
    if setting.source == LanguageSource.ORGANISATION:
        return t.gettext("I write to you in {language}, your organisation's language.").format(language=name)
    return t.gettext("I write to you in {language}, the default language here.").format(language=name)


def language_status(t: Translator, setting: LanguageSetting) -> Card:
    """`language` with no value: the language in use, why, and how to change it."""
    language = word(t, "language")
    how = t.gettext("Change it with {nb} (Norwegian) or {en} (English); {auto} goes back to your "
                    "organisation's language, else the default one.").format(
        nb=usage(language, "nb"), en=usage(language, "en"), auto=usage(language, "auto"))
    return Card(text=f"{_why(t, setting)}\n\n{how}")


def language_chosen(t: Translator, outcome: LanguageChosen) -> Card:
    """Told privately, in the language now in use, after a choice."""
    line = _why(t, outcome.setting)
    if outcome.changed:
        line += " " + t.gettext("That goes for messages already planned too, such as reminders.")
    return Card(text=line)


def data_requested(t: Translator, outcome: ExportRequested) -> Card:
    """The answer to `my data`: the data itself comes as a message of its own."""
    return Card(text=t.gettext("Everything the bot holds about you is on its way to your messages with the "
                               "bot."))


def comment_confirmation(t: Translator, outcome: CommentOutcome, zone: ZoneInfo) -> Card:
    """Told privately to whoever commented on draft minutes."""
    line = t.gettext("Thank you: your comment on the minutes of meeting {number} ({title}) went to the "
                     "coordinators.").format(number=outcome.meeting_number, title=md(outcome.meeting_title))
    if outcome.review_until:
        line += " " + t.gettext("Comments are open until {when}.").format(
            when=local_time(outcome.review_until, zone, t.language))
    return Card(text=line)


def final_confirmation(t: Translator, outcome: FinalOutcome) -> Card:
    """Told privately to the coordinator who made the minutes final."""
    if outcome.already:
        line = t.gettext("The minutes of meeting {number} ({title}) were already final.")
    else:
        line = t.ngettext("The minutes of meeting {number} ({title}) are final and on their way to the "
                          "channel and everyone invited ({count} person).",
                          "The minutes of meeting {number} ({title}) are final and on their way to the "
                          "channel and everyone invited ({count} people).", outcome.readers)
    return Card(text=line.format(number=outcome.meeting_number, title=md(outcome.meeting_title),
                                 count=outcome.readers))


def status_confirmation(t: Translator, outcome: StatusOutcome) -> Card:
    """Told privately to whoever set a follow-up point's status."""
    item = outcome.item
    line = (t.gettext("Follow-up point {ref} ({what}) is now {status}.") if outcome.changed
            else t.gettext("Follow-up point {ref} ({what}) was already {status}."))
    return Card(text=line.format(ref=item.ref, what=md(item.description), status=status_word(t, item.status)))
