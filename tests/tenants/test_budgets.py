"""Each organisation's calls count against its own monthly budget (scope
`<suite_key>:<corp_id>`): one organisation spending its budget stops only its own calls."""

from __future__ import annotations

import pytest

from dingtalk_im_async import (
    BudgetSpentError,
    CreateSceneGroupRequest,
    MemoryBudget,
    SuiteClient,
    Verdict,
)
from dingtalk_im_async.emulator import DingTalkEmulator

from .conftest import CORP_A, CORP_B, SECRET, SUITE, TEMPLATE, fed_store


def scene_group(title: str) -> CreateSceneGroupRequest:
    return CreateSceneGroupRequest(title=title, template_id=TEMPLATE, owner_user_id="boss")


@pytest.mark.parametrize("given", ["setting", "budget"])
async def test_each_organisation_has_a_budget_of_its_own(
    tenants: DingTalkEmulator, given: str
) -> None:
    chosen: dict[str, object] = (
        {"call_budget": 2} if given == "setting" else {"budget": MemoryBudget(2)}
    )
    async with SuiteClient(
        suite_key=SUITE,
        suite_secret=SECRET,
        tickets=await fed_store(tenants),
        base_url=tenants.base_url,
        allow_http=True,
        **chosen,
    ) as suite:
        a = suite.for_corp(CORP_A)
        for number in range(2):
            await a.scene_groups.create(scene_group(f"a{number}"))
        with pytest.raises(BudgetSpentError) as caught:
            await a.scene_groups.create(scene_group("a-too-many"))
        assert caught.value.verdict is Verdict.NOT_SENT
        assert a._transport.budget is not None
        assert a._transport.budget.scope == f"{SUITE}:{CORP_A}"
        await suite.for_corp(CORP_B).scene_groups.create(scene_group("b"))  # its own budget
    report = await tenants.get_tenants()
    calls = {org.corp_id: org.calls for org in report.organisations}
    assert calls[CORP_A] == 2
    assert calls[CORP_B] == 1
