"""`dingtalk-im group ...` as a real process against the emulator: a group's whole life from
the command line, refusals with their verdict, bad input refused before any I/O; and the
bulk `Operation` entries for update and sub-admins."""

from __future__ import annotations

import json

import aiohttp
import pytest
from click.testing import CliRunner

from dingtalk_im_async import DingTalkClient, UpdateAdminsRequest, UpdateGroupRequest
from dingtalk_im_async._service import endpoint_of
from dingtalk_im_async._wire import from_wire, to_wire
from dingtalk_im_async.cli import main
from dingtalk_im_async.cli._operations import LIFECYCLE_OPERATIONS, SUB_ADMINS, UPDATE
from dingtalk_im_async.cli._rows import RowError, request_from_row
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.cli_subprocess import run_cli
from tests.support.lifecycle_support import (
    ADMINS_API,
    GET_API,
    UPDATE_API,
    lifecycle_service,
    new_group,
)

NO_CREDENTIALS = {
    "DINGTALK_APP_KEY": None,
    "DINGTALK_APP_SECRET": None,
    "DINGTALK_BASE_URL": None,
    "DINGTALK_OAPI_BASE_URL": None,
}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), env=NO_CREDENTIALS)
    return result.exit_code, result.output


async def test_create_update_read_back_convert_and_admins(emulator: DingTalkEmulator) -> None:
    oapi = {"DINGTALK_OAPI_BASE_URL": emulator.oapi_base_url}
    created = await run_cli(
        emulator,
        ["create-group", "--name", "项目群", "--owner", "m1", "--user", "u1", "--json"],
    )
    assert created.code == 0, created.output
    ids = json.loads(created.output)
    chatid, cid = ids["chatid"], ids["openConversationId"]

    updated = await run_cli(
        emulator,
        [
            "group", "update", chatid,
            "--name", "新名字",
            "--add-user", "u2", "--add-user", "u3",
            "--chat-banned-type", "1",
        ],
    )  # fmt: skip
    assert (updated.code, updated.output) == (0, f"updated {chatid}\n")
    assert emulator.requests[-1].body == {
        "chatid": chatid,
        "name": "新名字",
        "add_useridlist": ["u2", "u3"],
        "managementOptions": {"chatBannedType": 1},
    }

    read = await run_cli(emulator, ["group", "info", chatid, "--json"], **oapi)
    assert read.code == 0, read.output
    info = json.loads(read.output)
    assert info["name"] == "新名字"
    assert info["useridlist"] == ["m1", "u1", "u2", "u3"]
    assert (info["chatBannedType"], info["status"]) == (1, 1)

    table = await run_cli(emulator, ["group", "info", chatid], **oapi)
    assert "useridlist           m1, u1, u2, u3" in table.output

    converted = await run_cli(emulator, ["group", "convert-id", chatid])
    assert converted.output == f"{cid}\n"

    admins = await run_cli(emulator, ["group", "add-admins", cid, "--user", "u2", "--json"])
    assert json.loads(admins.output) == {"success": "true"}
    removed = await run_cli(emulator, ["group", "remove-admins", cid, "--user", "u2"])
    assert removed.output == f"u2: no longer admins of {cid}\n"
    transferred = await run_cli(emulator, ["group", "update", chatid, "--owner", "u2"])
    assert transferred.code == 0
    stored = emulator.store.by_chatid(chatid)
    assert stored is not None
    assert (stored.owner, stored.sub_admins) == ("u2", set())


async def test_a_refusal_prints_the_error_and_its_verdict(emulator: DingTalkEmulator) -> None:
    finished = await run_cli(emulator, ["group", "update", "chat404", "--name", "n"])
    assert finished.code == 1
    assert "failed: HTTP 400 invalideChatId" in finished.output
    assert "verdict: rejected (DingTalk refused it; nothing was changed)" in finished.output
    emulator.reply_next(body=b'{"success": false}', api=UPDATE_API)
    odd = await run_cli(emulator, ["group", "update", "chat404", "--name", "n"])
    assert odd.code == 1
    assert "verdict: unknown" in odd.output
    missing = await run_cli(
        emulator,
        ["group", "info", "chat404"],
        DINGTALK_OAPI_BASE_URL=emulator.oapi_base_url,
    )
    assert "failed: HTTP 200 40016: 不合法的chatid" in missing.output
    assert emulator.calls(GET_API) == 1


