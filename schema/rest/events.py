"""`POST /v1/events`: the batches of `trackEvents` as plain JSON, for trackers and `navigator.sendBeacon`.

The body is JSON, sent as `application/json`, as `text/plain` (what `sendBeacon` sends on page unload, with no
CORS preflight) or with no content type. It is `{"events": [...]}`, a bare array of the same events, or a
Segment/RudderStack batch `{"batch": [...]}` (see `schema.rest.segment`). Every event gets its own result; one
bad event never sinks the batch. Auth is `Authorization: Bearer <token>`, or `?token=<token>` where a header
cannot be set (`sendBeacon`): URLs end up in logs, so only short-lived learner tokens belong there.
"""

import logging
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse

from app.core.documents import AuditAction
from app.core.http.middleware import BodyTooLargeError
from app.core.identifiers import id_problem
from app.core.settings import Settings
from app.core.tokens import InvalidTokenError, Principal, Role, TokenVerifier
from resolvers.errors import ErrorCode, UseCaseError, store_unavailable
from resolvers.events.tracking import MAX_EVENT_ID_LENGTH, EventResult, EventStatus, IngestOptions, track_events
from resolvers.privacy.audit import Actor, AuditLog, entry
from schema.context import Context
from schema.events.schema import ingest_options
from schema.request_bodies import BadRequestBodyError, json_value
from schema.rest.segment import event_from_call

log = logging.getLogger("pathwise.api")

JSON_MEDIA_TYPES = frozenset({"", "application/json", "text/plain"})
# camelCase event fields -> the names `track_events` takes; other fields are ignored
_FIELDS = {"eventId": "event_id", "type": "type", "userId": "user_id", "courseId": "course_id",
           "timestamp": "client_timestamp", "sessionId": "session_id", "properties": "properties",
           "context": "context"}
_CONTEXT_FIELDS = {"device": "device", "os": "os", "browser": "browser", "screen": "screen", "locale": "locale",
                   "timezone": "timezone", "network": "network", "appVersion": "app_version", "country": "country",
                   "city": "city"}
_STATUS_CODES = {ErrorCode.UNAUTHENTICATED: 401, ErrorCode.FORBIDDEN: 403, ErrorCode.UNAVAILABLE: 503}


