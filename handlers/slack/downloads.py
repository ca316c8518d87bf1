"""The minutes for the case archive, downloaded from a coordinator's browser.

Slack cannot carry a file in a button, and the bot's HTTP server is already reachable from
browsers (DIALOG_PUBLIC_URL: the calendar links). A coordinator's click on "Download for the
archive" (checked by the services) answers privately with links that are signed (itsdangerous,
with a key derived from the Slack credentials), name the coordinator, and expire after
LINK_MINUTES. Opening one checks the signature and the age, then asks the services again as that
coordinator, so a link stops working for someone who is no longer a coordinator. The GET only
reads; nothing is written.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import time
from collections.abc import Callable

from itsdangerous import BadData, TimestampSigner, URLSafeTimedSerializer

from exports.fonts import FontMissing
from exports.minutes_content import file_name
from exports.minutes_docx import minutes_docx
from exports.minutes_pdf import minutes_pdf
from handlers.slack import PLATFORM
from handlers.slack.server import MINUTES_PATH
from services.container import Services
from services.errors import DomainError, NotAllowed
from services.people import Actor

log = logging.getLogger(__name__)

LINK_MINUTES = 15
_SALT = "dialogbot.minutes-archive"
FORMATS = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
Served = tuple[int, bytes, dict[str, str]]


def link_key(*credentials: str) -> str:
    """A key for signing links, derived from the app's own secrets (never one of them as it is)."""
    material = "\0".join(c for c in credentials if c)
    if not material:
        return ""
    return hmac.new(material.encode(), b"dialogbot minutes links", hashlib.sha256).hexdigest()


class Downloads:
    """Makes and serves the signed links to a meeting's minutes as PDF/A and DOCX."""

    def __init__(self, services: Services, key: str, public_url: str,
                 clock: Callable[[], float] = time.time) -> None:
        self._services = services
        self._public_url = public_url.rstrip("/")

        class _Clocked(TimestampSigner):
            def get_timestamp(self) -> int:
                return int(clock())

        self._serializer = URLSafeTimedSerializer(key, salt=_SALT, signer=_Clocked) if key else None

    @property
    def available(self) -> bool:
        """Whether links can be made: a public address and a key to sign with."""
        return bool(self._public_url and self._serializer)

    def offer(self, actor: Actor, number: int) -> dict[str, str]:
        """The Download for the archive button: the services check that `actor` is a coordinator
        and that meeting `number` has minutes (raising if not); then links to them in each format,
        for `actor` (none when downloads are not `available`)."""
        self._services.minutes.archivable(actor, number)
        return self.links(actor, number) if self.available else {}

    def links(self, actor: Actor, number: int) -> dict[str, str]:
        """Links to meeting `number`'s minutes in each format, for `actor` (whose right the
        caller has had the services check)."""
        if self._serializer is None:
            return {}
        return {kind: self._public_url + MINUTES_PATH.replace("<token>", str(self._serializer.dumps(
            {"t": actor.workspace.external_id, "u": actor.person.user_id, "m": number, "f": kind})))
            for kind in FORMATS}

    def serve(self, token: str) -> Served:
        """The file a link names: 404 for a link forged, changed or expired, 403 for someone no
        longer a coordinator."""
        if self._serializer is None:
            return _text(404, "No such file.")
        try:
            data = self._serializer.loads(token, max_age=LINK_MINUTES * 60)
            actor = Actor.of(PLATFORM, str(data["t"]), str(data["u"]))
            number, kind = int(data["m"]), str(data["f"])
        except (BadData, KeyError, TypeError, ValueError):
            return _text(404, "This link has expired or is not valid. Ask for a new one in Slack.")
        if kind not in FORMATS:
            return _text(404, "No such file.")
        try:
            archived = self._services.minutes.archive(actor, number)
            content = minutes_pdf(archived) if kind == "pdf" else minutes_docx(archived)
        except NotAllowed:
            return _text(403, "Only coordinators can download the minutes.")
        except DomainError:
            return _text(404, "No such minutes.")
        except FontMissing as missing:
            log.error("%s", missing)
            return _text(500, "The PDF cannot be made on this server; try DOCX.")
        return 200, content, {
            "Content-Type": FORMATS[kind],
            "Content-Disposition": f'attachment; filename="{file_name(archived, kind)}"',
            "Cache-Control": "no-store",
        }


def _text(status: int, line: str) -> Served:
    return status, (line + "\n").encode(), {"Content-Type": "text/plain; charset=utf-8",
                                            "Cache-Control": "no-store"}
