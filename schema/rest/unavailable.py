"""What plain-HTTP routes answer while the database does not: 503 with the code UNAVAILABLE."""

import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from resolvers.errors import STORE_UNAVAILABLE, ErrorCode, store_unavailable

log = logging.getLogger("pathwise.api")


async def database_error_response(request: Request, error: Exception) -> Response:
    """The app's handler of database errors: 503 UNAVAILABLE (retry after a second) when the database did not
    answer; any other database error stays unexpected (re-raised: a 500, logged)."""
    if not store_unavailable(error):
        raise error
    log.warning("%s %s: the database is unavailable (%s)", request.method, request.url.path, type(error).__name__)
    body = {"errors": [{"message": STORE_UNAVAILABLE, "extensions": {"code": ErrorCode.UNAVAILABLE.value}}]}
    return JSONResponse(body, status_code=503, headers={"retry-after": "1"})
