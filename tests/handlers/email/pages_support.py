"""Helpers for the pages' tests: a small browser over real HTTP (no redirects followed unless
asked, forms read from the HTML), and the rows a page must not change."""

from __future__ import annotations

import http.client
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import lxml.html
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from services.people import EMAIL
from storage.models import (
    Contact,
    Delivery,
    Invitation,
    Organisation,
    Person,
    Topic,
    TopicSupport,
    Workspace,
)

SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


@dataclass
class Page:
    """One response: status, headers (names folded to lower case) and body."""

    status: int
    headers: dict[str, str]
    body: str
    path: str = ""
    html: lxml.html.HtmlElement | None = field(default=None, repr=False)

    def text(self) -> str:
        """What a reader sees, spaces folded."""
        body = self.tree().find("body")
        return " ".join((body if body is not None else self.tree()).text_content().split())

    def tree(self) -> lxml.html.HtmlElement:
        """The parsed page."""
        if self.html is None:
            self.html = lxml.html.fromstring(self.body)
        return self.html

    def form(self, button: str) -> tuple[str, dict[str, str]]:
        """The action and fields of the form whose submit button reads `button`."""
        for form in self.tree().iter("form"):
            for candidate in form.iter("button"):
                if button in " ".join(candidate.text_content().split()):
                    fields = {i.get("name"): i.get("value") or "" for i in form.iter("input")
                              if i.get("name")}
                    fields.update({t.get("name"): t.text or "" for t in form.iter("textarea")})
                    return form.get("action") or self.path, fields
        raise AssertionError(f"no form with a button {button!r} on {self.path}: {self.text()[:400]}")

    def header(self, name: str) -> str:
        """A response header's value ('' if absent)."""
        return self.headers.get(name.lower(), "")


class Browser:
    """Requests over real HTTP to the running bot."""

    def __init__(self, base_url: str) -> None:
        parts = urlsplit(base_url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80

    def get(self, path: str, *, follow: bool = False, headers: dict[str, str] | None = None) -> Page:
        """GET `path` (a path or a full URL: only its path and query are used)."""
        return self._request("GET", path, None, headers or {}, follow)

    def post(self, path: str, fields: dict[str, str] | None = None, *, body: str | None = None,
             follow: bool = False) -> Page:
        """POST a form to `path`."""
        data = body if body is not None else urlencode(fields or {})
        return self._request("POST", path, data, {"Content-Type": "application/x-www-form-urlencoded"},
                             follow)

    def submit(self, page: Page, button: str, *, follow: bool = False, **changes: str) -> Page:
        """Submit the form with `button` on `page`, its fields changed as given."""
        action, fields = page.form(button)
        fields.update(changes)
        return self.post(action, fields, follow=follow)

    def _request(self, method: str, path: str, body: str | None, headers: dict[str, str],
                 follow: bool) -> Page:
        parts = urlsplit(path)
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        try:
            connection.request(method, target, body=body.encode() if body is not None else None,
                               headers=headers)
            response = connection.getresponse()
            page = Page(response.status, {k.lower(): v for k, v in response.getheaders()},
                        response.read().decode("utf-8", "replace"), parts.path)
        finally:
            connection.close()
        if follow and page.status in (301, 302, 303):
            return self.get(page.header("Location"))
        return page


def add_email_contact(sessions: sessionmaker[Session], organisation: str, address: str) -> None:
    """Put `address` on the roster as a contact of `organisation` (as the roster would)."""
    with sessions.begin() as session:
        found = session.scalars(select(Organisation).where(Organisation.name == organisation)).one()
        session.add(Contact(organisation_id=found.id, platform=EMAIL, user_id=address,
                            created_at=found.created_at))


def snapshot(sessions: sessionmaker[Session]) -> dict[str, list[tuple]]:
    """The rows a page view must leave alone: answers, deliveries, people, topics, supports."""
    with sessions() as session:
        return {
            "invitations": sorted(session.execute(select(
                Invitation.id, Invitation.answer, Invitation.answered_at)).all()),
            # Planned rows and their content (the sweep moves their state on meanwhile).
            "deliveries": sorted(session.execute(select(
                Delivery.id, Delivery.kind, Delivery.dest_id, Delivery.content_version)).all()),
            "people": sorted(session.execute(select(Person.id, Person.unsubscribed_at, Person.language)).all()),
            "topics": sorted(session.execute(select(Topic.id, Topic.title, Topic.state)).all()),
            "supports": sorted(session.execute(select(TopicSupport.id, TopicSupport.user_id)).all()),
            "workspaces": sorted(session.execute(select(Workspace.id, Workspace.external_id)).all()),
        }


def deliveries_of(sessions: sessionmaker[Session], kind: str, address: str | None = None) -> list[Delivery]:
    """The delivery rows of `kind` (to `address`)."""
    with sessions() as session:
        query = select(Delivery).where(Delivery.kind == kind).order_by(Delivery.id)
        if address is not None:
            query = query.where(Delivery.dest_id == address)
        rows = list(session.scalars(query))
        session.expunge_all()
        return rows
