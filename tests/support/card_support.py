"""Fixtures and helpers of the card tests: a `CardService` on the emulator, and a group with
the app's robot in it."""

from __future__ import annotations

from collections.abc import Iterable

import aiohttp
import pytest

from dingtalk_im_async import CardService, CreateAndDeliverRequest, GroupSpace
from dingtalk_im_async.emulator import DingTalkEmulator, StoredCard, StoredGroup
from tests.conftest import INSTANT_RETRIES, app_provider

TEMPLATE = "8aebdfb9-28f4-4a98-98f5-396c3dde41a0.schema"
CREATE_API = "card.instances"
DELIVER_API = "card.instances.deliver"
SEND_API = "card.instances.createAndDeliver"
UPDATE_API = "card.instances.update"
STREAM_API = "card.streaming"


@pytest.fixture
def cards(emulator: DingTalkEmulator, session: aiohttp.ClientSession) -> CardService:
    """Cards of the app's own robot (code: the app key), unpaced, with instant retries and
    no interval between an answer's frames."""
    return CardService(
        session,
        app_provider(emulator, session),
        robot_code=emulator.robot_code,
        base_url=emulator.base_url,
        retry=INSTANT_RETRIES,
        rate_limit=None,
        card_update_interval=0,
    )


@pytest.fixture
async def group(emulator: DingTalkEmulator) -> StoredGroup:
    """A group with the app's robot installed."""
    return await emulator.add_group(name="卡片群", owner="boss", members=["alice", "bob"])


def card_to(
    *groups: StoredGroup, card_data: dict[str, str] | None = None, **fields: object
) -> CreateAndDeliverRequest:
    spaces: Iterable[GroupSpace] = [
        GroupSpace(open_conversation_id=group.open_conversation_id) for group in groups
    ]
    return CreateAndDeliverRequest(
        card_template_id=TEMPLATE,
        spaces=list(spaces),
        card_data=card_data if card_data is not None else {"title": "构建 #42"},
        **fields,  # type: ignore[arg-type]
    )


async def stored_card(emulator: DingTalkEmulator, out_track_id: str) -> StoredCard:
    return await emulator.get_card(out_track_id)
