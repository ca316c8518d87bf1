"""The ids that stand for someone no longer named: erased on request (`erased-…`, one per erasure)
or past the retention limit (`anonymous-…`, one per person per meeting). Random, never derived
from the id they replace (services/privacy/erase.py and retention.py make them).

A row under one is history: the person answered, came or wrote as a contact then, so counts of
past meetings keep it although no contact has that id."""

from __future__ import annotations

ERASED_PREFIX = "erased-"
ANONYMOUS_PREFIX = "anonymous-"


def is_pseudonym(user_id: str) -> bool:
    """Whether `user_id` stands for someone erased or past the retention limit."""
    return user_id.startswith((ERASED_PREFIX, ANONYMOUS_PREFIX))
