"""A third-party app's tokens for the organisations that installed it:

- `POST /v1.0/oauth2/corpAccessToken` (`{suiteKey, suiteSecret, authCorpId, suiteTicket}` ->
  `{accessToken, expireIn}`; https://open.dingtalk.com/document/development/obtain-the-access-token-of-the-authorized-enterprise-1):
  400 `invalidSuiteKey` for an unknown key or a wrong secret, `invalidSuiteTicket` for a
  ticket that is not the suite's current one, `invalidAuthInfo` for an organisation that has
  not installed the suite; a new token on every fetch;
- `POST /v1.0/oauth2/{corpId}/token` (`{client_id, client_secret, grant_type}` ->
  `{access_token, expires_in}`; https://open.dingtalk.com/document/development/api-gettoken),
  the unified endpoint: a suite's credentials give a corp token of `corpId` without a ticket
  (whether DingTalk asks for none is unconfirmed), the internal app's give its own token for
  its own organisation. 400 `invalid.client`, `unsupported.grant.type`; 401
  `unauthorized.client` for an organisation that has not installed the app.

Both are token APIs: no token, no QPS limit, no quota (calls still counted).
"""

from __future__ import annotations

import secrets
from typing import Any

from aiohttp import web

from .._replies import JSON_HINT, error_reply, json_reply
from ..routes import Call, Route
from .tenants import Tenant

__all__ = ["CORP_TOKEN_PATH", "ROUTES", "TENANT_TOKEN_APIS", "UNIFIED_TOKEN_PATH"]

CORP_TOKEN_PATH = "/v1.0/oauth2/corpAccessToken"
UNIFIED_TOKEN_PATH = "/v1.0/oauth2/{corpId}/token"
_FIELDS = ("suiteKey", "suiteSecret", "authCorpId", "suiteTicket")


def _seconds(lifetime: float) -> float | int:
    """A lifetime as the reply gives it: whole seconds as an integer (`7200`)."""
    return int(lifetime) if lifetime.is_integer() else lifetime


def _same(given: str, expected: str) -> bool:
    return secrets.compare_digest(given.encode(), expected.encode())


def _missing(body: Any, keys: tuple[str, ...]) -> web.Response | None:
    for key in keys:
        if not isinstance(body, dict) or not isinstance(body.get(key), str) or not body[key]:
            return error_reply(
                400, f"Missing{key}", f"{key} is mandatory for this action ({JSON_HINT})"
            )
    return None


async def corp_access_token(call: Call) -> web.Response:
    """`POST /v1.0/oauth2/corpAccessToken`: a new token of the suite in the organisation."""
    body = call.body
    refusal = _missing(body, _FIELDS)
    if refusal is not None:
        return refusal
    settings = call.settings
    suite_key, corp_id = body["suiteKey"], body["authCorpId"]
    secret = settings.suites.get(suite_key)
    if secret is None or not _same(body["suiteSecret"], secret):
        return error_reply(400, "invalidSuiteKey", "suiteKey或suiteSecret不合法")
    tenants = call.emulator.tenants
    if not _same(body["suiteTicket"], tenants.ticket(suite_key)):
        return error_reply(400, "invalidSuiteTicket", "suiteTicket不合法")
    if not tenants.authorised(settings, suite_key, corp_id):
        return error_reply(400, "invalidAuthInfo", "授权关系不存在")
    token = tenants.issue(Tenant(suite_key, corp_id), settings.token_lifetime)
    return json_reply(200, {"accessToken": token, "expireIn": _seconds(settings.token_lifetime)})


async def unified_token(call: Call) -> web.Response:
    """`POST /v1.0/oauth2/{corpId}/token` with `client_credentials`: the app's token there."""
    body = call.body
    refusal = _missing(body, ("client_id", "client_secret", "grant_type"))
    if refusal is not None:
        return refusal
    if body["grant_type"] != "client_credentials":
        return error_reply(400, "unsupported.grant.type", "不支持的grant_type")
    settings = call.settings
    client_id, corp_id = body["client_id"], call.params["corpId"]
    lifetime = settings.token_lifetime
    if client_id == settings.app_key and _same(body["client_secret"], settings.app_secret):
        if corp_id != call.emulator.stream.corp_id:
            return error_reply(401, "unauthorized.client", "应用未授权")
        token = call.emulator.issue_token()
        return json_reply(200, {"access_token": token, "expires_in": _seconds(lifetime)})
    secret = settings.suites.get(client_id)
    if secret is None or not _same(body["client_secret"], secret):
        return error_reply(400, "invalid.client", "无效的client_id或client_secret")
    tenants = call.emulator.tenants
    if not tenants.authorised(settings, client_id, corp_id):
        return error_reply(401, "unauthorized.client", "应用未授权")
    token = tenants.issue(Tenant(client_id, corp_id), lifetime)
    return json_reply(200, {"access_token": token, "expires_in": _seconds(lifetime)})


ROUTES = (
    Route(method="POST", path=CORP_TOKEN_PATH, handler=corp_access_token, authenticated=False),
    Route(method="POST", path=UNIFIED_TOKEN_PATH, handler=unified_token, authenticated=False),
)

#: The APIs of the two routes (`oauth2.corpAccessToken`, `oauth2.token`).
TENANT_TOKEN_APIS = tuple(route.api for route in ROUTES)
