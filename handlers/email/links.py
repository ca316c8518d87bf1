"""The signed links in e-mails: answers to an invitation, a person's own page, and unsubscribing.

A link carries who it is for (workspace and address) and what it may do, signed with
DIALOG_LINK_SECRET (older keys after it still read), else a key derived from the app's secrets
(itsdangerous), so it cannot be guessed, enumerated or altered.
Links expire: an answer link when its meeting starts, a page link after PAGE_DAYS (every e-mail
carries a fresh one, and the page sends one on request), an unsubscribe link after STOP_DAYS
(List-Unsubscribe must keep working for a long-kept e-mail). Forms on the pages carry a second
token bound to the link they were served under (CSRF): a POST without it changes nothing.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from itsdangerous import BadData, SignatureExpired, TimestampSigner, URLSafeTimedSerializer

from services.enums import Answer
from services.people import EMAIL, Actor, PersonRef, WorkspaceRef

PAGE_DAYS = 90
STOP_DAYS = 400
ANSWER_DAYS = 120
FORM_HOURS = 12
_SALT = "dialogbot.email-links"
_FORM_SALT = "dialogbot.email-forms"

ANSWER_PATH = "/p/answer/<token>"
PAGE_PATH = "/p/me/<token>"
STOP_PATH = "/p/stop/<token>"
ASK_PATH = "/p/link"
"""Where someone asks for a fresh link to their page (the same answer whether or not the address
is known, so nobody can find out who is on the roster)."""


class LinkKind(StrEnum):
    ANSWER = "a"
    PAGE = "p"
    STOP = "s"


@dataclass(frozen=True)
class Link:
    """What a valid link says: for whom, and (answer links) which meeting, which answer, until when."""

    kind: LinkKind
    actor: Actor
    meeting_number: int | None = None
    answer: Answer | None = None
    expires_at: float | None = None

    @property
    def address(self) -> str:
        """The e-mail address the link was sent to (an e-mail contact's; for a chat contact reached
        by e-mail, their chat id: their address is on the roster)."""
        return self.actor.person.user_id


class LinkExpired(Exception):
    """The link was genuine but is past its time (or its meeting has started)."""


class LinkInvalid(Exception):
    """The link was forged, altered, cut short or is of another kind."""


def email_link_key(*credentials: str) -> str:
    """A key for signing e-mail links, derived from the app's own secrets (never one as it is)."""
    material = "\0".join(c for c in credentials if c)
    if not material:
        return ""
    return hmac.new(material.encode(), b"dialogbot email links", hashlib.sha256).hexdigest()


class Links:
    """Makes and reads the links of e-mails, against an injectable clock (seconds)."""

    def __init__(self, key: str | Sequence[str], public_url: str,
                 clock: Callable[[], float] = time.time) -> None:
        """`key`: the key to sign with, or keys newest first: links signed with an older one are
        still read (a key rotated keeps the unsubscribe links already sent working)."""
        self._public_url = public_url.rstrip("/")
        self._clock = clock

        class _Clocked(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        keys = [k for k in ([key] if isinstance(key, str) else key) if k]
        # itsdangerous signs with the last of its keys and reads with any.
        secret = list(reversed(keys))
        self._links = URLSafeTimedSerializer(secret, salt=_SALT, signer=_Clocked) if keys else None
        self._forms = URLSafeTimedSerializer(secret, salt=_FORM_SALT, signer=_Clocked) if keys else None

    @property
    def available(self) -> bool:
        """Whether links can be made: a public address to point at and a key to sign with."""
        return bool(self._public_url and self._links)

    def answer_url(self, workspace: WorkspaceRef, person: PersonRef | str, meeting_number: int,
                   answer: Answer, expires_at: datetime) -> str:
        """The one-click answer link for `person` (an address: an e-mail contact; or the chat
        contact an e-mail reached instead): opening it shows the meeting and a button that answers."""
        return self._url(ANSWER_PATH, {"k": LinkKind.ANSWER.value, **_who(workspace, person),
                                       "m": meeting_number, "a": answer.value,
                                       "x": int(expires_at.timestamp())})

    def page_url(self, workspace: WorkspaceRef, person: PersonRef | str) -> str:
        """The link to the person's own page (`person`: an address, or a chat contact reached by
        e-mail)."""
        return self._url(PAGE_PATH, {"k": LinkKind.PAGE.value, **_who(workspace, person)})

    def stop_url(self, workspace: WorkspaceRef, address: str) -> str:
        """The unsubscribe link (also the List-Unsubscribe header's, RFC 8058 one-click)."""
        return self._url(STOP_PATH, {"k": LinkKind.STOP.value, **_who(workspace, address)})

    def read(self, token: str, kind: LinkKind) -> Link:
        """What `token` says, if it is a genuine link of `kind` still in its time; raises
        LinkInvalid or LinkExpired."""
        if self._links is None or not token or len(token) > 2000:
            raise LinkInvalid(token[:20])
        max_age = {LinkKind.ANSWER: ANSWER_DAYS, LinkKind.PAGE: PAGE_DAYS, LinkKind.STOP: STOP_DAYS}[kind]
        try:
            data = self._links.loads(token, max_age=max_age * 86400)
        except SignatureExpired:
            raise LinkExpired() from None  # genuine, but old
        except BadData:
            raise LinkInvalid() from None
        try:
            if data["k"] != kind.value:
                raise LinkInvalid()
            platform, external = data["w"]
            who = data["p"]
            person = (PersonRef(str(who[0]), str(who[1])) if isinstance(who, list) and len(who) == 2
                      else PersonRef(EMAIL, str(who)))
            if kind == LinkKind.STOP and person.platform != EMAIL:
                raise LinkInvalid()
            actor = Actor(WorkspaceRef(str(platform), str(external)), person)
            if kind != LinkKind.ANSWER:
                return Link(kind, actor)
            link = Link(kind, actor, int(data["m"]), Answer(data["a"]), float(data["x"]))
        except (KeyError, TypeError, ValueError):
            raise LinkInvalid() from None
        if self._clock() >= (link.expires_at or 0):
            raise LinkExpired()
        return link

    def form_token(self, link_token: str) -> str:
        """The token a page's forms carry, bound to the link the page was opened with."""
        if self._forms is None:
            return ""
        return str(self._forms.dumps(_digest(link_token)))

    def form_ok(self, link_token: str, form_token: str | None) -> bool:
        """Whether a POST's form token was made for this link, within FORM_HOURS."""
        if self._forms is None or not form_token or len(form_token) > 500:
            return False
        try:
            return hmac.compare_digest(str(self._forms.loads(form_token, max_age=FORM_HOURS * 3600)),
                                       _digest(link_token))
        except BadData:
            return False

    def _url(self, path: str, data: dict[str, object]) -> str:
        if self._links is None:
            raise RuntimeError("e-mail links need a signing key")
        return self._public_url + path.replace("<token>", str(self._links.dumps(data)))


def _who(workspace: WorkspaceRef, person: PersonRef | str) -> dict[str, object]:
    # An address as itself (the links of e-mail contacts); anyone else as their platform and id.
    if isinstance(person, str):
        who: object = person
    else:
        who = person.user_id if person.platform == EMAIL else [person.platform, person.user_id]
    return {"w": [workspace.platform, workspace.external_id], "p": who}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()[:32]
