"""Demo mode: sign-in and grading for the learner app on a `pathwise demo` data dir, refused everywhere else.

`pathwise demo` writes the marker `demo.json` into the data dir (`mark_demo`: the demo learners' ids and names).
While it is there, `GET /demo/learners` lists them, `POST /demo/token` issues a short-lived learner token for one
of them (`{"userId": "demo-ana"}`) or for a brand-new demo learner (`{"newLearner": true}`: a fresh `demo-new-*`
id), and `POST /demo/answers` grades a practice answer (`{"exerciseId", "answer"}`, a learner token) as the
platform that owns the item bank would. Without the marker every route answers 404 NOT_FOUND; an id that is not a
demo learner's is 404 NOT_FOUND too. Errors have the shape of the other REST routes'."""

import json
import logging
import secrets
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from app.core.documents import Exercise
from app.core.settings import Settings
from app.core.tokens import InvalidTokenError, Role, TokenVerifier, issue_token
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.placement_tests import graded  # the placement tests' grading: the same rules
from schema.rest.events import RefusedError, caller

log = logging.getLogger("pathwise.api")

DEMO_MARKER = "demo.json"
TOKEN_TTL = timedelta(hours=2)
NEW_LEARNER_PREFIX = "demo-new-"
MAX_BODY_BYTES = 10_000
_NO_STORE = {"cache-control": "no-store"}
NOT_A_DEMO = "this server does not run `pathwise demo` data: demo sign-in is off"


def mark_demo(data_dir: Path, learners: Sequence[tuple[str, str]]) -> Path:
    """Mark `data_dir` as a demo's, listing its learners as (id, name); returns the marker's path."""
    path = data_dir / DEMO_MARKER
    data_dir.mkdir(parents=True, exist_ok=True)
    body = {"learners": [{"userId": user_id, "name": name} for user_id, name in learners]}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def demo_learners(data_dir: Path) -> dict[str, str] | None:
    """The demo learners' names by id, or None when `data_dir` is not a demo's (no readable marker)."""
    try:
        body = json.loads((data_dir / DEMO_MARKER).read_text(encoding="utf-8"))
        return {str(item["userId"]): str(item["name"]) for item in body["learners"]}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as error:
        log.warning("demo marker %s unreadable: %s", data_dir / DEMO_MARKER, error)
        return None


class _RefusedError(Exception):
    """The request is refused: its status, code and why."""

    def __init__(self, status: int, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message

    def response(self) -> JSONResponse:
        body = {"errors": [{"message": self.message, "extensions": {"code": self.code.value}}]}
        return JSONResponse(body, status_code=self.status)


def demo_routes(settings: Settings) -> list[BaseRoute]:
    """The /demo/* routes of a deployment (they check the marker on each request)."""
    verifier = TokenVerifier(settings)

    async def learners(request: Request) -> JSONResponse:
        try:
            known = _known_learners(settings)
        except _RefusedError as refused:
            return refused.response()
        return JSONResponse({"learners": [{"userId": key, "name": name} for key, name in known.items()]})

    async def token(request: Request) -> JSONResponse:
        try:
            user_id = _asked_learner(await _json_object(request), _known_learners(settings))
            value = _issued(settings, user_id)
        except _RefusedError as refused:
            return refused.response()
        return JSONResponse({"userId": user_id, "token": value, "expiresInSeconds": int(TOKEN_TTL.total_seconds())},
                            headers=_NO_STORE)

    async def answers(request: Request) -> JSONResponse:
        try:
            _known_learners(settings)
            _signed_in(request, verifier)
            exercise, answer = await _exercise_and_answer(await _json_object(request))
            correct = graded(exercise, answer, None)
        except _RefusedError as refused:
            return refused.response()
        except UseCaseError as error:
            return _RefusedError(400, error.code, error.message).response()
        return JSONResponse({"exerciseId": exercise.id, "correct": correct}, headers=_NO_STORE)

    return [Route("/demo/learners", learners, methods=["GET"]), Route("/demo/token", token, methods=["POST"]),
            Route("/demo/answers", answers, methods=["POST"])]


def _known_learners(settings: Settings) -> dict[str, str]:
    known = demo_learners(settings.data_dir)
    if known is None:
        raise _RefusedError(404, ErrorCode.NOT_FOUND, NOT_A_DEMO)
    return known


async def _json_object(request: Request) -> dict[str, Any]:
    raw = await request.body()
    try:
        body = json.loads(raw) if len(raw) <= MAX_BODY_BYTES else None
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise _RefusedError(400, ErrorCode.BAD_USER_INPUT, f"the body must be a JSON object (≤ {MAX_BODY_BYTES} bytes)")
    return body


def _asked_learner(body: dict[str, Any], known: dict[str, str]) -> str:
    """The learner the token is for: a demo learner by `userId`, or a new one for `newLearner: true`."""
    if body.get("newLearner") is True:
        return f"{NEW_LEARNER_PREFIX}{secrets.token_hex(6)}"
    user_id = body.get("userId")
    if not isinstance(user_id, str) or not user_id:
        raise _RefusedError(400, ErrorCode.BAD_USER_INPUT,
                            'give {"userId": "<a demo learner>"} or {"newLearner": true}')
    if user_id not in known:
        raise _RefusedError(404, ErrorCode.NOT_FOUND,
                            f"{user_id[:100]!r} is not a demo learner: see GET /demo/learners")
    return user_id


def _issued(settings: Settings, user_id: str) -> str:
    try:
        return issue_token(settings, user_id, [Role.LEARNER], TOKEN_TTL)
    except InvalidTokenError as error:  # RS*/ES* deployments: the identity provider issues tokens
        raise _RefusedError(404, ErrorCode.NOT_FOUND, f"demo sign-in is off: {error}") from error


def _signed_in(request: Request, verifier: TokenVerifier) -> None:
    try:
        caller(request, verifier)
    except RefusedError as refused:
        raise _RefusedError(refused.status, refused.code, refused.message) from refused


async def _exercise_and_answer(body: dict[str, Any]) -> tuple[Exercise, str]:
    exercise_id, answer = body.get("exerciseId"), body.get("answer")
    if not isinstance(exercise_id, str) or not isinstance(answer, str):
        raise _RefusedError(400, ErrorCode.BAD_USER_INPUT, 'give {"exerciseId": "<id>", "answer": "<text>"}')
    exercise = await Exercise.find_one({"_id": exercise_id, "published": True})
    if exercise is None:
        raise _RefusedError(404, ErrorCode.NOT_FOUND, f"no published exercise {exercise_id[:200]!r}")
    return exercise, answer
