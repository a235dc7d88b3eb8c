"""Each organisation's calls are paced under their own key, as DingTalk counts a third-party
app's calls: per suite, organisation and API (`QpsLimitForSuitekeyAndOrgAndApi`)."""

from __future__ import annotations

from dingtalk_im_async import CreateSceneGroupRequest, RedisPacer, SuiteClient
from dingtalk_im_async.emulator import DingTalkEmulator

from .conftest import CORP_A, CORP_B, SECRET, SUITE, TEMPLATE, fed_store


class KeysSeen:
    """A pacer that lets every call go at once and keeps the keys it was asked for."""

    def __init__(self) -> None:
        self.keys: list[str] = []

    async def wait(self, api: str) -> None:
        self.keys.append(api)


async def test_each_organisation_is_paced_under_its_own_key(tenants: DingTalkEmulator) -> None:
    seen = KeysSeen()
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
        pacer=seen,
    ) as suite:
        for corp in (CORP_A, CORP_B):
            await suite.for_corp(corp).scene_groups.create(
                CreateSceneGroupRequest(title=corp, template_id=TEMPLATE, owner_user_id="boss")
            )
    assert seen.keys == [f"{CORP_A}:im.sceneGroup.create", f"{CORP_B}:im.sceneGroup.create"]


async def test_a_fleet_pacer_keys_suite_organisation_and_api(redis_url: str) -> None:
    async with RedisPacer.from_url(redis_url, rate=20, app_key=SUITE) as pacer:
        key = pacer.key_for(f"{CORP_A}:im.sceneGroup.create")
    assert key == f"dingtalk-im-async:pace:{SUITE}:{CORP_A}:im.sceneGroup.create"