async def test_input_that_breaks_a_rule_is_refused_before_any_io(
    emulator: DingTalkEmulator,
) -> None:
    for args in (
        ["group", "update", "chat1"],
        ["group", "update", "chat1", "--add-user", "a", "--remove-user", "a"],
        ["group", "update", "chat1", "--name", "x" * 21],
        ["group", "add-admins", "cid1", "--user", " "],
    ):
        finished = await run_cli(emulator, args)
        assert finished.code == 2, args
        assert "invalid request:" in finished.output, args
    assert emulator.calls(UPDATE_API) + emulator.calls(ADMINS_API) == 0
    assert emulator.token_fetches == 0


def test_the_built_in_emulator_starts_empty_so_an_id_is_unknown() -> None:
    code, output = invoke("group", "info", "chat1", "--emulator")
    assert code == 1
    assert "failed: HTTP 200 40016" in output
    assert "verdict: rejected" in output
    code, output = invoke("group", "convert-id", "chat1", "--emulator")
    assert (code, "invalideChatId" in output) == (1, True)


def test_without_credentials_it_says_what_to_set() -> None:
    code, output = invoke("group", "update", "chat1", "--name", "n")
    assert code == 2
    assert "DINGTALK_APP_KEY" in output


def test_a_bad_oapi_host_is_a_usage_error() -> None:
    code, output = invoke(
        "group", "info", "chat1", "--app-key", "k", "--app-secret", "s",
        "--oapi-base-url", "ftp://example.com",
    )  # fmt: skip
    assert code == 2
    assert "--oapi-base-url" in output


async def test_the_bulk_operations_structure_rows_and_call_their_method(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """What the generic `bulk --operation` does with each row, done here by hand."""
    group = await new_group(lifecycle_service(emulator, session), members=["alice"])
    update_row = {"chatid": group.chatid, "add_useridlist": ["bob", "carol"], "name": "改名"}
    admins_row = {"openConversationId": group.open_conversation_id, "userIds": ["bob"], "role": 2}
    async with DingTalkClient(
        app_key=emulator.app_key, app_secret=emulator.app_secret, base_url=emulator.base_url
    ) as client:
        update_request = from_wire(UPDATE.request_type, update_row)
        assert isinstance(update_request, UpdateGroupRequest)
        assert UPDATE.label(update_request) == group.chatid
        assert to_wire(await UPDATE.method(client)(update_request)) == {"success": True}
        admins_request = from_wire(SUB_ADMINS.request_type, admins_row)
        assert isinstance(admins_request, UpdateAdminsRequest)
        assert SUB_ADMINS.label(admins_request) == group.open_conversation_id
        assert to_wire(await SUB_ADMINS.method(client)(admins_request)) == {"success": "true"}
        for operation in LIFECYCLE_OPERATIONS:
            endpoint = endpoint_of(operation.method(client))
            assert endpoint is not None, operation.name
            assert endpoint.repeat_safe, operation.name
    stored = emulator.store.by_chatid(group.chatid)
    assert stored is not None
    assert (stored.name, stored.members, stored.sub_admins) == (
        "改名",
        ["manager4220", "alice", "bob", "carol"],
        {"bob"},
    )
    assert [operation.name for operation in LIFECYCLE_OPERATIONS] == ["update", "sub-admins"]


def test_csv_and_json_rows_become_lifecycle_requests() -> None:
    """What `bulk --operation update|sub-admins` reads: a CSV row of text cells (lists split
    on the separator, settings one column each, an empty cell not set) or a JSON object."""
    update = request_from_row(
        UPDATE.request_type,
        {"chatid": "chat1", "add_useridlist": "a; b ;c", "name": "", "chatBannedType": "1"},
        separator=";",
    )
    assert to_wire(update) == {
        "chatid": "chat1",
        "add_useridlist": ["a", "b", "c"],
        "managementOptions": {"chatBannedType": 1},
    }
    admins = request_from_row(
        SUB_ADMINS.request_type,
        {"open_conversation_id": "cid+/=", "user_ids": "a|b", "role": "3"},
        separator="|",
    )
    assert to_wire(admins) == {"openConversationId": "cid+/=", "userIds": ["a", "b"], "role": 3}
    from_json = request_from_row(UPDATE.request_type, {"chatid": "c", "del_useridlist": ["x"]})
    assert from_json.del_useridlist == ("x",)
    for row, reason in [
        ({"chatid": "chat1"}, "changes nothing"),
        ({"chatid": "c", "add_useridlist": "a", "del_useridlist": "a"}, "also in add_useridlist"),
        ({"chatid": "c", "name": "x" * 21}, "1 to 20 characters"),
    ]:
        with pytest.raises(RowError, match=reason):
            request_from_row(UPDATE.request_type, row, separator=";")
    with pytest.raises(RowError, match="role"):
        request_from_row(
            SUB_ADMINS.request_type,
            {"openConversationId": "cid", "userIds": "a", "role": "4"},
            separator=";",
        )
