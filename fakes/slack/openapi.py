"""Slack's published OpenAPI (Swagger 2.0) description of the Web API: where the fake finds it, and
what it says about each method (verbs, parameters, required ones)."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SPEC_ENV = "FAKE_SLACK_SPEC"
"""Environment variable naming the OpenAPI file when it is not passed explicitly."""

SPEC_RELATIVE_PATH = Path("shared", "slack", "web-api-openapi-v2.json")
"""Where the spec is looked for, relative to this file's ancestors."""

VENDORED_SPEC = Path(__file__).resolve().parent / "spec" / "web-api-openapi-v2.subset.json"
"""The methods the fake implements, trimmed from the spec (``fakes/slack/spec/trim.py``)."""


# Parameters Slack added after the published OpenAPI spec was generated. Only the ones the
# bot uses are listed, each with the reason it is genuine; everything else the spec lacks
# is still reported as a violation.
EXTRA_PARAMETERS: Mapping[str, frozenset[str]] = {
    # Message metadata (2022): the bot tags every delivery with its id.
    "chat.postMessage": frozenset({"metadata"}),
    "chat.update": frozenset({"metadata"}),
    # Reading that metadata back, to resolve deliveries that are in doubt after a crash.
    "conversations.history": frozenset({"include_all_metadata"}),
    "conversations.replies": frozenset({"include_all_metadata"}),
}

# Methods that take the app-level token (xapp-…) instead of the bot token.
APP_TOKEN_METHODS: frozenset[str] = frozenset({"apps.connections.open"})

# Accepted by every method: the workspace an org-wide token acts in. Bolt's per-request client
# sends it with every call (slack_sdk's WebClient(team_id=...) default parameter).
GLOBAL_PARAMETERS: frozenset[str] = frozenset({"team_id"})


class SpecNotFoundError(FileNotFoundError):
    """Raised when Slack's OpenAPI spec cannot be located."""


@dataclass(frozen=True)
class _Operation:
    verbs: frozenset[str]
    parameters: frozenset[str]
    required: frozenset[str]


# Methods Slack added after the published OpenAPI spec was generated, described as the spec
# would describe them. Only the ones the bot uses are listed, each with the reason.
EXTRA_OPERATIONS: Mapping[str, _Operation] = {
    # Socket Mode (2021): POST with the app-level token in the Authorization header, no
    # arguments (https://api.slack.com/methods/apps.connections.open).
    "apps.connections.open": _Operation(frozenset({"POST"}), frozenset({"token"}), frozenset({"token"})),
}


def find_spec(start: str | os.PathLike[str] | None = None) -> Path:
    """Locate Slack's OpenAPI spec.

    ``FAKE_SLACK_SPEC`` wins when set; otherwise each ancestor of ``start`` (default: this
    file) is searched for ``shared/slack/web-api-openapi-v2.json``, and failing that the
    trimmed copy shipped in ``fakes/slack/spec/`` is used.

    Raises:
        SpecNotFoundError: if no spec file is found.
    """
    env = os.environ.get(SPEC_ENV)
    if env:
        path = Path(env)
        if not path.is_file():
            raise SpecNotFoundError(f"{SPEC_ENV}={env} does not name a file")
        return path
    origin = Path(start) if start is not None else Path(__file__)
    for directory in origin.resolve().parents:
        candidate = directory / SPEC_RELATIVE_PATH
        if candidate.is_file():
            return candidate
    # A fresh clone has no full spec beside it: the part the fake implements ships with it.
    if VENDORED_SPEC.is_file():
        return VENDORED_SPEC
    raise SpecNotFoundError(
        f"Slack's OpenAPI spec was not found: looked for {SPEC_RELATIVE_PATH} above "
        f"{origin.resolve().parent}; pass spec_path= or set {SPEC_ENV}"
    )


@lru_cache(maxsize=4)
def _load_operations(path: str) -> dict[str, _Operation]:
    with open(path, encoding="utf-8") as handle:
        spec = json.load(handle)
    if spec.get("swagger") != "2.0" or "paths" not in spec:
        raise ValueError(f"{path} is not a Swagger 2.0 document")
    operations: dict[str, _Operation] = {}
    for route, item in spec["paths"].items():
        verbs: set[str] = set()
        names: set[str] = set()
        required: set[str] = set()
        for verb, operation in item.items():
            if verb.lower() not in {"get", "post", "put", "delete", "patch"}:
                continue
            verbs.add(verb.upper())
            for parameter in operation.get("parameters", []):
                names.add(parameter["name"])
                if parameter.get("required"):
                    required.add(parameter["name"])
        operations[route.lstrip("/")] = _Operation(frozenset(verbs), frozenset(names), frozenset(required))
    return operations
