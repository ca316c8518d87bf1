"""Write the part of Slack's published Web API spec that the fake implements.

The sandbox must run from a fresh clone, which does not have the full 1 MB spec beside it.
Run this after adding a method to the fake, with the full spec at hand:

    python -m fakes.slack.spec.trim path/to/web-api-openapi-v2.json

Only each method's verbs and parameters are kept (what the fake checks calls against); the
spec is MIT-licensed by Slack (LICENSE-slack-api-specs).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

SUBSET = Path(__file__).resolve().parent / "web-api-openapi-v2.subset.json"
_VERBS = ("get", "post")
_PARAMETER_FIELDS = ("name", "in", "required", "type", "description")


def trim(spec: dict[str, Any], methods: set[str]) -> dict[str, Any]:
    """The spec reduced to ``methods``, each with its verbs and parameters."""
    paths: dict[str, Any] = {}
    for route, item in sorted(spec["paths"].items()):
        if route.lstrip("/") not in methods:
            continue
        paths[route] = {
            verb: {
                "operationId": operation.get("operationId", ""),
                "parameters": [
                    {key: parameter[key] for key in _PARAMETER_FIELDS if key in parameter}
                    for parameter in operation.get("parameters", [])
                ],
            }
            for verb, operation in item.items()
            if verb in _VERBS
        }
    return {
        "swagger": spec["swagger"],
        "info": {**spec.get("info", {}), "description": "The methods Dialogbot's fake Slack implements, "
                 "trimmed from Slack's published Web API spec by fakes/slack/spec/trim.py."},
        "basePath": spec.get("basePath", "/api"),
        "paths": paths,
    }


def main(argv: list[str]) -> int:
    from fakes.slack import FakeSlack

    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    spec = json.loads(Path(argv[0]).read_text(encoding="utf-8"))
    subset = trim(spec, set(FakeSlack.implemented_methods()))
    SUBSET.write_text(json.dumps(subset, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {SUBSET} ({len(subset['paths'])} methods)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
