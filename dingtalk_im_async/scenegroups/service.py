"""`SceneGroupService`: the scene-group API, one line per endpoint over the shared transport."""

from __future__ import annotations

from collections.abc import AsyncIterator

import attrs

from .._core.service import ServiceBase
from .api import (
    ADD_SCENE_GROUP_MEMBERS,
    CREATE_SCENE_GROUP,
    DISBAND_SCENE_GROUP,
    GET_SCENE_GROUP,
    MUTE_SCENE_GROUP_MEMBERS,
    QUERY_SCENE_GROUP_MEMBERS,
    REMOVE_SCENE_GROUP_MEMBERS,
    SCENE_GROUP_ADMINS,
    SCENE_GROUP_MUTE_SETTINGS,
    SCENE_GROUP_NICKS,
    SCENE_GROUP_TEMPLATE_ROBOT,
    UPDATE_SCENE_GROUP,
)
from .member_models import (
    MEMBERS_PAGE_MAX,
    MuteSceneGroupMembersRequest,
    MuteSceneGroupMembersResult,
    SceneGroupMembersPage,
    SceneGroupMembersQuery,
    SceneGroupMuteQuery,
    SceneGroupMuteSettings,
    SceneGroupNickRequest,
    SceneGroupNickResult,
    SceneGroupRobot,
    TemplateRobotQuery,
    UpdateSceneGroupAdminsRequest,
    UpdateSceneGroupAdminsResult,
)
from .models import (
    CreateSceneGroupRequest,
    CreateSceneGroupResult,
    DisbandSceneGroupRequest,
    DisbandSceneGroupResult,
    GetSceneGroupRequest,
    SceneGroupInfo,
    SceneGroupMembersRequest,
    SceneGroupMembersResult,
    UpdateSceneGroupRequest,
    UpdateSceneGroupResult,
)

__all__ = ["SceneGroupService"]


