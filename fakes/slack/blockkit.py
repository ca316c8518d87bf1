"""Block Kit's rules, as Slack enforces them on messages and views (``slack_sdk.models`` plus the
surface limits)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCK_LIMIT = 50
VIEW_BLOCK_LIMIT = 100
TEXT_LIMIT = 40_000
MODAL_TITLE_LIMIT = 24


def _dropped_fields(source: Any, parsed: Any, path: str) -> list[str]:
    """Fields present in ``source`` that slack_sdk's models did not keep (unknown/empty)."""
    problems: list[str] = []
    if isinstance(source, dict) and isinstance(parsed, dict):
        for key, value in source.items():
            if key not in parsed:
                if value is not None:
                    problems.append(f"{path}.{key} is not a supported (non-empty) field")
            else:
                problems.extend(_dropped_fields(value, parsed[key], f"{path}.{key}"))
    elif isinstance(source, list) and isinstance(parsed, list):
        for index, (item, kept) in enumerate(zip(source, parsed, strict=False)):
            if kept is None and item is not None:
                kind = item.get("type") if isinstance(item, dict) else type(item).__name__
                problems.append(f"{path}[{index}] has an unknown element type {kind!r}")
            else:
                problems.extend(_dropped_fields(item, kept, f"{path}[{index}]"))
    return problems


def _action_ids(node: Any) -> Iterable[str]:
    if isinstance(node, dict):
        if isinstance(node.get("action_id"), str):
            yield node["action_id"]
        for value in node.values():
            yield from _action_ids(value)
    elif isinstance(node, list):
        for value in node:
            yield from _action_ids(value)


def block_problems(
    blocks: Any, *, limit: int, path: str = "blocks", action_id_scope: str = "block"
) -> list[str]:
    """Block Kit problems in a list of blocks (empty when valid).

    Each block is parsed with ``slack_sdk.models.blocks.Block.parse`` and validated
    recursively; fields the models drop (unknown or empty) are reported, as Slack rejects
    them. Also checked: the block count limit, ``block_id`` unique across the surface, and
    ``action_id`` unique within its block (Slack's documented rule: "unique among all
    other action_ids in the containing block") or, with ``action_id_scope="surface"``,
    across the whole message or view.
    """
    if action_id_scope not in {"block", "surface"}:
        raise ValueError(f"action_id_scope must be 'block' or 'surface', not {action_id_scope!r}")
    if not isinstance(blocks, list):
        return [f"{path} must be an array of blocks, got {type(blocks).__name__}"]
    problems: list[str] = []
    if len(blocks) > limit:
        problems.append(f"{path} has {len(blocks)} blocks; the limit is {limit}")
    block_ids: set[str] = set()
    action_ids: set[str] = set()
    for index, block in enumerate(blocks):
        where = f"{path}[{index}]"
        if not isinstance(block, dict):
            problems.append(f"{where} must be an object")
            continue
        kind = block.get("type")
        try:
            parsed = Block.parse(block)
            if parsed is None:
                problems.append(f"{where} has an unknown block type {kind!r}")
                continue
            parsed.validate_json()
            as_dict = parsed.to_dict()
        except Exception as exc:  # slack_sdk raises several types on malformed input
            problems.append(f"{where} ({kind}): {exc}")
            continue
        problems.extend(_dropped_fields(block, as_dict, where))
        block_id = block.get("block_id")
        if isinstance(block_id, str):
            if block_id in block_ids:
                problems.append(f"{where}: duplicate block_id {block_id!r}")
            block_ids.add(block_id)
        if action_id_scope == "block":
            action_ids = set()
        for action_id in _action_ids(block):
            if action_id in action_ids:
                problems.append(f"{where}: duplicate action_id {action_id!r}")
            action_ids.add(action_id)
    return problems


def view_problems(view: Any, *, allowed_types: Iterable[str], action_id_scope: str = "block") -> list[str]:
    """Problems in a ``view`` object for ``views.*`` (empty when valid)."""
    if not isinstance(view, dict):
        return [f"view must be an object, got {type(view).__name__}"]
    allowed = tuple(allowed_types)
    problems: list[str] = []
    kind = view.get("type")
    if kind not in allowed:
        problems.append(f"view.type must be {' or '.join(allowed)}, got {kind!r}")
    if "blocks" not in view:
        problems.append("view.blocks is required")
    else:
        problems.extend(
            block_problems(
                view["blocks"],
                limit=VIEW_BLOCK_LIMIT,
                path="view.blocks",
                action_id_scope=action_id_scope,
            )
        )
    try:
        parsed = View(**view)
        parsed.validate_json()
        as_dict = parsed.to_dict()
    except Exception as exc:
        problems.append(f"view: {exc}")
    else:
        # Slack itself shows these as "" on views it returns; slack_sdk drops empty strings.
        blank_ok = {"private_metadata", "external_id", "callback_id"}
        shallow = {
            key: value
            for key, value in view.items()
            if key != "blocks" and not (key in blank_ok and value == "")
        }
        problems.extend(_dropped_fields(shallow, as_dict, "view"))
    if kind == "modal":
        title = view.get("title")
        text = title.get("text") if isinstance(title, dict) else None
        if not isinstance(text, str) or not text:
            problems.append("a modal needs a plain_text title")
        elif len(text) > MODAL_TITLE_LIMIT:
            problems.append(f"modal title is {len(text)} characters; the limit is 24")
        has_input = any(
            isinstance(block, dict) and block.get("type") == "input" for block in view.get("blocks") or []
        )
        if has_input and not view.get("submit"):
            problems.append("a modal with input blocks needs a submit button")
    return list(dict.fromkeys(problems))


def message_problems(
    params: Mapping[str, Any], *, action_id_scope: str = "block"
) -> tuple[str | None, list[str], list[str]]:
    """Check the content of a message-like payload.

    Returns ``(error, problems, warnings)``: the Slack error to answer (or None), the
    problems behind it, and problems Slack only warns about (a missing text fallback).
    """
    text = params.get("text")
    if text is not None and not isinstance(text, str):
        return "invalid_arguments", ["text must be a string"], []
    if isinstance(text, str) and len(text) > TEXT_LIMIT:
        return "msg_too_long", [f"text is {len(text)} characters; the limit is {TEXT_LIMIT}"], []
    blocks = params.get("blocks")
    if blocks is None:
        return None, [], []
    warnings: list[str] = []
    if blocks and not (isinstance(text, str) and text.strip()):
        warnings.append("blocks were sent without a top-level text fallback")
    problems = block_problems(blocks, limit=MESSAGE_BLOCK_LIMIT, action_id_scope=action_id_scope)
    return ("invalid_blocks" if problems else None), problems, warnings
