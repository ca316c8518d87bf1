"""Who and where: ``auth.test``, ``users.info``, ``conversations.open`` and ``conversations.info``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from fakes.slack.common import _ApiError, _truthy


class DirectoryMixin:
    """auth.test, users.info and the conversations.open/info methods."""

    # Attributes are set by FakeSlack.__init__ (fake.py); this class only groups behaviour.

    def _auth_test(self, params: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "url": f"https://{self.team_domain}.slack.com/",
            "team": self.team_name,
            "user": self.bot_name,
            "team_id": self.team_id,
            "user_id": self.bot_user_id,
            "bot_id": self.bot_id,
            "is_enterprise_install": False,
        }

    def _user_object(self, user: Mapping[str, Any], *, locale: bool) -> dict[str, Any]:
        zone = ZoneInfo(user["tz"])
        now = datetime.now(zone)
        offset = now.utcoffset()
        profile: dict[str, Any] = {
            "real_name": user["real_name"],
            "real_name_normalized": user["real_name"],
            "display_name": user["name"],
            "display_name_normalized": user["name"],
            "team": self.team_id,
            "title": "",
            "phone": "",
            "status_text": "",
            "status_emoji": "",
        }
        if user["is_bot"]:
            profile["bot_id"] = self.bot_id if user["id"] == self.bot_user_id else ""
        shown: dict[str, Any] = {
            "id": user["id"],
            "team_id": self.team_id,
            "name": user["name"],
            "deleted": False,
            "color": "9f69e7",
            "real_name": user["real_name"],
            "tz": user["tz"],
            "tz_label": now.tzname() or user["tz"],
            "tz_offset": int(offset.total_seconds()) if offset is not None else 0,
            "profile": profile,
            "is_admin": False,
            "is_owner": False,
            "is_primary_owner": False,
            "is_restricted": False,
            "is_ultra_restricted": False,
            "is_bot": user["is_bot"],
            "is_app_user": False,
            "updated": user["updated"],
        }
        if locale:
            shown["locale"] = user["locale"]
        return shown

    def _users_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        user = self._users.get(params.get("user") or "")
        if user is None:
            raise _ApiError("user_not_found")
        return {"user": self._user_object(user, locale=_truthy(params.get("include_locale")))}

    def _conversations_open(self, params: Mapping[str, Any]) -> dict[str, Any]:
        users = params.get("users")
        if users:
            ids = [u.strip() for u in str(users).split(",") if u.strip()]
            if len(ids) != 1:
                raise _ApiError(
                    "method_not_supported_for_channel_type",
                    "the fake opens 1:1 DMs only (one user id in `users`)",
                )
            if ids[0] not in self._users:
                raise _ApiError("user_not_found")
            channel = self.dm_channel_id(ids[0])
        elif params.get("channel"):
            channel = self._resolve_conversation(params["channel"])
        else:
            raise _ApiError("users_list_not_supplied")
        already_open = channel in self._opened_dms
        self._opened_dms.add(channel)
        shown: dict[str, Any] = {"id": channel}
        if _truthy(params.get("return_im", False)) and channel.startswith("D"):
            shown = self._dm_object(channel, locale=False)
        return {"no_op": already_open, "already_open": already_open, "channel": shown}

    def _dm_object(self, channel: str, *, locale: bool) -> dict[str, Any]:
        user = self._users[channel[1:]]
        shown: dict[str, Any] = {
            "id": channel,
            "created": user["updated"],
            "is_archived": False,
            "is_im": True,
            "is_org_shared": False,
            "context_team_id": self.team_id,
            "updated": user["updated"],
            "user": user["id"],
            "is_user_deleted": False,
            "priority": 0,
            "is_open": True,
        }
        if locale:
            shown["locale"] = user["locale"]
        return shown

    def _conversations_info(self, params: Mapping[str, Any]) -> dict[str, Any]:
        channel = self._resolve_conversation(params.get("channel"))
        locale = _truthy(params.get("include_locale", False))
        if channel.startswith("D"):
            return {"channel": self._dm_object(channel, locale=locale)}
        info = self._channels[channel]
        private = channel.startswith("G")
        shown: dict[str, Any] = {
            "id": channel,
            "name": info["name"],
            "is_channel": not private,
            "is_group": private,
            "is_im": False,
            "is_mpim": False,
            "is_private": private,
            "created": info["created"],
            "is_archived": False,
            "is_general": False,
            "unlinked": 0,
            "name_normalized": info["name"],
            "is_shared": False,
            "is_org_shared": False,
            "is_ext_shared": False,
            "is_pending_ext_shared": False,
            "is_member": True,
            "creator": "",
            "topic": {"value": "", "creator": "", "last_set": 0},
            "purpose": {"value": "", "creator": "", "last_set": 0},
        }
        if locale:
            shown["locale"] = "en-US"
        if _truthy(params.get("include_num_members", False)):
            shown["num_members"] = len(self._users)
        return {"channel": shown}