class SceneGroupService(ServiceBase):
    """DingTalk's scene-group API (场景群: groups made from a group template) over a
    caller-owned `aiohttp.ClientSession`, or `DingTalkClient.scene_groups`.

    Every method names the group by its openConversationId. Scene groups are
    the group API a third-party app may call (all but `mute_members`,
    `mute_settings` and `disband`, which DingTalk documents for internal apps
    only), and the only one with a paginated member list and a disband.
    `create` is safe to repeat when its request carries a `uuid`, DingTalk's
    dedup key; a bulk run (`DingTalkClient.many`) gives every input one.
    """

    def __repr__(self) -> str:
        return f"SceneGroupService(base_url={self.base_url!r})"

    async def create(self, request: CreateSceneGroupRequest) -> CreateSceneGroupResult:
        """Create a group from a template (`POST /v1.0/im/sceneGroup/create`).

        Safe to repeat only with a `uuid`: DingTalk makes one group per key. Without
        one, an error whose `verdict` is `UNKNOWN` means the group may exist.
        """
        return await self._transport.call(CREATE_SCENE_GROUP, request)

    async def update(self, request: UpdateSceneGroupRequest) -> UpdateSceneGroupResult:
        """Change the group's title, icon, owner or settings (`POST
        /v1.0/im/sceneGroup/update`); unset fields are left as they are. Safe to repeat."""
        return await self._transport.call(UPDATE_SCENE_GROUP, request)

    async def add_members(self, request: SceneGroupMembersRequest) -> SceneGroupMembersResult:
        """Add people to the group (`POST /v1.0/im/sceneGroup/member/add`); a group holds at
        most 1,000. Safe to repeat."""
        return await self._transport.call(ADD_SCENE_GROUP_MEMBERS, request)

    async def remove_members(self, request: SceneGroupMembersRequest) -> SceneGroupMembersResult:
        """Remove people from the group (`POST /v1.0/im/sceneGroup/member/delete`). Safe to
        repeat."""
        return await self._transport.call(REMOVE_SCENE_GROUP_MEMBERS, request)

    async def members_page(self, query: SceneGroupMembersQuery) -> SceneGroupMembersPage:
        """One page of the group's members (`POST /v1.0/im/sceneGroups/members/batchQuery`);
        `members()` walks them all."""
        return await self._transport.call(QUERY_SCENE_GROUP_MEMBERS, query)

    async def members(
        self,
        open_conversation_id: str,
        *,
        page_size: int = MEMBERS_PAGE_MAX,
        cool_app_code: str | None = None,
    ) -> AsyncIterator[SceneGroupMembersPage]:
        """The group's members, page by page (`page_size` per page, at most 1,000):

            members = [
                user
                async for page in client.scene_groups.members(cid)
                for user in page.member_user_ids
            ]

        Args:
            open_conversation_id: The group.
            page_size: Members asked for per call, 1 to 1,000 (DingTalk may answer with
                more or fewer).
            cool_app_code: The group cool app's code, only for a group that installed
                the app's group cool app.
        """
        query = SceneGroupMembersQuery(
            open_conversation_id=open_conversation_id,
            max_results=page_size,
            cool_app_code=cool_app_code,
        )
        while True:
            page = await self.members_page(query)
            yield page
            if not page.has_more or not page.next_token:
                return
            query = attrs.evolve(query, next_token=page.next_token)

    async def get(
        self, open_conversation_id: str, *, cool_app_code: str | None = None
    ) -> SceneGroupInfo:
        """Read the group back (`POST /v1.0/im/sceneGroups/query`): title, owner, template,
        icon, link and status (2 once disbanded). Groups made without a template answer
        `GroupTemplateError`.

        Args:
            open_conversation_id: The group.
            cool_app_code: The group cool app's code, only for a group that installed one.
        """
        request = GetSceneGroupRequest(
            open_conversation_id=open_conversation_id, cool_app_code=cool_app_code
        )
        return await self._transport.call(GET_SCENE_GROUP, request)

    async def update_admins(
        self, request: UpdateSceneGroupAdminsRequest
    ) -> UpdateSceneGroupAdminsResult:
        """Make members admins, or plain members again, as `request.role` says (`PUT
        /v1.0/im/sceneGroups/subAdmins`). Safe to repeat."""
        return await self._transport.call(SCENE_GROUP_ADMINS, request)

    async def set_nick(self, request: SceneGroupNickRequest) -> SceneGroupNickResult:
        """Set a member's nickname in the group (`PUT
        /v1.0/im/sceneGroups/members/groupNicks`). Safe to repeat."""
        return await self._transport.call(SCENE_GROUP_NICKS, request)

    async def mute_members(
        self, request: MuteSceneGroupMembersRequest
    ) -> MuteSceneGroupMembersResult:
        """Mute members for `mute_duration` milliseconds, or lift it (`POST
        /v1.0/im/sceneGroups/muteMembers/set`; internal apps only). Safe to repeat."""
        return await self._transport.call(MUTE_SCENE_GROUP_MEMBERS, request)

    async def mute_settings(self, query: SceneGroupMuteQuery) -> SceneGroupMuteSettings:
        """Whether the group and one member are muted, and until when (`GET
        /v1.0/im/sceneGroups/muteSettings`; internal apps only)."""
        return await self._transport.call(SCENE_GROUP_MUTE_SETTINGS, query)

    async def disband(
        self, open_conversation_id: str | DisbandSceneGroupRequest
    ) -> DisbandSceneGroupResult:
        """Disband the group (`POST /v1.0/im/chat/scenegroup/disband`; internal apps only):
        DingTalk's only documented dismiss. Reading it back then shows `status` 2. Safe to
        repeat.

        Args:
            open_conversation_id: The group's id, or a `DisbandSceneGroupRequest` (as bulk
                runs give it).
        """
        request = (
            open_conversation_id
            if isinstance(open_conversation_id, DisbandSceneGroupRequest)
            else DisbandSceneGroupRequest(open_conversation_id=open_conversation_id)
        )
        return await self._transport.call(DISBAND_SCENE_GROUP, request)

    async def template_robot(self, query: TemplateRobotQuery) -> SceneGroupRobot:
        """The group template's robot as a member of the group: its userId (or unionId)
        (`GET /v1.0/im/sceneGroups/templates/robots`)."""
        return await self._transport.call(SCENE_GROUP_TEMPLATE_ROBOT, query)
