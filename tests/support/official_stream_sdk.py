"""The official `dingtalk-stream` SDK as a bot, for tests/stream/test_stream_official_sdk.py.

Run as a script with DINGTALK_OPENAPI_ENDPOINT pointing at the emulator (the
SDK reads it at import), and the app's credentials in STREAM_APP_KEY and
STREAM_APP_SECRET. It prints one JSON line per message or event it gets,
and answers each message through its sessionWebhook with `reply_text`.
"""

from __future__ import annotations

import json
import os
from typing import Any

import dingtalk_stream  # type: ignore[import-untyped]
from dingtalk_stream import AckMessage


def report(record: dict[str, Any]) -> None:
    print(json.dumps(record, ensure_ascii=False), flush=True)


class Bot(dingtalk_stream.ChatbotHandler):  # type: ignore[misc]
    async def process(self, callback: Any) -> tuple[int, str]:
        message = dingtalk_stream.ChatbotMessage.from_dict(callback.data)
        report({"kind": "message", "msgId": message.message_id, "text": message.text.content})
        self.reply_text("got it", message)
        return AckMessage.STATUS_OK, "OK"


class Events(dingtalk_stream.EventHandler):  # type: ignore[misc]
    async def process(self, event: Any) -> tuple[int, str]:
        report(
            {
                "kind": "event",
                "eventId": event.headers.event_id,
                "eventType": event.headers.event_type,
                "data": event.data,
            }
        )
        return AckMessage.STATUS_OK, "OK"


def main() -> None:
    credential = dingtalk_stream.Credential(
        os.environ["STREAM_APP_KEY"], os.environ["STREAM_APP_SECRET"]
    )
    client = dingtalk_stream.DingTalkStreamClient(credential)
    client.register_all_event_handler(Events())
    client.register_callback_handler(dingtalk_stream.ChatbotMessage.TOPIC, Bot())
    client.start_forever()


if __name__ == "__main__":
    main()
