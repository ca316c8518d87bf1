"""The pages' HTML: Jinja2 templates with autoescaping, in the reader's language.

Templates write their words as `_("…{name}…", name=value)` (and `ngettext`), extracted into the
catalogues like the code's strings (babel.cfg); parameters are escaped as they are filled in, so a
title or an organisation's name is text on the page, never markup.
"""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time
from flask import Response
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from services.i18n import SUPPORTED, Translator, translator

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "pages"
_BABEL = {"en": "en_GB", "nb": "nb_NO"}
_NORWEGIAN_ZONE = "Europe/Oslo"

_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                   undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _translating(t: Translator) -> dict[str, Any]:
    def gettext(message: str, **params: Any) -> Markup:
        # Markup.format escapes each parameter; the translated template itself is ours.
        return escape(t.gettext(message)).format(**params)

    def ngettext(singular: str, plural: str, count: int, **params: Any) -> Markup:
        return escape(t.ngettext(singular, plural, count)).format(count=count, **params)

    return {"_": gettext, "gettext": gettext, "ngettext": ngettext}


def local_time(moment: datetime, zone: ZoneInfo, language: str) -> str:
    """A date and time written out in `zone`: "Thursday, 3 December 2026 14:00 (Europe/Oslo)",
    "torsdag 3. desember 2026 kl. 14:00"."""
    locale = _BABEL.get(language, "en_GB")
    day = format_date(moment.astimezone(zone), "full", locale=locale)
    clock = format_time(moment, "HH:mm", tzinfo=zone, locale=locale)
    if language == "nb":
        return f"{day} kl. {clock}" + ("" if zone.key == _NORWEGIAN_ZONE else f" ({zone.key})")
    return f"{day} {clock} ({zone.key})"


def long_date(day: date, language: str) -> str:
    """A calendar date in words (16 March 2027, 16. mars 2027)."""
    return format_date(day, "long", locale=_BABEL.get(language, "en_GB"))


def page(name: str, language: str, status: int = 200, headers: Mapping[str, str] | None = None,
         **context: Any) -> Response:
    """The page `name` (a template) as a response, in `language`, with a fresh style nonce that
    the Content-Security-Policy names (handlers.email.pages.security)."""
    language = language if language in SUPPORTED else "en"
    nonce = secrets.token_urlsafe(16)
    html = _env.get_template(name).render(lang=language, nonce=nonce, **_translating(translator(language)),
                                          **context)
    response = Response(html, status=status, mimetype="text/html", headers=dict(headers or {}))
    response.headers["Content-Security-Policy"] = csp(nonce)
    return response


def csp(nonce: str | None = None) -> str:
    """The pages' Content-Security-Policy: nothing loads, no script runs, styles only our own
    (the nonce'd block), forms post only here, no framing, no base URL."""
    style = f"'nonce-{nonce}'" if nonce else "'none'"
    return (f"default-src 'none'; style-src {style}; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'")
