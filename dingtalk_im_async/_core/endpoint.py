"""What an endpoint is: one DingTalk API, declared once in its family's `api.py`.

The declaration is the single source of everything about the API: where it
is (host, method, path), what it takes and returns, whether it is safe to
repeat, which error codes it adds, DingTalk's page for it, and its API name,
which DingTalk's per-app QPS limit counts, so it keys pacing (and the Redis
pacer's key) and the emulator's QPS windows and faults. A service method is
`self._transport.call(ENDPOINT, request)`; nothing below the service knows
which API it carries beyond this value.
"""

from __future__ import annotations

import enum
import functools
import importlib
from collections.abc import Callable
from typing import Any, Generic, TypeVar

import attrs
from attrs import define, field, validators

from ..errors import COMMON_CODES, ErrorCodes

__all__ = [
    "METHODS",
    "QUERY_METHODS",
    "TOKEN_API",
    "TOKEN_PATH",
    "Endpoint",
    "Family",
    "Host",
    "api_name",
    "declared_endpoints",
]

RequestT = TypeVar("RequestT")
ResultT = TypeVar("ResultT")

#: The HTTP methods DingTalk's APIs use.
METHODS = ("GET", "POST", "PUT", "DELETE")
#: Methods whose request travels as query parameters; the others send it as a JSON body.
QUERY_METHODS = frozenset({"GET", "DELETE"})

#: The token endpoint: not an `Endpoint` (it is what gets the token), but paced and
#: counted by the emulator under this API name.
TOKEN_PATH = "/v1.0/oauth2/accessToken"


class Host(enum.Enum):
    """Which of DingTalk's two hosts an API lives on, and so how it authenticates and fails.

    - `API`: `api.dingtalk.io`, the v1.0 API: token in the `x-acs-dingtalk-access-token`
      header, errors as HTTP 4xx/5xx with `{"code", "message", "requestid"}`.
    - `OAPI`: `oapi.dingtalk.io`, the legacy API: token as the `access_token` query
      parameter, every reply HTTP 200 with an `errcode`/`errmsg` envelope.
    """

    API = "api"
    OAPI = "oapi"


def api_name(path: str) -> str:
    """DingTalk's name for the API at `path`: `/v1.0/im/group/create` -> `im.group.create`.

    Path parameters (`{chatId}`) are left out; legacy paths get an `oapi.` prefix.
    Where two methods share a path (`POST` and `PUT /v1.0/card/instances`), the
    declaration names the second one itself (`Endpoint.api`).
    """
    parts = [part for part in path.split("/") if part and not part.startswith("{")]
    if parts and parts[0] == "v1.0":
        return ".".join(parts[1:])
    return ".".join(["oapi", *parts])


TOKEN_API = api_name(TOKEN_PATH)


@define(frozen=True, kw_only=True)
class Endpoint(Generic[RequestT, ResultT]):
    """A DingTalk API: where it is, what it takes and returns, and whether to repeat it.

    - `path` may hold `{placeholders}` named after wire fields of the request:
      they are filled from the request (percent-encoded) and left out of the body.
    - `method`: `POST` and `PUT` send the request as a JSON body, `GET` and
      `DELETE` as query parameters.
    - `repeat_safe`: True when applying the call twice does no harm (an update
      sets state); a call that is not (create, send) is never resent after an
      `UNKNOWN` verdict unless the user asks.
    - `dedup_key`: the request field DingTalk deduplicates on (a scene-group
      create's `uuid`): a request carrying a value for it is safe to repeat
      too (`safe_to_repeat`), and a bulk run fills a missing one
      (`_core.dedup`).
    - `codes`: the error codes of the API (the common ones, its family's and
      its own), which decide the exception a reply raises.
    - `check(status, result)`: raises the error a success-shaped reply stands
      for (e.g. `{"success": false}`).
    """

    path: str
    """Path on the host, e.g. `/v1.0/im/group/create`; `{placeholders}` name request wire
    fields."""
    method: str = field(default="POST", validator=validators.in_(METHODS))
    """`POST` or `PUT` (a JSON body), `GET` or `DELETE` (query parameters)."""
    host: Host = Host.API
    """Which DingTalk host: the v1.0 API (token in a header) or the legacy oapi host
    (token in the query, `errcode` envelope)."""
    request_type: type[RequestT]
    """The attrs class a call takes; anything else is refused before any I/O."""
    result_type: type[ResultT]
    """The attrs class a successful reply is read into."""
    repeat_safe: bool
    """Whether applying the call twice does no harm (an update), so an unknown outcome
    may be sent again; False for creates and sends."""
    result_key: str | None = None
    """The reply key the result is read from (e.g. `chat_info`); None: the whole reply."""
    check: Callable[[int, ResultT], None] | None = field(default=None, eq=False)
    """Raises the error a success-shaped reply stands for (e.g. `success: false`); None:
    every 2xx result is a success."""
    codes: ErrorCodes = field(default=COMMON_CODES, eq=False, repr=False)
    """The error codes the API answers with and the exceptions they raise."""
    family: str = ""
    """The API family that declares it (`groups`, `robot`, ...)."""
    doc: str = ""
    """DingTalk's documentation page of the API."""
    api: str = field()
    """DingTalk's name for the API (e.g. `im.group.create`), derived from the path unless
    given; keys QPS pacing."""
    dedup_key: str | None = None
    """The request field (its Python name, e.g. `uuid`) DingTalk deduplicates on: a request
    carrying a value for it may be sent again after an unknown outcome. None: no such
    field."""
    internal_only: bool = False
    """True when DingTalk documents the API for internal apps only (`appType-企业内部应用`):
    a third-party (ISV) app may not call it."""
    empty_reply: bool = False
    """True when DingTalk documents a success as HTTP 2xx without a body; an empty body then
    reads as `{}`."""

    @api.default
    def _api_from_path(self) -> str:
        return api_name(self.path)

    def __attrs_post_init__(self) -> None:
        key = self.dedup_key
        if key is not None and key not in attrs.fields_dict(self.request_type):  # type: ignore[arg-type]
            raise TypeError(f"{self!r}: dedup_key {key!r} is no field of its request")

    def safe_to_repeat(self, request: RequestT) -> bool:
        """Whether sending `request` again after an unknown outcome does no harm: the API is
        `repeat_safe`, or the request carries a value for the `dedup_key`."""
        if self.repeat_safe:
            return True
        return self.dedup_key is not None and getattr(request, self.dedup_key, None) is not None

    def __repr__(self) -> str:
        return f"Endpoint({self.method} {self.host.value}:{self.path})"


