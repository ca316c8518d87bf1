"""Translatable text. Services say *what* to tell people as `Text`; platforms render it.

Catalogs live in `locales/<lang>/LC_MESSAGES/messages.po` (Babel/gettext). Strings in code are
marked with `_` (translated at once) or `N_` (marked only, translated when rendered).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from babel.support import NullTranslations, Translations

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
DOMAIN = "messages"
SUPPORTED = ("en", "nb")


def N_(message: str) -> str:
    """Mark a string for extraction without translating it yet."""
    return message


@dataclass(frozen=True)
class Text:
    """A message to translate later: a msgid (optionally plural) and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    plural: str | None = None
    count: int | None = None


class Command(StrEnum):
    """Something a person can do next, named by what it does. Services put a `Hint` to one in a
    message; each platform says how it is done there (Slack: `/dialog topics`)."""

    HELP = "help"
    TOPICS = "topics"
    PROPOSE = "propose"
    SUPPORT = "support"
    DECLINE = "decline"
    MEETINGS = "meetings"
    ROSTER = "roster"
    ROSTER_CONTACT = "roster contact"
    ROSTER_EDIT = "roster edit"
    RECOMMEND = "recommend"
    INVITE = "invite"
    MY_DATA = "my data"
    ERASE = "erase"


@dataclass(frozen=True)
class Hint:
    """A `Command` to suggest inside a message, with its arguments: typed values (`str`, shown as
    typed) or translatable examples and placeholders (`Text`)."""

    command: Command
    args: tuple[str | Text, ...] = ()


# How a platform shows a hint: given the hint and its arguments already rendered (typed values
# escaped, examples translated), the finished text.
HintStyle = Callable[[Hint, tuple[str, ...]], str]


def plain_hint(hint: Hint, args: tuple[str, ...]) -> str:
    """A hint as the command's words and its arguments, for text with no markup of its own."""
    return " ".join((hint.command.value, *args))


def text(msgid: str, **params: Any) -> Text:
    """A translatable message with named `{placeholders}`."""
    return Text(msgid, params)


def plural_text(singular: str, plural: str, count: int, **params: Any) -> Text:
    """A translatable message whose form depends on `count` (also available as `{count}`)."""
    return Text(singular, {"count": count, **params}, plural, count)


def language_of(locale: str | None, default: str) -> str:
    """Map a platform locale (`nb-NO`, `en-US`, `no`, `nn-NO`) to a supported language."""
    if not locale:
        return default
    primary = locale.replace("_", "-").split("-")[0].lower()
    if primary in ("nb", "no", "nn"):
        # Nynorsk readers are served Bokmål: closer than English for them.
        return "nb"
    if primary == "en":
        return "en"
    return default


@functools.cache
def _translations(language: str) -> NullTranslations:
    if language == "en":
        return NullTranslations()
    loaded = Translations.load(str(LOCALES_DIR), [language], DOMAIN)
    if not isinstance(loaded, Translations):
        raise RuntimeError(
            f"no compiled catalog for {language!r} in {LOCALES_DIR}; run `make catalogs`"
        )
    return loaded


class Translator:
    """Renders `Text` and plain msgids in one language."""

    def __init__(self, language: str) -> None:
        self.language = language if language in SUPPORTED else "en"
        self._t = _translations(self.language)

    def gettext(self, message: str) -> str:
        """Translate a msgid."""
        return self._t.gettext(message)

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """Translate a msgid with plural forms."""
        return self._t.ngettext(singular, plural, count)

    def render(self, message: Text, escape: Callable[[str], str] = lambda s: s,
               literal: Callable[[str], str] = lambda s: s, hint: HintStyle = plain_hint) -> str:
        """Translate `message` and fill in its parameters; string parameters pass through `escape`,
        the translated text itself through `literal` (a platform's markup may need both), and
        command hints through the platform's `hint` style."""
        if message.plural is not None and message.count is not None:
            template = self.ngettext(message.msgid, message.plural, message.count)
        else:
            template = self.gettext(message.msgid)
        template = literal(template)
        params = {key: self._param(value, escape, literal, hint) for key, value in message.params.items()}
        return template.format(**params)

    def _param(self, value: Any, escape: Callable[[str], str], literal: Callable[[str], str],
               hint: HintStyle) -> Any:
        if isinstance(value, Text):
            return self.render(value, escape, literal, hint)
        if isinstance(value, Hint):
            return hint(value, tuple(self._param(arg, escape, literal, hint) for arg in value.args))
        return escape(value) if isinstance(value, str) else value


@functools.cache
def translator(language: str) -> Translator:
    """The shared translator for `language`."""
    return Translator(language)
