"""What the change form carries between opening and submission, besides where it was opened."""

from __future__ import annotations

import json
from dataclasses import dataclass

from handlers.slack.parsing.carried import ModalContext


@dataclass(frozen=True)
class ChangeOrigin:
    """Where the change form was opened (and the meeting it changes), and whether it held the
    background field (`ChangeForm.offers_background`, as the services said when it opened): a form
    without it leaves the background as it is."""

    context: ModalContext
    background: bool = False

    def dump(self) -> str:
        data = json.loads(self.context.dump())
        data["background"] = self.background
        return json.dumps(data)

    @classmethod
    def load(cls, raw: str) -> ChangeOrigin:
        try:
            data = json.loads(raw) if raw else {}
        except json.JSONDecodeError:
            data = {}
        offered = data.get("background") if isinstance(data, dict) else None
        return cls(ModalContext.load(raw), offered is True)