@define(frozen=True)
class Family:
    """One API family (`groups`, `robot`, ...): its name and the error codes its endpoints
    share. Its `api.py` declares each endpoint with `endpoint()`."""

    name: str
    """The family's package name, e.g. `groups`."""
    codes: ErrorCodes = field(factory=ErrorCodes)
    """The codes every endpoint of the family may answer with, beyond the common ones."""

    def endpoint(
        self,
        method: str,
        path: str,
        *,
        request: type[RequestT],
        result: type[ResultT],
        repeat_safe: bool,
        doc: str,
        host: Host = Host.API,
        api: str | None = None,
        result_key: str | None = None,
        check: Callable[[int, ResultT], None] | None = None,
        codes: ErrorCodes | None = None,
        dedup_key: str | None = None,
        internal_only: bool = False,
        empty_reply: bool = False,
    ) -> Endpoint[RequestT, ResultT]:
        """Declare one endpoint of the family; `codes` are those only this one adds (the
        other arguments are `Endpoint`'s fields)."""
        merged = COMMON_CODES | self.codes
        if codes is not None:
            merged = merged | codes
        named: dict[str, Any] = {} if api is None else {"api": api}
        return Endpoint(
            method=method,
            path=path,
            host=host,
            request_type=request,
            result_type=result,
            repeat_safe=repeat_safe,
            result_key=result_key,
            check=check,
            codes=merged,
            family=self.name,
            doc=doc,
            dedup_key=dedup_key,
            internal_only=internal_only,
            empty_reply=empty_reply,
            **named,
        )


_PACKAGE = __name__.split(".")[0]


@functools.cache
def declared_endpoints() -> tuple[Endpoint[Any, Any], ...]:
    """Every endpoint the families declare: the `Endpoint` values of each
    `dingtalk_im_async/<family>/api.py`, families in name order.

    Found by name, as the emulator finds its routes, so this module knows no
    family. Two endpoints with one method and path, or one API name, are a
    `ValueError`.
    """
    import pkgutil  # here, not at the top: only tests and the docs ask

    package = importlib.import_module(_PACKAGE)
    found: list[Endpoint[Any, Any]] = []
    for info in sorted(pkgutil.iter_modules(package.__path__), key=lambda info: info.name):
        if not info.ispkg or info.name.startswith("_"):
            continue
        try:
            api = importlib.import_module(f"{_PACKAGE}.{info.name}.api")
        except ModuleNotFoundError as error:
            if error.name != f"{_PACKAGE}.{info.name}.api":
                raise
            continue
        found += [value for value in vars(api).values() if isinstance(value, Endpoint)]
    _check_unique(found)
    return tuple(found)


def _check_unique(endpoints: list[Endpoint[Any, Any]]) -> None:
    places: dict[tuple[str, Host, str], Endpoint[Any, Any]] = {}
    names: dict[str, Endpoint[Any, Any]] = {}
    for endpoint in endpoints:
        place = (endpoint.method, endpoint.host, endpoint.path)
        for other, shared in (
            (places.setdefault(place, endpoint), f"{endpoint.method} {endpoint.path}"),
            (names.setdefault(endpoint.api, endpoint), f"the API name {endpoint.api!r}"),
        ):
            if other is not endpoint:
                raise ValueError(f"{endpoint!r} and {other!r} share {shared}")
