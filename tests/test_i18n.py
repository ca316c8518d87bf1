"""Translations: every user-facing string is in the catalog, and Bokmål is complete."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from services.i18n import LOCALES_DIR, Translator, language_of, plural_text, text

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "N_": None, "ngettext": (1, 2), "plural_text": (1, 2)}
SOURCE_DIRS = ["services", "handlers", "exports", "scheduling", "storage", "sandbox"]
# What `make extract` reads, as it reads it (babel.cfg): the code, and the pages' templates.
with open(ROOT / "babel.cfg", encoding="utf-8") as _mapping:
    METHOD_MAP, OPTIONS_MAP = parse_mapping_cfg(_mapping)


def _code_msgids() -> set[str]:
    found: set[str] = set()
    for folder in SOURCE_DIRS:
        for _file, _line, message, _comments, _ctx in extract_from_dir(
            ROOT / folder, method_map=METHOD_MAP, options_map=OPTIONS_MAP, keywords=KEYWORDS
        ):
            found.add(message[0] if isinstance(message, tuple) else message)
    return found


def _catalog(language: str):
    with open(LOCALES_DIR / language / "LC_MESSAGES" / "messages.po", "rb") as handle:
        return read_po(handle, locale=language)


def test_every_string_in_the_code_is_in_the_bokmal_catalog() -> None:
    catalog = _catalog("nb")
    missing = sorted(m for m in _code_msgids() if m not in catalog)
    assert missing == [], "run `make update-catalogs` and translate: " + repr(missing)


def test_bokmal_catalog_is_complete_and_keeps_every_placeholder() -> None:
    formatter = string.Formatter()
    problems = []
    for message in _catalog("nb"):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if message.fuzzy or not all(strings):
            problems.append(f"untranslated: {ids[0]!r}")
            continue
        wanted = {f for _, f, _, _ in formatter.parse(ids[-1]) if f}
        for translated in strings:
            got = {f for _, f, _, _ in formatter.parse(translated) if f}
            if got - wanted or (wanted - got - {"count"}):
                problems.append(f"placeholders differ: {ids[0]!r} -> {translated!r}")
    assert problems == []


def test_no_stale_strings_linger_in_the_catalog() -> None:
    stale = sorted(m.id if isinstance(m.id, str) else m.id[0] for m in _catalog("nb") if m.id)
    assert set(stale) <= _code_msgids()


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nb-NO", "nb"), ("no", "nb"), ("nn-NO", "nb"), ("en-GB", "en"), ("en-US", "en"),
     ("de-DE", "en"), (None, "en"), ("", "en")],
)
def test_slack_locales_map_to_supported_languages(locale, expected) -> None:
    assert language_of(locale, "en") == expected


def test_unknown_locales_fall_back_to_the_configured_default() -> None:
    assert language_of("fr-FR", "nb") == "nb"


def test_rendering_translates_plurals_and_escapes_only_parameters() -> None:
    nb = Translator("nb")
    assert nb.render(plural_text("{count} supporter", "{count} supporters", 1)) == "1 støtte"
    assert nb.render(plural_text("{count} supporter", "{count} supporters", 3)) == "3 støtter"
    message = text("There is no topic {number}. `/dialog topics` lists the open ones.", number="<!channel>")
    rendered = Translator("en").render(message, lambda s: s.replace("<", "&lt;").replace(">", "&gt;"))
    assert rendered == "There is no topic &lt;!channel&gt;. `/dialog topics` lists the open ones."


def test_no_translation_call_hides_inside_an_f_string() -> None:
    # Babel cannot extract gettext("…") written inside an f-string: such text would never be translated.
    import ast

    hidden = []
    for folder in SOURCE_DIRS:
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text())):
                if isinstance(node, ast.JoinedStr):
                    for inner in ast.walk(node):
                        if isinstance(inner, ast.Call) and getattr(inner.func, "attr", getattr(inner.func, "id", "")) in KEYWORDS:
                            hidden.append(f"{path.relative_to(ROOT)}:{inner.lineno}")
    assert hidden == []
