"""What a family adds is found without a central list: its routes, admin routes, store and
dashboard panel (the shape the card, scene-group and tenant families copy)."""

from __future__ import annotations

import aiohttp
from aiohttp import web

from dingtalk_im_async.emulator import Call, DingTalkEmulator, Route
from dingtalk_im_async.emulator._discovery import (
    discovered_admin_routes,
    discovered_panels,
    family_names,
)
from dingtalk_im_async.emulator._replies import json_reply


class CounterStore:
    """A family's own state: made on first use, cleared by `reset()`."""

    def __init__(self) -> None:
        self.hits = 0

    def clear(self) -> None:
        self.hits = 0


async def count(call: Call) -> web.Response:
    store = call.stores.of(CounterStore)
    store.hits += 1
    return json_reply(200, {"hits": store.hits})


COUNT = Route(method="POST", path="/v1.0/test/count", handler=count)


def test_every_family_package_is_found() -> None:
    assert {"groups", "oauth", "robot", "stream"} <= set(family_names())
    assert "dashboard" not in family_names()


def test_the_families_admin_routes_are_found() -> None:
    paths = {(route.method, route.path) for route in discovered_admin_routes()}
    assert ("GET", "/groups") in paths
    assert ("POST", "/messages/{key}/read") in paths
    assert ("POST", "/stream/messages") in paths


async def test_a_familys_store_is_made_on_first_use_and_cleared_on_reset(
    session: aiohttp.ClientSession,
) -> None:
    async with DingTalkEmulator(extra_routes=[COUNT]) as emulator:
        headers = {"x-acs-dingtalk-access-token": emulator.issue_token()}
        for expected in (1, 2):
            async with session.post(emulator.base_url + COUNT.path, json={}, headers=headers) as r:
                assert (await r.json())["hits"] == expected
        assert emulator.stores.of(CounterStore).hits == 2
        emulator.reset()
        assert emulator.stores.of(CounterStore).hits == 0


async def test_each_familys_panel_is_on_the_page_and_served(
    session: aiohttp.ClientSession, emulator: DingTalkEmulator
) -> None:
    families = [family for family, _ in discovered_panels()]
    assert "groups" in families
    async with session.get(emulator.base_url + "/") as page:
        html = await page.text()
    for family in families:
        script = f"/_emulator/assets/panels/{family}.js"
        assert f'<script src="{script}"></script>' in html
        async with session.get(emulator.base_url + script) as reply:
            assert reply.status == 200
            assert reply.content_type == "text/javascript"
            assert "registerPanel" in await reply.text()
    async with session.get(emulator.base_url + "/_emulator/assets/panels/nope.js") as reply:
        assert reply.status == 404
