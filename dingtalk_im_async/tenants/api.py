"""The third-party (ISV) token API: where a suite gets each organisation's token, and the
error codes that endpoint answers with.

`POST /v1.0/oauth2/corpAccessToken` takes the suite key and secret, the
organisation (`authCorpId`) and the newest suite ticket, and answers
`{accessToken, expireIn}`; asking again while a token is valid returns a new
one, so a fleet must fetch each organisation's token once and share it
(https://open.dingtalk.com/document/development/obtain-the-access-token-of-the-authorized-enterprise-1).
It is not an `Endpoint`: it is what gets the token, like the internal app's.
"""

from __future__ import annotations

from .._core.endpoint import api_name
from ..errors import (
    ErrorCodes,
    InvalidAuthInfoError,
    InvalidSuiteKeyError,
    InvalidSuiteTicketError,
)

__all__ = ["CORP_TOKEN_API", "CORP_TOKEN_PATH", "TENANT_CODES", "UNIFIED_TOKEN_PATH"]

#: The corp token endpoint of third-party enterprise apps.
CORP_TOKEN_PATH = "/v1.0/oauth2/corpAccessToken"
CORP_TOKEN_API = api_name(CORP_TOKEN_PATH)
#: The unified token endpoint (`client_credentials`, no suite ticket) for any app, the
#: organisation in the path
#: (https://open.dingtalk.com/document/development/api-gettoken); whether DingTalk really
#: issues a marketplace app's corp token there without a ticket is not confirmed.
UNIFIED_TOKEN_PATH = "/v1.0/oauth2/{corpId}/token"

#: Their documented refusals: the corp token endpoint's (HTTP 400), and the unified one's
#: 400 `invalid.client` (the key or secret) and 401 `unauthorized.client` (the organisation
#: has not installed the app).
TENANT_CODES = ErrorCodes(
    classes={
        "invalidSuiteTicket": InvalidSuiteTicketError,
        "invalidAuthInfo": InvalidAuthInfoError,
        "invalidSuiteKey": InvalidSuiteKeyError,
        "invalid.client": InvalidSuiteKeyError,
        "unauthorized.client": InvalidAuthInfoError,
    },
    refusals={"unsupported.grant.type"},
)
