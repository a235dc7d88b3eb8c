"""Every setting of a client and of a bulk run, each with its name, default and doc, once.

`ClientSettings` (how a client reaches DingTalk) and `BulkOptions` (how a
bulk run sends) are frozen classes of plain values, checked when built, so a
bad value fails before any I/O. What is an object rather than a value stays
an argument of its own: the aiohttp session, the token provider, a shared
pacer (`RedisPacer`), the token cache, an SSL context.

Every surface reads them from here: `DingTalkClient`, the services and
`AppTokenProvider` take `settings=` (or any setting by name, as a
shorthand), the `dingtalk-im` command generates its options from the
fields' docs, and the API reference renders these classes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

import attrs
from attrs import define, field

from ._core.dedup import check_run_id
from ._core.deprecation import warn_deprecated
from ._core.hosts import BASE_URL_ENV, OAPI_BASE_URL_ENV
from ._core.json_codec import CODEC_ENV, CODECS
from ._core.retry import RetryPolicy
from .pacing import DEFAULT_RATE, Pacer, check_rate

__all__ = ["CLI_FLAG", "DOC", "ENV", "BulkOptions", "ClientSettings", "resolve_settings"]

#: Field metadata keys: the setting's doc (what the API reference and `--help` show),
#: its `dingtalk-im` option and the environment variable that option reads.
DOC, CLI_FLAG, ENV = "description", "cli_flag", "env"

S = TypeVar("S", "ClientSettings", "BulkOptions")
#: The retry policy unless one is given: three tries, jittered exponential waits.
DEFAULT_RETRY = RetryPolicy()


def _setting(
    default: Any,
    doc: str,
    *,
    validator: Any = None,
    flag: str | None = None,
    env: str | None = None,
) -> Any:
    metadata: dict[str, str] = {DOC: doc}
    if flag is not None:
        metadata[CLI_FLAG] = flag
    if env is not None:
        metadata[ENV] = env
    return field(default=default, validator=validator, metadata=metadata)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _positive_seconds(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _number(value) or value <= 0:  # type: ignore[operator]
        raise ValueError(f"{attribute.name} must be a positive number of seconds, got {value!r}")


def _seconds(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _number(value) or value < 0:  # type: ignore[operator]
        raise ValueError(f"{attribute.name} must be a finite number of seconds >= 0")


def _optional_url(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, str):
        raise TypeError(f"{attribute.name} must be a URL string or None")


def _rate(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is None:
        return
    try:
        check_rate(value)  # type: ignore[arg-type]
    except (TypeError, ValueError) as error:
        raise type(error)(f"{attribute.name}: {error}") from None


def _run_rate(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value != "service":
        _rate(_instance, _attribute, value)


def _whole(minimum: int) -> Any:
    def check(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int):
            raise TypeError(f"{attribute.name} must be an integer, got {type(value).__name__}")
        if value < minimum:
            raise ValueError(f"{attribute.name} must be at least {minimum}, got {value}")

    return check


def _run_id(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        check_run_id(value)  # type: ignore[arg-type]


def _retry_policy(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, RetryPolicy):
        raise TypeError(f"retry must be a RetryPolicy, got {type(value).__name__}")


def _budget(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        _whole(1)(_instance, attribute, value)


def _fraction(_instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not _number(value) or not 0 < value <= 1:  # type: ignore[operator]
        raise ValueError(f"{attribute.name} must be a fraction above 0 and at most 1")


def _robot_code(_instance: object, _attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValueError("robot_code must be a non-blank string, or None for the app key")


@define(frozen=True, kw_only=True)
class ClientSettings:
    """How a client reaches DingTalk: hosts, time limits, pacing, retries, JSON codec."""

    base_url: str | None = _setting(
        None,
        "The v1.0 API's base URL; None: `$DINGTALK_BASE_URL`, else https://api.dingtalk.io. "
        "Plain http only to a loopback host, or with `allow_http`.",
        validator=_optional_url,
        flag="--base-url",
        env=BASE_URL_ENV,
    )
    oapi_base_url: str | None = _setting(
        None,
        "The legacy oapi host's base URL (group reads and nicknames go there); None: "
        "`$DINGTALK_OAPI_BASE_URL`, else https://oapi.dingtalk.io. Plain http as for "
        "`base_url`.",
        validator=_optional_url,
        flag="--oapi-base-url",
        env=OAPI_BASE_URL_ENV,
    )
    timeout: float = _setting(
        10.0,
        "Seconds to wait for each HTTP reply (a positive number).",
        validator=_positive_seconds,
        flag="--timeout",
    )
    connect_timeout: float = _setting(
        3.0,
        "Seconds a TCP (and TLS) connect may take, at most half of `timeout`. A connect "
        "that does not complete in time sent nothing: its verdict is not sent, and a bulk "
        "run's `--resume` sends the input again.",
        validator=_positive_seconds,
        flag="--connect-timeout",
    )
    rate_limit: float | None = _setting(
        DEFAULT_RATE,
        "Calls per second per API, evenly spaced (DingTalk's standard edition allows 20 per "
        "app); None: no pacing. A pacer a fleet shares (`RedisPacer`) is the `pacer` "
        "argument instead.",
        validator=_rate,
        flag="--rate",
    )
    retry: RetryPolicy = _setting(  # noqa: RUF009 - a frozen value, shared safely
        DEFAULT_RETRY,
        "How HTTP 500 `system.error` replies are retried (the only retry there is).",
        validator=_retry_policy,
    )
    allow_http: bool = _setting(
        False,
        "Allow a plain http:// base URL to a host that is not this machine (the access "
        "token then travels unencrypted).",
        flag="--allow-http",
    )
    json_codec: Literal["auto", "stdlib", "orjson"] = _setting(
        "auto",
        f"The JSON codec of requests and replies: `auto` is orjson when installed (the "
        f"`orjson` extra) unless `${CODEC_ENV}` is `stdlib`; `stdlib`; or `orjson`.",
        validator=attrs.validators.in_(CODECS),
    )
    connection_limit: int = _setting(
        100,
        "Connections `DingTalkClient`'s own session opens at most, to all hosts.",
        validator=_whole(1),
    )
    robot_code: str | None = _setting(
        None,
        "The robot `DingTalkClient.robot` posts as; None: the app key, which is an internal "
        "app's own robot.",
        validator=_robot_code,
    )
    refresh_margin: float = _setting(
        600.0,
        "Seconds before a token expires when one background refresh starts (never more "
        "than half its lifetime).",
        validator=_seconds,
    )
    peer_wait: float = _setting(
        5.0,
        "Seconds to wait for another process fetching the shared token (a `RedisTokenCache`) "
        "before fetching here.",
        validator=_seconds,
    )
    card_update_interval: float = _setting(
        0.8,
        "Seconds between two updates of one AI card's answer, at least "
        "(`CardService.answer`; DingTalk's own connector waits 0.8 s). All cards' updates "
        "share the per-API pacing besides.",
        validator=_seconds,
    )
    call_budget: int | None = _setting(
        None,
        "API calls the organisation may make per month (China time) through this client, "
        "counted right before each send; past it a call is not sent (`BudgetSpentError`) and "
        "a bulk run stops. Set it below DingTalk's quota (5,000 a month on the standard "
        "edition) less what other apps of the organisation use; token calls are exempt. "
        "None: not counted. A count a fleet shares is the `budget` argument (`RedisBudget`).",
        validator=_budget,
        flag="--budget",
    )
    budget_warn_at: float = _setting(
        0.8,
        "The fraction of the call budget at which one warning is logged per organisation "
        "and month.",
        validator=_fraction,
    )
    card_finish_timeout: float = _setting(
        10.0,
        "Seconds an answer's last update (finished, or failed) may take, waiting for its "
        "pacing slot included, even while its task is being cancelled.",
        validator=_positive_seconds,
    )


@define(frozen=True, kw_only=True)
class BulkOptions:
    """How a bulk run sends: how many calls at once, at what rate, and what is put back."""

    concurrency: int = _setting(
        10, "Calls in flight at once (1 or more).", validator=_whole(1), flag="--concurrency"
    )
    rate_limit: float | Literal["service"] | None = _setting(
        "service",
        "`service`: paced as the client or service that runs the calls; a number: this "
        "run's own calls per second per API; None: not paced.",
        validator=_run_rate,
    )
    rate_limited_retries: int = _setting(
        3,
        "Times an input refused for rate (`RateLimitError`) is put back, at most.",
        validator=_whole(0),
        flag="--rate-limited-retries",
    )
    rate_limited_backoff: float = _setting(
        1.0,
        "Seconds to wait before sending a put-back input again (DingTalk advises one).",
        validator=_seconds,
    )
    run_id: str | None = _setting(
        None,
        "The run's id (1 to 32 letters, digits, `-` or `_`), from which an input without a "
        "dedup key (a scene-group create's `uuid`) gets one, by its position; None: a random "
        "id. Give an earlier run's id (`BulkRun.run_id`) to resume it in another process "
        "without duplicates.",
        validator=_run_id,
    )


def resolve_settings(
    cls: type[S], settings: S | None, overrides: Mapping[str, Any], *, pacer: Pacer | None
) -> tuple[S, Pacer | None]:
    """`settings` (or the defaults) with the settings given by name applied, and the pacer.

    A `Pacer` given as `rate_limit`, as the last release took it, becomes the
    pacer, with a `DeprecationWarning`. Unknown names are a `TypeError`.
    """
    if settings is not None and not isinstance(settings, cls):
        raise TypeError(f"settings must be a {cls.__name__}, got {type(settings).__name__}")
    changes = dict(overrides)
    rate = changes.get("rate_limit")
    if rate is not None and not isinstance(rate, (int, float, str)):
        if not isinstance(rate, Pacer):
            raise TypeError("rate_limit must be a number of calls per second or None")
        warn_deprecated("rate_limit=<a Pacer> is deprecated: pass it as pacer=")
        pacer, changes["rate_limit"] = rate, DEFAULT_RATE
    unknown = sorted(set(changes) - {field.name for field in attrs.fields(cls)})
    if unknown:
        raise TypeError(f"{cls.__name__} has no settings {unknown}")
    base = settings if settings is not None else cls()
    return (attrs.evolve(base, **changes) if changes else base), pacer
