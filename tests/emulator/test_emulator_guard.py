"""The admin API and the dashboard refuse what a web page could send: foreign origins, non-JSON
state changes, foreign `Host` names (DNS rebinding); a secret given is never shown.

(The same attacks from a real page in Chromium: tests/browser/test_hostile_page.py.)
"""

from __future__ import annotations

from typing import Any

import aiohttp
import pytest

from dingtalk_im_async.emulator._admin_kit import ADMIN_PREFIX
from dingtalk_im_async.emulator._discovery import discovered_admin_routes
from dingtalk_im_async.emulator.admin import ADMIN_ROUTES
from dingtalk_im_async.testing import DingTalkEmulator, RemoteEmulator
from tests.support.emulator_process import emulator_process

EVIL = "http://evil.example"
SECRET = "r3al-looking-s3cret"
#: A suite given too, so the suite routes answer, and its secret must not show either.
SUITE_KEY, SUITE_SECRET = "suite-key-1", "r3al-looking-suite-s3cret"
#: What a readable admin route needs to answer 200.
QUERIES = {"/suite-ticket": f"?suiteKey={SUITE_KEY}"}


async def send(
    session: aiohttp.ClientSession,
    emulator: DingTalkEmulator,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    data: Any = None,
    json: Any = None,
) -> tuple[int, str]:
    url = f"{emulator.base_url}{path}"
    async with session.request(method, url, headers=headers, data=data, json=json) as reply:
        return reply.status, await reply.text()


async def state_of(emulator: DingTalkEmulator) -> tuple[int, int, int, str]:
    """Groups, faults pending, Stream pushes, tokens revoked: what the attacks would change."""
    counters = await emulator.get_counters()
    pending = sum(item.pending for item in counters.apis.values())
    token = emulator.issue_token()  # the same token while it is valid
    return len(emulator.store), pending, (await emulator.stream_stats()).pushes, token


@pytest.fixture
async def seeded(emulator: DingTalkEmulator) -> DingTalkEmulator:
    """An emulator with a group and a token (a reset or a revocation would forget them)."""
    await emulator.add_group(name="kept", owner="boss")
    emulator.issue_token()
    return emulator


# The attacks a page on another site can make without a CORS preflight.
ATTACKS = [
    ("POST", "/reset", {"Origin": EVIL}, None),
    ("POST", "/reset", {"Origin": "null"}, None),
    ("POST", "/tokens/revoke", {"Origin": EVIL, "Content-Type": "text/plain"}, "x"),
    ("POST", "/stream/messages", {"Content-Type": "text/plain"}, '{"text": "injected"}'),
    ("POST", "/faults", {"Content-Type": "application/x-www-form-urlencoded"}, "api=x&fault=slow"),
    (
        "POST",
        "/faults",
        {"Origin": EVIL, "Content-Type": "text/plain"},
        '{"api": "im.group.create", "fault": "system-error", "count": 5}',
    ),
    (
        "POST",
        "/stream/messages",
        {"Origin": EVIL, "Content-Type": "multipart/form-data; boundary=x"},
        '--x\r\nContent-Disposition: form-data; name="text"\r\n\r\nhi\r\n--x--\r\n',
    ),
    ("PATCH", "/settings", {"Origin": EVIL, "Content-Type": "application/json"}, '{"qpsLimit": 1}'),
]


@pytest.mark.parametrize(("method", "path", "headers", "body"), ATTACKS)
async def test_state_changes_a_page_could_send_are_refused(
    seeded: DingTalkEmulator,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str],
    body: str | None,
) -> None:
    before = await state_of(seeded)
    settings = seeded.settings
    status, text = await send(
        session, seeded, method, ADMIN_PREFIX + path, headers=headers, data=body
    )
    assert status in (403, 415), text
    assert '"forbidden"' in text
    assert await state_of(seeded) == before
    assert seeded.settings == settings


