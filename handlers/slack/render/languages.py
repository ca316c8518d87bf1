"""A person's language: the answer to `/dialog language`, and the picker on the Home tab."""

from __future__ import annotations

from slack_sdk.models.blocks import Block, MarkdownTextObject, Option, SectionBlock, StaticSelectElement

from handlers.slack import ids
from handlers.slack.render.common import Rendered, dicts
from handlers.slack.text import literal
from services.i18n import Translator
from services.languages import LanguageChosen, LanguageSetting, LanguageSource

# Each language named in itself, so a reader finds theirs whatever the page is in.
ENDONYMS = {"nb": "Norsk (bokmål)", "en": "English"}


def language_name(t: Translator, language: str) -> str:
    """A language's name in the reader's language, as it reads inside a sentence."""
    names = {"nb": t.gettext("Norwegian (Bokmål)"), "en": t.gettext("English")}
    return names.get(language, language)


def _why(t: Translator, setting: LanguageSetting) -> str:
    name = language_name(t, setting.language)
    if setting.source == LanguageSource.CHOICE:
        return t.gettext("I write to you in {language}, as you chose.").format(language=name)
    if setting.source == LanguageSource.ORGANISATION:
        return t.gettext("I write to you in {language}, your organisation's language.").format(language=name)
    return t.gettext("I write to you in {language}, the default language here.").format(language=name)


def _how_to_change(t: Translator) -> str:
    return literal(t.gettext("Change it with `/dialog language nb` (Norwegian) or `/dialog language en` "
                             "(English); `/dialog language auto` goes back to your organisation's "
                             "language, else the default one. The Home tab has the same choice."))


def language_status(t: Translator, setting: LanguageSetting) -> Rendered:
    """`/dialog language` with no value: the language in use, why, and how to change it."""
    line = _why(t, setting)
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=f"{line}\n{_how_to_change(t)}"))]))


def language_chosen(t: Translator, outcome: LanguageChosen) -> Rendered:
    """Told privately, in the language now in use, after a choice."""
    line = _why(t, outcome.setting)
    if outcome.changed:
        line += " " + t.gettext("That goes for messages already planned too, such as reminders.")
    return Rendered(line, dicts([SectionBlock(text=MarkdownTextObject(text=line))]))


def language_picker(t: Translator) -> list[Block]:
    """The Home tab's language choice: picking one stores it, as `/dialog language` does."""
    options = [Option(value=code, text=name) for code, name in ENDONYMS.items()]
    current = next((o for o in options if o.value == t.language), None)
    picker = StaticSelectElement(action_id=ids.LANGUAGE_PICK, options=options, initial_option=current,
                                 placeholder=t.gettext("Choose a language"))
    label = "*" + t.gettext("Your language") + "* · " + t.gettext("Messages to you, and this page.")
    return [SectionBlock(block_id=ids.LANGUAGE_PICK, text=MarkdownTextObject(text=label), accessory=picker)]
