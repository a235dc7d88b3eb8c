"""The intake's buffer: FIFO for any number of consumers, each wake-up finds an item, and
the end reaches every consumer once the items are gone."""

from __future__ import annotations

import asyncio

import pytest

from dingtalk_im_async.stream._buffer import Buffer, BufferClosedError


async def test_items_come_out_in_order_and_close_ends_every_consumer_after_them() -> None:
    buffer: Buffer[int] = Buffer()
    taken: list[tuple[int, int]] = []

    async def consume(number: int) -> None:
        while True:
            try:
                item = await buffer.get()
            except BufferClosedError:
                return
            taken.append((number, item))
            await asyncio.sleep(0)

    consumers = [asyncio.ensure_future(consume(n)) for n in range(3)]
    await asyncio.sleep(0)
    for item in range(10):
        buffer.put(item)
    buffer.close()
    await asyncio.wait_for(asyncio.gather(*consumers), 2)
    assert sorted(item for _, item in taken) == list(range(10))
    assert [item for _, item in taken] == list(range(10))  # FIFO across consumers
    assert len({number for number, _ in taken}) > 1  # the work was shared
    with pytest.raises(BufferClosedError):
        await buffer.get()


async def test_a_burst_wakes_one_consumer_at_a_time() -> None:
    """asyncio.Queue would wake all 16 waiting consumers for 64 items; here the first one
    woken takes an item and wakes the next, which finds the rest drained by the first."""
    loop = asyncio.get_running_loop()
    buffer: Buffer[int] = Buffer()
    taken: list[int] = []
    resumed = 0

    async def consume() -> None:
        nonlocal resumed
        while True:
            try:
                item = await buffer.get()
            except BufferClosedError:
                return
            taken.append(item)
            while len(buffer):  # a handler that never suspends drains the rest itself
                taken.append(await buffer.get())

    consumers = [asyncio.ensure_future(consume()) for _ in range(16)]
    await asyncio.sleep(0)
    waiting = [task for task in consumers if not task.done()]
    for item in range(64):
        buffer.put(item)
    woken = [
        handle
        for handle in loop._ready  # type: ignore[attr-defined]
        if getattr(handle._callback, "__self__", None) in waiting
    ]
    assert len(woken) == 1
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    assert taken == list(range(64))
    buffer.close()
    await asyncio.wait_for(asyncio.gather(*consumers), 2)


async def test_a_consumer_cancelled_after_its_wake_up_passes_the_item_on() -> None:
    buffer: Buffer[str] = Buffer()
    first = asyncio.ensure_future(buffer.get())
    second = asyncio.ensure_future(buffer.get())
    await asyncio.sleep(0)
    buffer.put("item")  # wakes `first`...
    first.cancel()  # ...which is cancelled before it runs
    assert await asyncio.wait_for(second, 1) == "item"
    assert first.cancelled()
