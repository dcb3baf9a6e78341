"""The demo routes: refused without the `pathwise demo` marker, refused for a learner who is not a demo's, and a
short-lived learner token (or a grade) otherwise."""

import uuid
from pathlib import Path

import httpx
import jwt
import pytest
from starlette.applications import Starlette

from app.core.documents import Exercise, ExerciseFormat
from app.core.settings import Settings
from app.core.tokens import Role, TokenVerifier, issue_token
from schema.rest.demo import DEMO_MARKER, NEW_LEARNER_PREFIX, TOKEN_TTL, demo_learners, demo_routes, mark_demo

LEARNERS = [("demo-ana", "Ana Ferreira"), ("demo-ben", "Ben Okafor")]


def settings_in(folder: Path, demo: bool = True) -> Settings:
    settings = Settings(data_dir=folder, jwt_secret="a-test-secret-of-at-least-32-bytes!")
    if demo:
        mark_demo(folder, LEARNERS)
    return settings


def client(settings: Settings) -> httpx.AsyncClient:
    app = Starlette(routes=demo_routes(settings))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


def code_of(response: httpx.Response) -> str:
    code: str = response.json()["errors"][0]["extensions"]["code"]
    return code


async def test_every_route_is_refused_without_the_demo_marker(tmp_path: Path) -> None:
    settings = settings_in(tmp_path, demo=False)
    token = issue_token(settings, "demo-ana", [Role.LEARNER], TOKEN_TTL)
    async with client(settings) as http:
        answers = [await http.get("/demo/learners"), await http.post("/demo/token", json={"userId": "demo-ana"}),
                   await http.post("/demo/token", json={"newLearner": True}),
                   await http.post("/demo/answers", json={"exerciseId": "x", "answer": "y"},
                                   headers={"authorization": f"Bearer {token}"})]
    assert [response.status_code for response in answers] == [404] * 4
    assert {code_of(response) for response in answers} == {"NOT_FOUND"}
    assert not (tmp_path / DEMO_MARKER).exists()


async def test_the_marker_lists_the_demo_learners(tmp_path: Path) -> None:
    async with client(settings_in(tmp_path)) as http:
        response = await http.get("/demo/learners")
    assert response.status_code == 200
    assert response.json() == {"learners": [{"userId": "demo-ana", "name": "Ana Ferreira"},
                                             {"userId": "demo-ben", "name": "Ben Okafor"}]}


async def test_a_demo_learner_gets_a_short_lived_learner_token(tmp_path: Path) -> None:
    settings = settings_in(tmp_path)
    async with client(settings) as http:
        response = await http.post("/demo/token", json={"userId": "demo-ana"})
    body = response.json()
    assert response.status_code == 200 and body["userId"] == "demo-ana"
    principal = TokenVerifier(settings).verify(body["token"])
    assert principal.user_id == "demo-ana" and principal.roles == frozenset({Role.LEARNER})
    claims = jwt.decode(body["token"], options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == TOKEN_TTL.total_seconds() == body["expiresInSeconds"]
    assert response.headers["cache-control"] == "no-store"


async def test_a_new_learner_gets_a_fresh_demo_id_each_time(tmp_path: Path) -> None:
    async with client(settings_in(tmp_path)) as http:
        first = (await http.post("/demo/token", json={"newLearner": True})).json()
        second = (await http.post("/demo/token", json={"newLearner": True})).json()
    assert first["userId"].startswith(NEW_LEARNER_PREFIX) and second["userId"].startswith(NEW_LEARNER_PREFIX)
    assert first["userId"] != second["userId"]


@pytest.mark.parametrize("user_id", ["alice", "demo-nobody", "demo-new-0123456789ab"])
async def test_a_learner_who_is_not_a_demo_learner_is_refused(tmp_path: Path, user_id: str) -> None:
    async with client(settings_in(tmp_path)) as http:
        response = await http.post("/demo/token", json={"userId": user_id})
    assert response.status_code == 404 and code_of(response) == "NOT_FOUND"
    assert "token" not in response.json()


@pytest.mark.parametrize("body", [b"not json", b"[]", b'{"userId": 7}', b"{}"])
async def test_a_malformed_request_is_bad_user_input(tmp_path: Path, body: bytes) -> None:
    async with client(settings_in(tmp_path)) as http:
        response = await http.post("/demo/token", content=body)
    assert response.status_code == 400 and code_of(response) == "BAD_USER_INPUT"


def test_an_unreadable_marker_is_no_demo(tmp_path: Path) -> None:
    (tmp_path / DEMO_MARKER).write_text("{ not json")
    assert demo_learners(tmp_path) is None
    assert demo_learners(tmp_path / "elsewhere") is None


async def test_answers_are_graded_for_a_signed_in_learner(tmp_path: Path, database: str) -> None:
    settings = settings_in(tmp_path)
    exercise_id = f"demo-answers-{uuid.uuid4().hex[:8]}"
    await Exercise(id=exercise_id, skills=["arithmetic"], prompt="2 + 2.5?", format=ExerciseFormat.NUMERIC,
                   answers=["4.5"]).insert()
    await Exercise(id=f"{exercise_id}-open", skills=["arithmetic"], prompt="Explain.", format=ExerciseFormat.OPEN,
                   answers=[]).insert()
    token = issue_token(settings, "demo-ana", [Role.LEARNER], TOKEN_TTL)
    bearer = {"authorization": f"Bearer {token}"}
    async with client(settings) as http:
        open_item = await http.post("/demo/answers", json={"exerciseId": f"{exercise_id}-open", "answer": "x"},
                                    headers=bearer)
        no_answer = await http.post("/demo/answers", json={"exerciseId": exercise_id}, headers=bearer)
        right = await http.post("/demo/answers", json={"exerciseId": exercise_id, "answer": " 4.50 "}, headers=bearer)
        wrong = await http.post("/demo/answers", json={"exerciseId": exercise_id, "answer": "5"}, headers=bearer)
        unknown = await http.post("/demo/answers", json={"exerciseId": "no-such-item", "answer": "5"}, headers=bearer)
        anonymous = await http.post("/demo/answers", json={"exerciseId": exercise_id, "answer": "4.5"})
    assert right.json() == {"exerciseId": exercise_id, "correct": True}
    assert wrong.json() == {"exerciseId": exercise_id, "correct": False}
    assert unknown.status_code == 404 and code_of(unknown) == "NOT_FOUND"
    assert anonymous.status_code == 401 and code_of(anonymous) == "UNAUTHENTICATED"
    assert open_item.status_code == 400 and code_of(open_item) == "BAD_USER_INPUT"  # the platform grades those
    assert no_answer.status_code == 400 and code_of(no_answer) == "BAD_USER_INPUT"
