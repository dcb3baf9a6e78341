"""GET /v1/me/export: everything held about the learner as a downloadable JSON file (the same as `myData`,
its `audit_log` section included). A bearer token is required; an admin may name another learner with
`?userId=`. Every export is audited."""

import json
import re
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from app.core.tokens import InvalidTokenError, Principal, TokenVerifier
from resolvers.errors import ErrorCode
from resolvers.privacy.audit import Actor
from resolvers.privacy.data_rights import my_data

_UNSAFE_IN_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")


async def export_my_data(request: Request) -> Response:
    """The learner's data as a JSON attachment; 401 without a valid token, 403 for someone else's data."""
    principal = _principal(request)
    if isinstance(principal, Response):
        return principal
    user_id = request.query_params.get("userId") or principal.user_id
    if not principal.may_act_for(user_id):
        return _error(403, ErrorCode.FORBIDDEN, "learners may only export their own data")
    actor = Actor(principal.user_id, tuple(sorted(principal.roles)), "GET /v1/me/export",
                  request.scope.get("request_id") or request.headers.get("x-request-id"))
    body = json.dumps(await my_data(user_id, actor), ensure_ascii=False, indent=2)
    return Response(body, media_type="application/json", headers={
        "content-disposition": f'attachment; filename="{_filename(user_id)}"', "cache-control": "no-store"})


def _principal(request: Request) -> Principal | Response:
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _error(401, ErrorCode.UNAUTHENTICATED, "a bearer token is required: Authorization: Bearer <token>")
    try:
        return _verifier(request).verify(token.strip())
    except InvalidTokenError as error:
        return _error(401, ErrorCode.UNAUTHENTICATED, f"invalid token: {error}")


def _verifier(request: Request) -> TokenVerifier:
    """One verifier per app (it holds the key, or the JWKS client and its cache)."""
    state = request.app.state
    verifier: TokenVerifier | None = getattr(state, "export_token_verifier", None)
    if verifier is None:
        verifier = TokenVerifier(state.settings)
        state.export_token_verifier = verifier
    return verifier


def _filename(user_id: str) -> str:
    return f"pathwise-export-{_UNSAFE_IN_FILENAME.sub('_', user_id)[:100]}.json"


def _error(status: int, code: ErrorCode, message: str) -> JSONResponse:
    body: dict[str, Any] = {"errors": [{"message": message, "extensions": {"code": code.value}}]}
    headers = {"www-authenticate": "Bearer"} if status == 401 else None
    return JSONResponse(body, status_code=status, headers=headers)
