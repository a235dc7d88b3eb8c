"""The dashboard's "Scene groups" panel in headless Chromium: a scene group made and changed
through the client shows with its template, dedup key, members, admins, mutes and status."""

from __future__ import annotations

import asyncio

from selenium import webdriver
from selenium.webdriver.common.by import By

from dingtalk_im_async import (
    CreateSceneGroupRequest,
    DingTalkClient,
    MuteSceneGroupMembersRequest,
    MuteStatus,
)

from .conftest import EmulatorProcess
from .test_dashboard import open_dashboard, text_of, wait_for


async def _make(emulator: EmulatorProcess) -> str:
    async with DingTalkClient(
        app_key=emulator.app_key,
        app_secret=emulator.app_secret,
        base_url=emulator.base_url,
        rate_limit=None,
    ) as client:
        made = await client.scene_groups.create(
            CreateSceneGroupRequest(
                title="发布群",
                template_id="tpl-release",
                owner_user_id="manager4220",
                user_ids=["u1", "u2"],
                subadmin_ids=["u1"],
                uuid="release-1",
            )
        )
        cid = made.open_conversation_id
        mute = MuteSceneGroupMembersRequest(
            open_conversation_id=cid,
            user_id_list=["u2"],
            mute_status=MuteStatus.MUTED,
            mute_duration=600_000,
        )
        await client.scene_groups.mute_members(mute)
        await client.scene_groups.disband(cid)
        return cid


def test_a_scene_group_shows_in_its_panel(
    driver: webdriver.Chrome, emulator: EmulatorProcess
) -> None:
    open_dashboard(driver, emulator)
    assert "No scene groups yet." in text_of(driver, "#scene-groups")
    cid = asyncio.run(_make(emulator))
    selector = f'#scene-groups details[data-id="{cid}"]'
    wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, selector), "no scene group shown")
    details = driver.find_element(By.CSS_SELECTOR, selector)
    assert "(3 members, disbanded)" in details.find_element(By.TAG_NAME, "summary").text
    details.find_element(By.TAG_NAME, "summary").click()
    shown = {
        name: details.find_element(By.CSS_SELECTOR, f".{name}").text
        for name in ("template", "uuid", "admins", "members", "muted-members")
    }
    assert shown == {
        "template": "tpl-release",
        "uuid": "release-1",
        "admins": "u1",
        "members": "manager4220, u1, u2",
        "muted-members": "u2",
    }