async def test_tools_and_the_dashboard_own_origin_still_steer_it(
    seeded: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    own = seeded.base_url
    body = {"api": "im.group.create", "fault": "system-error", "count": 2}
    # curl / RemoteEmulator: no Origin, JSON or no body at all
    assert (await send(session, seeded, "POST", "/_emulator/faults", json=body))[0] == 200
    status, _ = await send(
        session, seeded, "POST", "/_emulator/stream/messages",
        headers={"Content-Type": "application/json; charset=utf-8"}, data='{"text": "hi"}',
    )  # fmt: skip
    assert status == 200
    # the dashboard: its own origin
    status, _ = await send(
        session, seeded, "POST", "/_emulator/faults", headers={"Origin": own}, json=body
    )
    assert status == 200
    assert (await state_of(seeded))[1:3] == (4, 1)
    status, _ = await send(session, seeded, "POST", "/_emulator/reset", headers={"Origin": own})
    assert status == 200
    assert len(seeded.store) == 0
    async with RemoteEmulator(seeded.base_url) as remote:
        await remote.fail_next(api="im.group.create")
        await remote.reset()


@pytest.mark.parametrize(
    "path", ["/", "/_emulator/", "/_emulator/credentials", "/_emulator/settings"]
)
async def test_a_foreign_host_name_gets_nothing(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession, path: str
) -> None:
    """DNS rebinding: the page's own name, resolving to 127.0.0.1, in the Host header."""
    host = f"rebind.evil.example:{emulator.port}"
    status, text = await send(session, emulator, "GET", path, headers={"Host": host})
    assert status == 403, text
    assert emulator.app_secret not in text
    for alias in (f"localhost:{emulator.port}", f"127.0.0.1:{emulator.port}"):
        assert (await send(session, emulator, "GET", path, headers={"Host": alias}))[0] == 200
    # another port on loopback is another origin
    other = await send(session, emulator, "GET", path, headers={"Host": "127.0.0.1:1"})
    assert other[0] == 403


async def test_allowed_hosts_add_names_live(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    path = "/_emulator/credentials"
    assert (await send(session, emulator, "GET", path, headers={"Host": "emu:9000"}))[0] == 403
    emulator.configure(allowed_hosts=["emu:9000", "lan-box", "[fd00::5]:9000"])
    assert (await send(session, emulator, "GET", path, headers={"Host": "emu:9000"}))[0] == 200
    assert (await send(session, emulator, "GET", path, headers={"Host": "emu:9001"}))[0] == 403
    assert (await send(session, emulator, "GET", path, headers={"Host": "LAN-box:80"}))[0] == 200
    v6 = await send(session, emulator, "GET", path, headers={"Host": "[fd00::5]:9000"})
    assert v6[0] == 200
    # an allowed name is still its own origin: a page elsewhere cannot post
    status, _ = await send(
        session,
        emulator,
        "POST",
        "/_emulator/reset",
        headers={"Host": "lan-box:8080", "Origin": EVIL},
    )
    assert status == 403
    with pytest.raises(ValueError, match="is not HOST or HOST:PORT"):
        emulator.configure(allowed_hosts=["http://x/"])


async def test_bound_to_every_interface_addresses_pass_names_do_not(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(host="0.0.0.0") as emulator:
        url = f"http://127.0.0.1:{emulator.port}/_emulator/credentials"
        for host, status in (
            (f"127.0.0.1:{emulator.port}", 200),
            (f"10.1.2.3:{emulator.port}", 200),
            (f"[::1]:{emulator.port}", 200),
            (f"localhost:{emulator.port}", 200),
            (f"rebind.evil.example:{emulator.port}", 403),
        ):
            async with session.get(url, headers={"Host": host}) as reply:
                assert reply.status == status, host


async def test_dingtalk_routes_are_not_guarded(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    """The emulated DingTalk answers any name, as DingTalk does (containers call it so)."""
    status, _ = await send(
        session,
        emulator,
        "POST",
        "/v1.0/oauth2/accessToken",
        headers={"Host": "dingtalk-emulator:8080"},
        json={"appKey": emulator.app_key, "appSecret": emulator.app_secret},
    )
    assert status == 200


def _readable_admin_paths() -> list[str]:
    routes = (*ADMIN_ROUTES, *discovered_admin_routes())
    paths = [
        ADMIN_PREFIX + route.path + QUERIES.get(route.path, "")
        for route in routes
        if route.method == "GET" and "{" not in route.path
    ]
    return ["/", f"{ADMIN_PREFIX}/", *paths]


async def test_a_secret_given_is_on_no_page_or_answer_in_process(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(
        app_secret=SECRET, suites={SUITE_KEY: SUITE_SECRET}, corp_ids=["ding-corp-a"]
    ) as emulator:
        for path in _readable_admin_paths():
            async with session.get(emulator.base_url + path) as reply:
                assert reply.status == 200, path
                text = await reply.text()
                assert SECRET not in text, path
                assert SUITE_SECRET not in text, path
        async with session.patch(
            f"{emulator.base_url}/_emulator/settings", json={"qpsLimit": 3}
        ) as reply:
            assert SECRET not in await reply.text()
        async with RemoteEmulator(emulator.base_url) as remote:
            assert remote.app_secret == "<hidden>"
            assert SECRET not in repr(await remote.get_settings())
        async with RemoteEmulator(emulator.base_url, app_secret=SECRET) as remote:
            assert remote.app_secret == SECRET


async def test_a_secret_given_on_the_command_line_is_never_shown(
    session: aiohttp.ClientSession,
) -> None:
    async with emulator_process(
        "--port",
        "0",
        "--app-secret",
        SECRET,
        "--suite",
        f"{SUITE_KEY}={SUITE_SECRET}",
        "--corp-id",
        "ding-corp-a",
    ) as running:
        assert SECRET not in str(running.banner)
        assert SUITE_SECRET not in str(running.banner)
        base = running.banner["DINGTALK_BASE_URL"]
        for path in _readable_admin_paths():
            async with session.get(base + path) as reply:
                assert reply.status == 200, path
                text = await reply.text()
                assert SECRET not in text, path
                assert SUITE_SECRET not in text, path
        # the secret itself still works
        async with session.post(
            f"{base}/v1.0/oauth2/accessToken",
            json={"appKey": running.banner["DINGTALK_APP_KEY"], "appSecret": SECRET},
        ) as reply:
            assert reply.status == 200
        await running.stop(15)
