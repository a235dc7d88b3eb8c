"""Replying: the sessionWebhook while valid, the robot API after; errcodes become typed errors."""

from __future__ import annotations

from typing import Any

import aiohttp
import attrs
import pytest

from dingtalk_im_async import (
    ApiError,
    GroupMessage,
    Image,
    Markdown,
    RateLimitError,
    RequestValidationError,
    ResponseError,
    Text,
)
from dingtalk_im_async.emulator import ADMIN_MESSAGES_PATH
from dingtalk_im_async.errors import (
    ReplyUnavailableError,
    SessionWebhookExpiredError,
    Verdict,
)
from dingtalk_im_async.stream import BotMessage, Replier, RobotSender
from dingtalk_im_async.testing import DingTalkEmulator
from tests.support.stream_support import stream_client, take


class RecordingRobot:
    """A `RobotSender` that keeps what it was asked to send (the robot API's seam)."""

    def __init__(self) -> None:
        self.sent: list[GroupMessage] = []

    async def send(self, message: GroupMessage, /) -> object:
        self.sent.append(message)
        return {"processQueryKey": f"key{len(self.sent)}"}


def picture(url: str) -> Image:
    """A kind of message the sessionWebhook does not take."""
    return Image(photo_url=f"https://example.invalid/{url}.png")


async def received(emulator: DingTalkEmulator, **inject: Any) -> BotMessage:
    """A bot message as a client receives it (sessionWebhook and all)."""
    async with stream_client(emulator) as stream:
        emulator.stream.inject_message(**inject)
        [message] = await take(stream, 1)
    assert isinstance(message, BotMessage)
    return message


async def test_a_valid_webhook_carries_text_with_the_sender_mentioned(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator, text="hi", sender_staff_id="alice")
    robot = RecordingRobot()
    outcome = await Replier(session, robot=robot).reply(message, "hello", at_sender=True)
    assert outcome.route == "webhook"
    [post] = emulator.stream.webhook_posts
    assert post.accepted
    assert post.body == {
        "msgtype": "text",
        "text": {"content": "hello"},
        "at": {"atUserIds": ["alice"]},
    }
    assert robot.sent == []


async def test_markdown_goes_through_the_webhook_too(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator)
    await Replier(session).reply(message, Markdown("标题", "**粗体**"))
    [post] = emulator.stream.webhook_posts
    assert post.body == {"msgtype": "markdown", "markdown": {"title": "标题", "text": "**粗体**"}}


async def test_an_expired_webhook_falls_back_to_the_robot_api(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator, webhook_ttl=0)
    robot = RecordingRobot()
    outcome = await Replier(session, robot=robot).reply(message, "late answer")
    assert outcome.route == "robot"
    assert outcome.robot_result == {"processQueryKey": "key1"}
    assert robot.sent == [
        GroupMessage(open_conversation_id=message.open_conversation_id, message=Text("late answer"))
    ]
    assert emulator.stream.webhook_posts == []  # nothing tried on a webhook known to be over


async def test_a_webhook_that_expired_early_is_refused_then_the_robot_api_is_used(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator)
    emulator.stream.expire_webhooks()
    with pytest.raises(SessionWebhookExpiredError) as caught:
        await Replier(session).reply(message, "answer")
    assert caught.value.code == "300001"
    assert caught.value.verdict is Verdict.REJECTED
    robot = RecordingRobot()
    outcome = await Replier(session, robot=robot).reply(message, "answer")
    assert outcome.route == "robot"
    assert [post.accepted for post in emulator.stream.webhook_posts] == [False, False]


async def test_kinds_the_webhook_cannot_carry_go_to_the_robot_api(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator)
    robot = RecordingRobot()
    outcome = await Replier(session, robot=robot).reply(message, picture("approve"))
    assert outcome.route == "robot"
    assert robot.sent[0].message == picture("approve")
    assert emulator.stream.webhook_posts == []


async def test_without_a_route_the_reply_is_not_sent(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    group_message = await received(emulator, webhook_ttl=0)
    with pytest.raises(ReplyUnavailableError, match="has expired, and no robot") as caught:
        await Replier(session).reply(group_message, "late")
    assert caught.value.verdict is Verdict.NOT_SENT
    with pytest.raises(ReplyUnavailableError, match="cannot carry a Image"):
        await Replier(session).reply(await received(emulator), picture("x"))
    one_to_one = await received(emulator, conversation_type="1", webhook_ttl=0)
    with pytest.raises(ReplyUnavailableError, match="one-to-one"):
        await Replier(session, robot=RecordingRobot()).reply(one_to_one, "late")


@pytest.mark.parametrize(
    ("errcode", "error_class", "verdict"),
    [
        (130101, RateLimitError, Verdict.REJECTED),
        (400013, ApiError, Verdict.UNKNOWN),
    ],
)
async def test_webhook_errcodes_become_typed_errors(
    emulator: DingTalkEmulator,
    session: aiohttp.ClientSession,
    errcode: int,
    error_class: type[ApiError],
    verdict: Verdict,
) -> None:
    message = await received(emulator)
    emulator.stream.fail_webhooks(errcode=errcode, errmsg="refused")
    with pytest.raises(error_class) as caught:
        await Replier(session, robot=RecordingRobot()).reply(message, "x")
    assert type(caught.value) is error_class
    assert caught.value.code == str(errcode)
    assert caught.value.status == 200
    assert caught.value.verdict is verdict
    assert caught.value.body["errmsg"] == "refused"


async def test_a_reply_without_an_errcode_is_a_response_error(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator)
    # The emulator's admin route answers 200 with a JSON object that has no errcode.
    elsewhere = attrs.evolve(message, session_webhook=emulator.base_url + ADMIN_MESSAGES_PATH)
    with pytest.raises(ResponseError, match="reply without an errcode") as caught:
        await Replier(session).reply(elsewhere, "x")
    assert caught.value.verdict is Verdict.UNKNOWN


async def test_a_plain_http_webhook_to_another_host_is_refused_before_any_io(
    emulator: DingTalkEmulator, session: aiohttp.ClientSession
) -> None:
    message = await received(emulator)
    outside = attrs.evolve(message, session_webhook="http://example.com/robot/sendBySession?s=1")
    with pytest.raises(RequestValidationError, match="session_webhook"):
        await Replier(session).reply(outside, "x")


async def test_stream_client_replies_with_its_own_session_and_robot(
    emulator: DingTalkEmulator,
) -> None:
    robot = RecordingRobot()
    assert isinstance(robot, RobotSender)
    async with stream_client(emulator, robot=robot) as stream:
        emulator.stream.inject_message("one")
        emulator.stream.inject_message("two", webhook_ttl=0)
        first, second = await take(stream, 2)
        assert isinstance(first, BotMessage)
        assert isinstance(second, BotMessage)
        assert (await stream.reply(first, "a")).route == "webhook"
        assert (await stream.reply(second, "b")).route == "robot"


def test_a_robot_without_send_is_refused(session: aiohttp.ClientSession) -> None:
    with pytest.raises(TypeError, match="send"):
        Replier(session, robot=object())  # type: ignore[arg-type]
