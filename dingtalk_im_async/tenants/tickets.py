"""Where a suite keeps its ticket and the set of organisations that installed it.

DingTalk pushes a new suite ticket about every five hours (Stream event
`suite_ticket`), and a new one makes the previous one invalid; it asks
developers to persist the ticket and never give it an expiry
(https://open.dingtalk.com/document/development/push-suite-ticket-events). So
a store never expires a ticket, keeps only the newest (by the time DingTalk
made it), refuses a ticket meant for another suite, and, in Redis, is shared
by the whole fleet and survives restarts. The same store keeps which
organisations installed the app (`org_suite_auth`) and which removed it
(`org_suite_relieve`).
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from attrs import define, field, validators

from ..errors import TicketStoreError
from ..fleet import DEFAULT_TIMEOUT, RedisBacked, redis_client
from ..token_cache import DEFAULT_NAMESPACE

if TYPE_CHECKING:
    from redis.asyncio import Redis

__all__ = [
    "MemorySuiteTicketStore",
    "RedisSuiteTicketStore",
    "SuiteTicket",
    "SuiteTicketStore",
    "TicketStoreError",
    "check_id",
]


def check_id(name: str, value: object) -> str:
    """`value` if it is a usable suite key or corp id (it becomes part of keys), else
    `ValueError` naming `name`."""
    if not isinstance(value, str) or not value or not value.isprintable():
        raise ValueError(f"{name} must be a non-empty printable string")
    if any(c.isspace() for c in value) or ":" in value:
        raise ValueError(f"{name} must hold no spaces and no ':'")
    return value


@define(frozen=True, kw_only=True)
class SuiteTicket:
    """A suite ticket and when DingTalk made it; the value is never shown."""

    value: str = field(
        repr=False, validator=validators.and_(validators.instance_of(str), validators.min_len(1))
    )
    """The ticket the corp token endpoint asks for; never in a repr or a log line."""
    born_at: int = field(validator=validators.instance_of(int))
    """When DingTalk made it (`eventBornTime`), in milliseconds since the epoch: a ticket
    older than the one kept is ignored."""


@runtime_checkable
class SuiteTicketStore(Protocol):
    """A suite's newest ticket and the organisations that installed or removed the app.

    Bound to one suite (`suite_key`). Methods raise `TicketStoreError` when the
    store is unreachable.
    """

    suite_key: str

    async def put(self, value: str, *, suite_key: str, born_at: int | None = None) -> bool:
        """Keep `value` if it is for this suite and newer than the ticket kept (`born_at`
        in ms since the epoch; None: now). True if it was kept. A ticket for another
        suite is a `ValueError`."""
        ...

    async def current(self) -> SuiteTicket | None:
        """The newest ticket, or None if none ever arrived."""
        ...

    async def authorise(self, corp_id: str) -> None:
        """Record that `corp_id` installed (or changed) the app."""
        ...

    async def relieve(self, corp_id: str) -> None:
        """Record that `corp_id` removed the app."""
        ...

    async def is_relieved(self, corp_id: str) -> bool:
        """Whether `corp_id` removed the app (and has not installed it again)."""
        ...

    async def organisations(self) -> frozenset[str]:
        """The organisations that installed the app, as far as the events told."""
        ...


def _check_put(store_suite: str, value: object, suite_key: str, born_at: int | None) -> int:
    if suite_key != store_suite:
        raise ValueError(
            f"a ticket for suite {suite_key!r} was offered to the store of suite {store_suite!r}"
        )
    if not isinstance(value, str) or not value:
        raise ValueError("a suite ticket must be a non-empty string")
    if born_at is None:
        return int(time.time() * 1000)
    if isinstance(born_at, bool) or not isinstance(born_at, int) or born_at < 0:
        raise ValueError("born_at must be milliseconds since the epoch")
    return born_at


class MemorySuiteTicketStore:
    """The ticket and organisations of one suite in this process (lost on restart: a
    single process that is fine with waiting for the next push, or tests)."""

    def __init__(self, suite_key: str) -> None:
        self.suite_key = check_id("suite_key", suite_key)
        self._ticket: SuiteTicket | None = None
        self._organisations: set[str] = set()
        self._relieved: set[str] = set()

    def __repr__(self) -> str:
        held = "a ticket" if self._ticket is not None else "no ticket"
        return f"MemorySuiteTicketStore(suite_key={self.suite_key!r}, {held})"

    async def put(self, value: str, *, suite_key: str, born_at: int | None = None) -> bool:
        born = _check_put(self.suite_key, value, suite_key, born_at)
        kept = self._ticket
        if kept is not None and (born < kept.born_at or kept.value == value):
            return False
        self._ticket = SuiteTicket(value=value, born_at=born)
        return True

    async def current(self) -> SuiteTicket | None:
        return self._ticket

    async def authorise(self, corp_id: str) -> None:
        self._organisations.add(corp_id)
        self._relieved.discard(corp_id)

    async def relieve(self, corp_id: str) -> None:
        self._organisations.discard(corp_id)
        self._relieved.add(corp_id)

    async def is_relieved(self, corp_id: str) -> bool:
        return corp_id in self._relieved

    async def organisations(self) -> frozenset[str]:
        return frozenset(self._organisations)


# KEYS[1] the ticket hash; ARGV[1] the ticket, ARGV[2] when it was made (ms). Older or the
# same: kept as is (0). Atomic, so two processes fed two tickets keep the newer one.
_PUT_IF_NEWER = """
local born = tonumber(redis.call('HGET', KEYS[1], 'born_at') or '-1')
local offered = tonumber(ARGV[2])
if offered < born or redis.call('HGET', KEYS[1], 'ticket') == ARGV[1] then
    return 0
