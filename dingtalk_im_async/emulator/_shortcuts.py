"""Thin conveniences over an API's `FaultInjector`, for the common cases in tests."""

from __future__ import annotations

import abc
from collections.abc import Mapping

import attrs

from ..endpoints import TOKEN_API, api_name
from .faults import CannedReply, ErrorReply, Fault, FaultInjector

__all__ = ["CREATE_API", "FaultShortcuts"]

CREATE_API = api_name("/v1.0/im/group/create")


class FaultShortcuts(abc.ABC):
    """`fail_next`, `reply_next`, `delay_next`, `drop_next` for any API (create by default)."""

    @abc.abstractmethod
    def faults_for(self, api: str) -> FaultInjector:
        """The fault injector of `api`."""

    def fail_next(
        self,
        count: int = 1,
        *,
        status: int = 500,
        code: str = "system.error",
        message: str = "请重试,若始终失败请提交工单",
        api: str = CREATE_API,
    ) -> None:
        """Answer the next `count` calls to `api` with this error body instead."""
        reply = ErrorReply(status=status, code=code, message=message)
        self.faults_for(api).schedule_reply(reply, count)

    def reply_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
        api: str = CREATE_API,
        applied: bool = False,
    ) -> None:
        """Answer the next `count` calls to `api` with these raw bytes (and extra headers);
        with `applied`, after carrying each call out (e.g. creating the group)."""
        canned = _canned(status, body, content_type, headers)
        if applied:
            canned = attrs.evolve(canned, applied=True)
        self.faults_for(api).schedule_reply(canned, count)

    def reply_token_next(
        self,
        count: int = 1,
        *,
        status: int = 200,
        body: bytes = b"",
        content_type: str = "application/json",
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Answer the next `count` token requests with these raw bytes (counted as fetches)."""
        self.reply_next(
            count,
            status=status,
            body=body,
            content_type=content_type,
            headers=headers,
            api=TOKEN_API,
        )

    def delay_next(self, count: int = 1, *, seconds: float, api: str = CREATE_API) -> None:
        """Hold the next `count` calls to `api` for `seconds`, then serve them."""
        self.faults_for(api).schedule(Fault.SLOW, count, delay=seconds)

    def drop_next(self, count: int = 1, *, api: str = CREATE_API) -> None:
        """Close the connection on the next `count` calls to `api` without replying."""
        self.faults_for(api).schedule(Fault.CONNECTION_CLOSED, count)


def _canned(
    status: int, body: bytes, content_type: str, headers: Mapping[str, str] | None
) -> CannedReply:
    return CannedReply(status=status, body=body, content_type=content_type, headers=headers or {})
