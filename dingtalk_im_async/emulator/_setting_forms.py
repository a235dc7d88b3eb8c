"""The forms a setting's value comes in, to the one `EmulatorSettings` keeps.

Converters accept what every surface may pass (a list from JSON or a marker,
a fault's CLI name instead of the `Fault`), and the `_cli_*` functions read
the texts of `dingtalk-im emulator`'s options. Both raise ValueError or
TypeError with a message that names the setting.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any, TypeVar
from urllib.parse import urlsplit

from .faults import Fault, Latency, check_rates

#: The key of `fault_rates` / `fault_periods` that stands for every API without its own entry.
ANY_API = "*"

_T = TypeVar("_T")


# -- converters: what every surface may pass (lists from JSON, texts from the CLI) ------------


def user_set(value: Iterable[str] | None) -> frozenset[str] | None:
    if value is None:
        return None
    return name_set(value)


def name_set(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise TypeError(f"expected a collection of names, got the string {value!r}")
    names = frozenset(value)
    for name in names:
        if not isinstance(name, str) or not name:
            raise TypeError(f"expected non-empty names, got {name!r}")
    return names


def host_set(value: Iterable[str]) -> frozenset[str]:
    """`allowed_hosts`: host names or addresses, each with an optional `:port` (IPv6 in
    brackets), lower-cased; `*` is every host."""
    hosts = name_set(value)
    for host in hosts:
        if host == "*":
            continue
        try:
            parts = urlsplit("//" + host)
            parts.port  # noqa: B018 (raises for a bad port)
        except ValueError:
            parts = None
        if parts is None or not parts.hostname or parts.netloc != host or "@" in host:
            raise ValueError(f"allowed_hosts: {host!r} is not HOST or HOST:PORT")
    return frozenset(host.lower() for host in hosts)


def optional_positive(name: str) -> Callable[[Any], int | None]:
    def convert(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"{name} must be a positive integer or None, got {value!r}")
        return value

    return convert


def optional_count(name: str) -> Callable[[Any], int | None]:
    def convert(value: Any) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"{name} must be an integer >= 0 or None, got {value!r}")
        return value

    return convert


def positive_seconds(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        raise ValueError(f"token_lifetime must be a number of seconds > 0, got {value!r}")
    if math.isinf(value):
        raise ValueError("token_lifetime must be finite")
    return float(value)


def api_limits(value: Mapping[str, int | None]) -> Mapping[str, int | None]:
    return MappingProxyType(
        {
            api_key(api): optional_count(f"qps_limits[{api!r}]")(limit)
            for api, limit in dict(value).items()
        }
    )


def api_key(name: Any) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"expected an API name such as 'im.group.create', got {name!r}")
    return name


def standing_fault(name: Fault | str) -> Fault:
    fault = name if isinstance(name, Fault) else Fault(name)
    if fault is Fault.CANNED_REPLY:
        raise ValueError("a canned reply can only be scheduled, not set as a standing fault")
    return fault


def fault_rates(value: Mapping[str, Mapping[Any, float]]) -> Mapping[str, Mapping[Fault, float]]:
    plan: dict[str, Mapping[Fault, float]] = {}
    for api, rates in dict(value).items():
        converted = {standing_fault(fault): float(rate) for fault, rate in dict(rates).items()}
        check_rates(converted)
        plan[api_key(api)] = MappingProxyType(converted)
    return MappingProxyType(plan)


def fault_periods(value: Mapping[str, Mapping[Any, int]]) -> Mapping[str, Mapping[Fault, int]]:
    plan: dict[str, Mapping[Fault, int]] = {}
    for api, periods in dict(value).items():
        converted: dict[Fault, int] = {}
        for fault, period in dict(periods).items():
            calls = optional_positive(f"fault_periods[{api!r}][{fault!r}]")(period)
            if calls is None:
                raise ValueError(f"fault_periods[{api!r}][{fault!r}] must be a positive integer")
            converted[standing_fault(fault)] = calls
        plan[api_key(api)] = MappingProxyType(converted)
    return MappingProxyType(plan)


def optional_seed(value: Any) -> int | None:
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise TypeError(f"fault_seed must be an integer or None, got {value!r}")
    return value


def boolean(name: str) -> Callable[[Any], bool]:
    def convert(value: Any) -> bool:
        if not isinstance(value, bool):
            raise TypeError(f"{name} must be true or false, got {value!r}")
        return value

    return convert


def text_of(name: str) -> Callable[[Any], str]:
    def convert(value: Any) -> str:
        if not isinstance(value, str) or not value:
            raise TypeError(f"{name} must be a non-empty string, got {value!r}")
        return value

    return convert


def suite_secrets(value: Mapping[str, str]) -> Mapping[str, str]:
    """Suite key -> suite secret, both non-empty texts."""
    if not isinstance(value, Mapping):
        raise TypeError(f"suites must map suite keys to suite secrets, got {type(value).__name__}")
    suites: dict[str, str] = {}
    for key, secret in value.items():
        if not isinstance(secret, str) or not secret:
            raise TypeError(f"the secret of suite {key!r} must be a non-empty string")
        suites[text_of("a suite key")(key)] = secret
    return MappingProxyType(suites)


def corp_id_list(value: Iterable[str]) -> tuple[str, ...]:
    """Organisation ids, each once, in the order given."""
    if isinstance(value, str):
        raise TypeError(f"corp_ids must be a collection of ids, got the string {value!r}")
    return tuple(dict.fromkeys(text_of("a corp id")(corp) for corp in value))


def optional_seconds(name: str) -> Callable[[Any], float | None]:
    def convert(value: Any) -> float | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
            raise ValueError(f"{name} must be a number of seconds > 0 or None, got {value!r}")
        if math.isinf(value):
            raise ValueError(f"{name} must be finite")
        return float(value)

    return convert


def optional_text(value: Any) -> str | None:
    return None if value is None else text_of("robot_code")(value)


# -- the texts of the command line -----------------------------------------------------------


def cli_int(text: str) -> int:
    text = text.strip()
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"expected a positive integer, got {text!r}")
    return int(text)


def cli_optional_int(text: str) -> int | None:
    return None if text.strip().lower() == "none" else cli_int(text)


def cli_count(text: str) -> int:
    text = text.strip()
    if not text.isdigit():
        raise ValueError(f"expected an integer >= 0, got {text!r}")
    return int(text)


def cli_seconds(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"expected a number of seconds, got {text!r}") from None


def cli_optional_seconds(text: str) -> float | None:
    return None if text.strip().lower() == "none" else cli_seconds(text)


def cli_suites(values: tuple[str, ...]) -> dict[str, str]:
    """`KEY=SECRET` pairs; the error never repeats the secret."""
    suites: dict[str, str] = {}
    for value in values:
        key, sep, secret = value.partition("=")
        if not sep or not key.strip() or not secret:
            raise ValueError("expected KEY=SECRET, e.g. suite-key-1=suite-secret-1")
        suites[key.strip()] = secret
    return suites


def cli_api_limits(values: tuple[str, ...]) -> dict[str, int]:
    """`API=N` pairs, e.g. `im.group.create=20`."""
    limits: dict[str, int] = {}
    for value in values:
        api, sep, raw = value.partition("=")
        if not sep or not api.strip():
            raise ValueError(f"expected API=N, e.g. im.group.create=20, got {value!r}")
        limits[api.strip()] = cli_int(raw)
    return limits


def cli_fault_name(text: str) -> Fault:
    names = {fault.value: fault for fault in Fault if fault is not Fault.CANNED_REPLY}
    fault = names.get(text.strip().lower().replace("_", "-").replace(".", "-"))
    if fault is None:
        raise ValueError(f"unknown fault {text!r}; known: {', '.join(names)}")
    return fault


def cli_fault_plan(
    values: tuple[str, ...], number: Callable[[str], _T]
) -> dict[str, dict[Fault, _T]]:
    """`[API:]NAME=VALUE` items by API (`*` when no API is named)."""
    plan: dict[str, dict[Fault, _T]] = {}
    for value in values:
        spec, sep, raw = value.rpartition("=")
        if not sep:
            raise ValueError(f"expected [API:]NAME=VALUE, got {value!r}")
        api, colon, name = spec.rpartition(":")
        target = api.strip() if colon else ANY_API
        if not target:
            raise ValueError(f"expected an API name before ':', got {value!r}")
        plan.setdefault(target, {})[cli_fault_name(name)] = number(raw.strip())
    return plan


def cli_rate(text: str) -> float:
    try:
        rate = float(text.rstrip("%")) / (100 if text.endswith("%") else 1)
    except ValueError:
        raise ValueError(f"a rate is a number or a percentage, got {text!r}") from None
    if not 0 <= rate <= 1:
        raise ValueError(f"a rate must be between 0 and 1 (or 0% and 100%), got {text!r}")
    return rate


def cli_fault_rates(values: tuple[str, ...]) -> dict[str, dict[Fault, float]]:
    return cli_fault_plan(values, cli_rate)


def cli_fault_periods(values: tuple[str, ...]) -> dict[str, dict[Fault, int]]:
    return cli_fault_plan(values, cli_int)


def cli_latency(text: str) -> Latency:
    """`SECONDS` or `LOW:HIGH`."""
    low, _, high = text.partition(":")
    try:
        return Latency(low=float(low), high=float(high) if high else None)
    except ValueError as error:
        raise ValueError(f"expected SECONDS or LOW:HIGH ({error})") from None


def cli_names(values: tuple[str, ...]) -> frozenset[str]:
    return frozenset(value.strip() for value in values)


def cli_users(values: tuple[str, ...]) -> frozenset[str] | None:
    """No `--visible-user` at all: everyone is visible."""
    return cli_names(values) if values else None


def fault_names() -> str:
    """The faults a rate or period may name, by their CLI names."""
    return ", ".join(fault.value for fault in Fault if fault is not Fault.CANNED_REPLY)