end
redis.call('HSET', KEYS[1], 'ticket', ARGV[1], 'born_at', ARGV[2])
return 1
"""


class RedisSuiteTicketStore(RedisBacked):
    """A suite's ticket and organisations in Redis, for a fleet (extra `redis`).

    Keys: `<namespace>:suite:<suite_key>:ticket` (a hash, `ticket` and
    `born_at`, with no TTL), `...:orgs` and `...:relieved` (sets). Pass a
    `redis.asyncio.Redis` you own, or use `from_url()`, which makes one with
    short timeouts and closes it in `aclose()`. Redis failures become
    `TicketStoreError`.
    """

    def __init__(
        self, client: Redis, *, suite_key: str, namespace: str = DEFAULT_NAMESPACE
    ) -> None:
        if not namespace or not isinstance(namespace, str):
            raise ValueError("namespace must be a non-empty string")
        self.suite_key = check_id("suite_key", suite_key)
        super().__init__(client)
        prefix = f"{namespace}:suite:{suite_key}"
        self.ticket_key = f"{prefix}:ticket"
        self.organisations_key = f"{prefix}:orgs"
        self.relieved_key = f"{prefix}:relieved"
        self._put_script = client.register_script(_PUT_IF_NEWER)

    @classmethod
    def from_url(
        cls,
        url: str,
        *,
        suite_key: str,
        namespace: str = DEFAULT_NAMESPACE,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> RedisSuiteTicketStore:
        """A store on a client of its own for `url`; `timeout` bounds each command."""
        client = redis_client(url, timeout=timeout, feature="a suite ticket store in Redis")
        return cls(client, suite_key=suite_key, namespace=namespace)._own()

    def __repr__(self) -> str:
        return f"RedisSuiteTicketStore({self._where()}, suite_key={self.suite_key!r})"

    async def put(self, value: str, *, suite_key: str, born_at: int | None = None) -> bool:
        born = _check_put(self.suite_key, value, suite_key, born_at)
        kept = await self._run("put", self._put_script(keys=[self.ticket_key], args=[value, born]))
        return bool(kept)

    async def current(self) -> SuiteTicket | None:
        raw = await self._run("read", self._client.hmget(self.ticket_key, ["ticket", "born_at"]))
        value, born = raw if isinstance(raw, list) and len(raw) == 2 else (None, None)
        if value is None or born is None:
            return None
        text = value.decode() if isinstance(value, bytes) else str(value)
        return SuiteTicket(value=text, born_at=int(born))

    async def authorise(self, corp_id: str) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.sadd(self.organisations_key, corp_id)
            pipe.srem(self.relieved_key, corp_id)
            await self._run("authorise", pipe.execute())

    async def relieve(self, corp_id: str) -> None:
        async with self._client.pipeline(transaction=True) as pipe:
            pipe.srem(self.organisations_key, corp_id)
            pipe.sadd(self.relieved_key, corp_id)
            await self._run("relieve", pipe.execute())

    async def is_relieved(self, corp_id: str) -> bool:
        found = await self._run("read", self._client.sismember(self.relieved_key, corp_id))
        return bool(found)

    async def organisations(self) -> frozenset[str]:
        members: Any = await self._run("read", self._client.smembers(self.organisations_key))
        return frozenset(m.decode() if isinstance(m, bytes) else str(m) for m in members)

    async def _run(self, operation: str, pending: Any) -> Any:
        try:
            return await pending
        except self._failures as error:
            # Only the type: a driver's message may carry connection details.
            raise TicketStoreError(
                f"{self!r}: {operation} failed ({type(error).__name__})"
            ) from None