class RefusedError(Exception):
    """The whole request is refused: nothing is stored."""

    def __init__(self, code: ErrorCode, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status or _STATUS_CODES.get(code, 400)

    def response(self) -> JSONResponse:
        headers = {"www-authenticate": "Bearer"} if self.status == 401 else {}
        if self.status == 503:
            headers["retry-after"] = "1"
        body = {"errors": [{"message": self.message, "extensions": {"code": self.code.value}}]}
        return JSONResponse(body, status_code=self.status, headers=headers)


@dataclass(frozen=True)
class NotAnEvent:
    """An item of the batch that cannot be an event; it is rejected on its own."""

    event_id: str
    code: ErrorCode
    message: str


def events_endpoint(settings: Settings) -> Callable[[Request], Awaitable[JSONResponse]]:
    """The `POST /v1/events` endpoint of a deployment."""
    verifier = TokenVerifier(settings)

    async def post_events(request: Request) -> JSONResponse:
        try:
            principal = caller(request, verifier)
            events = incoming_events(await request.body(), request.headers.get("content-type"),
                                     settings.max_events_per_batch)
            results = await track(events, principal, _options(request, settings))
            _audit_others(request, principal, events)
        except RefusedError as refused:
            return refused.response()
        except BodyTooLargeError:
            raise  # answered by the body limit middleware
        except Exception as error:  # unexpected: masked for the client, logged with the request id
            if store_unavailable(error):
                raise  # the app answers 503 UNAVAILABLE
            return _internal_error(request)
        return JSONResponse(summary(results))

    return post_events


def caller(request: Request, verifier: TokenVerifier) -> Principal:
    """Who sends the events: from the Authorization header, else from `?token=`."""
    header = request.headers.get("authorization", "")
    in_url = not header
    scheme, _, token = header.partition(" ") if header else ("bearer", "", request.query_params.get("token", ""))
    if scheme.lower() != "bearer" or not token.strip():
        message = ("the Authorization header must be `Bearer <token>`" if header
                   else "a bearer token is required (Authorization header, or ?token= for sendBeacon)")
        raise RefusedError(ErrorCode.UNAUTHENTICATED, message)
    try:
        principal = verifier.verify(token.strip())
    except InvalidTokenError as error:
        raise RefusedError(ErrorCode.UNAUTHENTICATED, f"invalid token: {error}") from error
    if in_url and Role.ADMIN in principal.roles:
        raise RefusedError(ErrorCode.FORBIDDEN, "admin tokens may not travel in URLs; use the Authorization header")
    return principal


def _audit_others(request: Request, principal: Principal, events: list[dict[str, Any] | NotAnEvent]) -> None:
    """Record, once per learner, that the caller sent events of another learner (an admin)."""
    audit_log: AuditLog | None = getattr(request.app.state, "audit_log", None)
    named = [event.get("userId") for event in events if isinstance(event, dict)]  # any JSON value: not hashable
    others = sorted({o for o in named if isinstance(o, str) and o != principal.user_id and principal.may_act_for(o)})
    if audit_log is None or not others:
        return
    actor = Actor(principal.user_id, tuple(sorted(principal.roles)), "POST /v1/events", request.scope.get("request_id"))
    for learner in others:
        audit_log.record_later(entry(actor, AuditAction.ACCESS, learner))


def incoming_events(body: bytes, content_type: str | None, max_events: int) -> list[dict[str, Any] | NotAnEvent]:
    """The batch's events in our camelCase shape (or why one is not an event), in order."""
    media_type = (content_type or "").partition(";")[0].strip().lower()
    if media_type not in JSON_MEDIA_TYPES and not media_type.endswith("+json"):
        raise RefusedError(ErrorCode.BAD_USER_INPUT, f"unsupported content type {media_type!r}; send JSON "
                           "(application/json, or text/plain as sendBeacon does)", status=415)
    try:
        payload = json_value(body)
    except BadRequestBodyError as error:  # invalid UTF-8 or JSON, too deep, too many digits
        raise RefusedError(ErrorCode.BAD_USER_INPUT, error.reason) from error
    items, from_segment = _batch(payload)
    if not items:
        raise RefusedError(ErrorCode.BAD_USER_INPUT, "the batch is empty")
    if len(items) > max_events:
        raise RefusedError(ErrorCode.BAD_USER_INPUT, f"at most {max_events} events per call; got {len(items)}")
    return [_event(item, from_segment) for item in items]


def _batch(payload: Any) -> tuple[list[Any], bool]:
    if isinstance(payload, list):
        return payload, False
    if isinstance(payload, dict) and isinstance(payload.get("events"), list):
        return payload["events"], False
    if isinstance(payload, dict) and isinstance(payload.get("batch"), list):
        return payload["batch"], True
    raise RefusedError(ErrorCode.BAD_USER_INPUT,
                       'expected {"events": [...]}, a JSON array of events, or a Segment batch {"batch": [...]}')


def _event(item: Any, from_segment: bool) -> dict[str, Any] | NotAnEvent:
    if not isinstance(item, dict):
        return NotAnEvent("", ErrorCode.BAD_USER_INPUT, "an event must be a JSON object")
    if not from_segment:
        return item
    event = event_from_call(item)
    if isinstance(event, dict):
        return event
    return NotAnEvent(str(item.get("messageId") or ""), event.code, event.message)


async def track(events: list[dict[str, Any] | NotAnEvent], principal: Principal,
                options: IngestOptions) -> list[EventResult]:
    """Store the events the caller may send; one result per event, in order."""
    results: dict[int, EventResult] = {}
    raw: list[dict[str, Any]] = []
    positions: list[int] = []
    for index, event in enumerate(events):
        outcome = _checked(index, event, principal)
        if isinstance(outcome, EventResult):
            results[index] = outcome
        else:
            raw.append(outcome)
            positions.append(index)
    if raw:
        try:
            stored = await track_events(raw, options)
        except UseCaseError as error:
            raise RefusedError(error.code, error.message) from error
        for index, result in zip(positions, stored, strict=True):
            results[index] = result if result.index == index else replace(result, index=index)
    return [results[index] for index in range(len(events))]


def _checked(index: int, event: dict[str, Any] | NotAnEvent, principal: Principal) -> dict[str, Any] | EventResult:
    """The event as `track_events` takes it, or its rejection: not an event, someone else's, bad timestamp."""
    if isinstance(event, NotAnEvent):
        return EventResult(index, event.event_id, EventStatus.REJECTED, event.code, event.message)
    raw = snake_case_event(event)
    event_id = _shown_id(raw.get("event_id"))
    if "user_id" in raw and not isinstance(raw["user_id"], str):
        return EventResult(index, event_id, EventStatus.REJECTED, ErrorCode.BAD_USER_INPUT, "userId must be a string")
    raw.setdefault("user_id", principal.user_id)
    if not principal.may_act_for(raw["user_id"]):
        message = "learners may only send their own events"
        return EventResult(index, event_id, EventStatus.REJECTED, ErrorCode.FORBIDDEN, message)
    stamp = raw.get("client_timestamp")
    if stamp is not None:
        parsed = _timestamp(stamp)
        if parsed is None:
            message = "timestamp must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z"
            return EventResult(index, event_id, EventStatus.REJECTED, ErrorCode.BAD_USER_INPUT, message)
        raw["client_timestamp"] = parsed
    return raw


def snake_case_event(event: dict[str, Any]) -> dict[str, Any]:
    """A camelCase event as `track_events` takes it; nulls mean "not given"; unknown fields are dropped."""
    raw = {_FIELDS[key]: value for key, value in event.items() if key in _FIELDS and value is not None}
    if isinstance(raw.get("event_id"), int) and not isinstance(raw["event_id"], bool):
        raw["event_id"] = str(raw["event_id"])
    if isinstance(raw.get("context"), dict):
        context = raw["context"]
        raw["context"] = {_CONTEXT_FIELDS[k]: v for k, v in context.items() if k in _CONTEXT_FIELDS and v is not None}
    return raw


def _timestamp(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        return None


def summary(results: list[EventResult]) -> dict[str, Any]:
    """The response body: counts, then one result per event."""
    counts = Counter(result.status for result in results)
    return {
        "accepted": counts[EventStatus.ACCEPTED], "duplicates": counts[EventStatus.DUPLICATE],
        "rejected": counts[EventStatus.REJECTED],
        "results": [{"index": r.index, "eventId": _shown_id(r.event_id), "status": r.status.name,
                     "code": r.code.value if r.code else None, "message": r.message} for r in results],
    }


def _shown_id(event_id: Any) -> str:
    """The event id as a result shows it: "" where it is not an id (it may not even encode as UTF-8)."""
    return event_id if id_problem(event_id, MAX_EVENT_ID_LENGTH) is None else ""


def _options(request: Request, settings: Settings) -> IngestOptions:
    state = request.app.state
    return ingest_options(Context(request=request, response=None, settings=settings,
                                  event_writer=getattr(state, "event_writer", None),
                                  recommendations=getattr(state, "recommendations", None)))


def _internal_error(request: Request) -> JSONResponse:
    request_id = request.scope.get("request_id")
    log.exception("unexpected error in POST /v1/events (request %s)", request_id)
    error = {"message": "Unexpected error.", "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}}
    return JSONResponse({"errors": [error]}, status_code=500)
