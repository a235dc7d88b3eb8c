"""What DingTalk's gateways answer before any API runs: token, QPS, permission, unknown path.

v1.0 (`api.dingtalk.io`) answers with HTTP 4xx and `{"code", "message", "requestid"}`;
the legacy `oapi` host answers HTTP 200 and an `errcode` envelope. Sources:
the live API's own replies to calls without a valid token or to unknown paths
(bodies quoted below), the QPS and permission codes from DingTalk's error-code
page (https://open.dingtalk.com/document/development/server-api-error-codes-1), and, for an
unknown v1.0 path, `InvalidAction.NotFound` as quoted in
aliyun/alibabacloud-go-sdk#5 (a live 404 from `api.dingtalk.com/v1.0/oauth2/...`).
"""

from __future__ import annotations

from aiohttp import web

from .._core.endpoint import Host
from ._replies import error_reply, oapi_error, oapi_request_id, oapi_sub_error

__all__ = [
    "TOKEN_HEADER",
    "invalid_token",
    "missing_token",
    "permission_denied",
    "qps_exceeded",
    "quota_spent",
    "suite_qps_exceeded",
    "unknown_path",
]

TOKEN_HEADER = "x-acs-dingtalk-access-token"
TOKEN_QUERY = "access_token"
_INVALID_TOKEN = "不合法的access_token"


def _is_topapi(path: str) -> bool:
    """Legacy `/topapi/...` APIs answer gateway refusals as errcode 88 with a sub code."""
    return path.startswith("/topapi/")


def missing_token(host: Host, path: str) -> web.Response:
    """No token at all: v1.0 400 `AuthenticationFailed.MissingParameter` (the live API's
    reply; not on the error-code page)."""
    if host is Host.API:
        return error_reply(400, "AuthenticationFailed.MissingParameter", f"缺少参数 {TOKEN_HEADER}")
    if _is_topapi(path):
        return oapi_sub_error("40000", "access_token is blank")  # the live topapi reply
    return oapi_error(40014, _INVALID_TOKEN)  # GUESS: the older paths say "invalid" for both


def invalid_token(host: Host, path: str) -> web.Response:
    """An unknown, expired or revoked token (v1.0 `InvalidAuthentication`; oapi errcode 88 with
    sub_code 40014, as the live API answers)."""
    if host is Host.API:
        return error_reply(400, "InvalidAuthentication", _INVALID_TOKEN)
    if _is_topapi(path):
        return oapi_sub_error("40014", _INVALID_TOKEN)
    return oapi_error(40014, _INVALID_TOKEN)


def qps_exceeded(host: Host) -> web.Response:
    """Over the app's per-API limit in this second (legacy: errcode 90018)."""
    if host is Host.API:
        return error_reply(
            403, "Forbidden.AccessDenied.QpsLimitForAppkeyAndApi", "应用调用该接口的QPS超过限制"
        )
    return oapi_error(90018, "当前企业调用该接口的QPS超过限制")


def suite_qps_exceeded(host: Host) -> web.Response:
    """Over a third-party app's limit for one organisation and API in this second
    (https://open.dingtalk.com/document/development/server-api-error-codes-1; legacy: errcode
    90018, as for an app's own limit)."""
    if host is Host.API:
        return error_reply(
            403,
            "Forbidden.AccessDenied.QpsLimitForSuitekeyAndOrgAndApi",
            "第三方应用在该企业调用该接口的QPS超过限制",
        )
    return oapi_error(90018, "当前企业调用该接口的QPS超过限制")


def quota_spent(host: Host) -> web.Response:
    """The organisation's monthly call quota is spent (https://open.dingtalk.com/document/
    development/dingtalk-application-development-platform-billing-model; the HTTP status
    is not documented, 403 as for the other `Forbidden.AccessDenied` codes is a GUESS;
    legacy: errcode 90020)."""
    if host is Host.API:
        return error_reply(
            403, "Forbidden.AccessDenied.ApiCountLimitForOrg", "企业调用接口次数超过每月限制"
        )
    return oapi_error(90020, "企业调用接口次数超过每月限制")


def permission_denied(host: Host, scope: str) -> web.Response:
    """The app does not hold `scope` (legacy: errcode 88, sub code 60011)."""
    if host is Host.API:
        return error_reply(
            403,
            "Forbidden.AccessDenied.AccessTokenPermissionDenied",
            f"没有调用该接口的权限,接口权限申请参考:{scope}",
            accessdenieddetail={"requiredScopes": [scope]},
        )
    return oapi_sub_error("60011", "没有调用该接口的权限")


def unknown_path(path: str) -> web.Response:
    """No API at this path (or not with this method), as each gateway says it.

    - `/v1.0/...`: HTTP 404 `InvalidAction.NotFound`;
    - `/oapi/topapi/...`: HTTP 200 errcode 22 naming the ApiName (the live reply);
    - anything else on either host: HTTP 200 errcode 404 (the live reply).
    """
    if path.startswith("/v1.0/"):
        return error_reply(
            404,
            "InvalidAction.NotFound",
            "Specified api is not found, please check your url and method.",
        )
    legacy = path.removeprefix("/oapi")
    if path.startswith("/oapi/") and _is_topapi(legacy):
        api = "dingtalk.oapi." + ".".join(part for part in legacy.split("/")[2:] if part)
        message = f"不合法ApiName，ApiName = {api}"
        return oapi_error(
            22, f"Invalid method[submsg={message}]", sub_msg=message, request_id=oapi_request_id()
        )
    return oapi_error(404, "请求的URI地址不存在")
