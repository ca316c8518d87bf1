"""Modals and the Home tab: ``views.open``/``push``/``update``/``publish``, triggers, and the modal
stacks the sandbox's page shows."""

from __future__ import annotations

import copy
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from fakes.slack.blockkit import view_problems
from fakes.slack.common import _ApiError


class ViewsMixin:
    """The views.* methods and the modal state behind them."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    def issue_trigger(self, user_id: str) -> str:
        """A fresh trigger id for an interaction by ``user_id``: a modal opened or pushed with
        it belongs to that person (see :meth:`modal`)."""
        with self._lock:
            trigger_id = f"{int(self._clock())}{self._next_serial():04d}.{uuid.uuid4().hex}"
            self._remember(self._trigger_users, trigger_id, user_id)
            return trigger_id

    def modal(self, user_id: str) -> dict[str, Any] | None:
        """The modal ``user_id`` sees now (the top of their stack), if any."""
        with self._lock:
            stack = self._modal_stacks.get(user_id) or []
            return copy.deepcopy(self._views[stack[-1]]) if stack else None

    def view_owner(self, view_id: str) -> str | None:
        """Who a modal was opened for (via :meth:`issue_trigger`), or whose home tab it is."""
        with self._lock:
            owner = self._view_users.get(view_id)
            if owner is None:
                owner = next((u for u, v in self._home_views.items() if v == view_id), None)
            return owner

    def set_view_state(self, view_id: str, values: Mapping[str, Any]) -> dict[str, Any]:
        """Record what was entered in a view (``state.values``, Slack's shape); returns the view."""
        with self._lock:
            view = self._views.get(view_id)
            if view is None:
                raise KeyError(view_id)
            view["state"] = {"values": copy.deepcopy(dict(values))}
            return copy.deepcopy(view)

    def close_modal(self, user_id: str, view_id: str | None = None, *, all_views: bool = False) -> None:
        """Take ``view_id`` (default: the top one), or the whole stack, off ``user_id``'s screen."""
        with self._lock:
            stack = self._modal_stacks.get(user_id) or []
            if all_views:
                closed = list(stack)
                stack.clear()
            elif stack and (view_id is None or stack[-1] == view_id):
                closed = [stack.pop()]
            elif view_id in stack:
                stack.remove(view_id)
                closed = [view_id]
            else:
                closed = []
            for gone in closed:
                # A closed modal can no longer be updated or submitted; forget it.
                view = self._views.pop(gone, None)
                self._view_users.pop(gone, None)
                if view and view.get("external_id"):
                    self._external_ids.pop(view["external_id"], None)
            self._bump()

    def replace_modal(
        self, user_id: str, view_id: str, view: Mapping[str, Any], *, push: bool = False
    ) -> str:
        """Apply a ``response_action`` of ``update`` (replace ``view_id``) or ``push`` (a new view
        on top) from a submission's acknowledgement; returns the id of the view now shown.

        Raises:
            KeyError: ``view_id`` is not open.
            ValueError: Slack would refuse ``view`` (also recorded as a violation).
        """
        with self._lock:
            current = self._views.get(view_id)
            if current is None:
                raise KeyError(view_id)
            try:
                checked = self._check_view("view_submission ack", dict(view), ("modal",))
            except _ApiError as exc:
                raise ValueError("; ".join(exc.messages) or exc.error) from None
            stack = self._modal_stacks.setdefault(user_id, [])
            if push:
                new_id = self._new_id("V")
                shown = self._view_object(checked, view_id=new_id, root_view_id=current["root_view_id"],
                                          previous_view_id=view_id)
                stack.append(new_id)
            else:
                new_id = view_id
                shown = self._view_object(checked, view_id=view_id, root_view_id=current["root_view_id"],
                                          previous_view_id=current["previous_view_id"])
            self._store_view(shown)
            self._view_users[new_id] = user_id
            self._bump()
            return new_id

    def _view_object(
        self,
        view: dict[str, Any],
        *,
        view_id: str,
        root_view_id: str | None,
        previous_view_id: str | None,
    ) -> dict[str, Any]:
        return {
            "id": view_id,
            "team_id": self.team_id,
            "type": view.get("type"),
            "blocks": copy.deepcopy(view.get("blocks") or []),
            "private_metadata": view.get("private_metadata", ""),
            "callback_id": view.get("callback_id", ""),
            "state": {"values": {}},
            "hash": self._new_hash(),
            "title": copy.deepcopy(view.get("title")),
            "clear_on_close": bool(view.get("clear_on_close", False)),
            "notify_on_close": bool(view.get("notify_on_close", False)),
            "close": copy.deepcopy(view.get("close")),
            "submit": copy.deepcopy(view.get("submit")),
            "previous_view_id": previous_view_id,
            "root_view_id": root_view_id or view_id,
            "app_id": self.app_id,
            "external_id": view.get("external_id", ""),
            "app_installed_team_id": self.team_id,
            "bot_id": self.bot_id,
        }

    def _check_view(self, method: str, view: Any, allowed_types: Iterable[str]) -> dict[str, Any]:
        problems = view_problems(view, allowed_types=allowed_types, action_id_scope=self.action_id_scope)
        if problems:
            for problem in problems:
                self._violate(method, problem)
            raise _ApiError("invalid_arguments", messages=[f"[ERROR] {p}" for p in problems])
        assert isinstance(view, dict)
        return view

    def _use_trigger(self, trigger_id: Any) -> str | None:
        """Spend a trigger id; returns whose it is, when it came from :meth:`issue_trigger`."""
        if not isinstance(trigger_id, str) or not trigger_id:
            raise _ApiError("invalid_trigger_id", "trigger_id is missing or empty")
        if trigger_id in self._used_triggers:
            raise _ApiError("exchanged_trigger_id", f"trigger_id {trigger_id} was already used")
        self._used_triggers.add(trigger_id)
        return self._trigger_users.pop(trigger_id, None)

    def _store_view(self, view: dict[str, Any]) -> None:
        self._views[view["id"]] = view
        if view["external_id"]:
            self._external_ids[view["external_id"]] = view["id"]

    # -- Web API methods ----------------------------------------------------------------

    def _views_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view = self._check_view("views.open", params.get("view"), ("modal",))
        owner = self._use_trigger(params.get("trigger_id"))
        external_id = view.get("external_id")
        if external_id and external_id in self._external_ids:
            raise _ApiError("duplicate_external_id")
        view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=None, previous_view_id=None)
        self._store_view(shown)
        self._opened.append(copy.deepcopy(shown))
        self._trim(self._opened)
        if owner is not None:
            # A new modal from a message or command replaces whatever that person had open.
            self._modal_stacks[owner] = [view_id]
            self._view_users[view_id] = owner
        return {"view": copy.deepcopy(shown)}

    def _views_push(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view = self._check_view("views.push", params.get("view"), ("modal",))
        owner = self._use_trigger(params.get("trigger_id"))
        stack = self._modal_stacks.get(owner, []) if owner is not None else []
        if stack:
            root, previous = self._views[stack[0]]["root_view_id"], stack[-1]
        else:
            root = previous = self._opened[-1]["id"] if self._opened else None
        view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=root, previous_view_id=previous)
        self._store_view(shown)
        if owner is not None:
            self._modal_stacks.setdefault(owner, []).append(view_id)
            self._view_users[view_id] = owner
        return {"view": copy.deepcopy(shown)}

    def _views_update(self, params: Mapping[str, Any]) -> dict[str, Any]:
        view_id = params.get("view_id")
        external_id = params.get("external_id")
        if not view_id and not external_id:
            raise _ApiError("invalid_arguments", "views.update needs view_id or external_id")
        if not view_id:
            view_id = self._external_ids.get(external_id)
        current = self._views.get(view_id) if view_id else None
        if current is None:
            raise _ApiError("not_found")
        if "view" not in params:
            raise _ApiError("invalid_arguments", "views.update needs a view")
        view = self._check_view("views.update", params["view"], (current["type"],))
        expected = params.get("hash")
        if expected and expected != current["hash"]:
            raise _ApiError("hash_conflict")
        shown = self._view_object(
            view,
            view_id=current["id"],
            root_view_id=current["root_view_id"],
            previous_view_id=current["previous_view_id"],
        )
        if not shown["external_id"]:
            shown["external_id"] = current["external_id"]
        self._store_view(shown)
        return {"view": copy.deepcopy(shown)}

    def _views_publish(self, params: Mapping[str, Any]) -> dict[str, Any]:
        user_id = params.get("user_id")
        if user_id not in self._users:
            raise _ApiError("user_not_found")
        view = self._check_view("views.publish", params.get("view"), ("home",))
        view_id = self._home_views.get(user_id)
        if view_id:
            expected = params.get("hash")
            if expected and expected != self._views[view_id]["hash"]:
                raise _ApiError("hash_conflict")
        else:
            view_id = self._new_id("V")
        shown = self._view_object(view, view_id=view_id, root_view_id=None, previous_view_id=None)
        self._store_view(shown)
        self._home_views[user_id] = view_id
        return {"view": copy.deepcopy(shown)}
