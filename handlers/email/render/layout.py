"""The shape every e-mail shares, and its two renderings (Jinja2 templates): plain text, and
simple accessible HTML (a lang attribute, real headings, links as links, inline styles only, no
images or scripts, one narrow column that reads on a phone).

Renderers describe an e-mail as plain data (`Body`: blocks of paragraphs, facts, lists and
actions) in the reader's language; user text stays raw here and is escaped by the HTML
template's autoescaping, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


@dataclass(frozen=True)
class Action:
    """A link shown as a button: its words say what happens when followed."""

    label: str
    url: str


@dataclass(frozen=True)
class Fact:
    """A labelled value (`When: …`), the value a link when `url` is given."""

    label: str
    value: str
    url: str | None = None


@dataclass(frozen=True)
class Block:
    """One part of an e-mail under an optional heading."""

    heading: str | None = None
    paragraphs: tuple[str, ...] = ()
    facts: tuple[Fact, ...] = ()
    items: tuple[str, ...] = ()
    ordered: bool = False
    actions: tuple[Action, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class Body:
    """A whole e-mail's content: a banner (urgent calls), the title, the blocks, the footer."""

    title: str
    blocks: tuple[Block, ...]
    banner: str | None = None
    footer: tuple[Fact, ...] = ()
    footer_note: str | None = None


def web_link(url: str | None) -> str | None:
    """`url` if it is a web address a reader may follow (http or https), else None: a typed link
    (a meeting's video link) never becomes a `javascript:` or `data:` link."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def _lines(value: str) -> Markup:
    # Line breaks people typed (a background, a summary) kept, each line escaped.
    return Markup("<br>\n").join(escape(line) for line in value.splitlines())


_environment = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)
_environment.filters["lines"] = _lines


def html(body: Body, language: str, subject: str) -> str:
    """The HTML part."""
    return _environment.get_template("email/message.html").render(body=body, language=language,
                                                                  subject=subject)


def plain(body: Body) -> str:
    """The plain-text part."""
    rendered = _environment.get_template("email/message.txt").render(body=body)
    # Templates leave blank runs where optional parts are missing: at most one blank line.
    out: list[str] = []
    for line in rendered.splitlines():
        # "-- " (with its space) is the signature separator mail readers know; other lines lose
        # the spaces templates leave at their ends.
        line = line if line == "-- " else line.rstrip()
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
