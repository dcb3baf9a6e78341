"""`recommendations`, `similarCourses` and `recommenders` over HTTP on a live server, trained with the
real `pathwise train` command while the server runs (it picks the artifacts up without a restart)."""

import os
import subprocess
import sys
import time
from typing import Any

import httpx
import pytest

from app.core.tokens import Role
from tests.conftest import REPO, LiveServer
from tests.schema.test_http import codes, gql

SKILL = "Recotest Skill"
QUERY = """query($f: RecommendationFilters, $c: RecommendationContext, $s: String!, $u: ID) {
  recommendations(strategy: $s, first: 3, filters: $f, context: $c, userId: $u) {
    requestId strategy fallback items { course { id } score source reasons { code text } } } }"""


def _course(number: int, **extra: Any) -> dict[str, Any]:
    return {"id": f"reco-{number}", "title": f"Recotest course {number}", "skills": [SKILL], **extra}


@pytest.fixture(scope="module")
def trained(live_server: LiveServer) -> LiveServer:
    courses = [_course(1, durationMinutes=600), _course(2, prerequisites=["reco-1"], durationMinutes=600),
               _course(3, durationMinutes=5), _course(4, durationMinutes=700)]
    with live_server.client("reco-partner", Role.PARTNER) as partner:
        body = gql(partner, "mutation($c: [CourseInput!]!) { upsertCourses(input: $c) { errors { message } } }",
                   {"c": courses})
        assert body["data"]["upsertCourses"]["errors"] == []  # type: ignore[index]
    for learner in range(6):
        with live_server.client(f"reco-l{learner}") as client:
            for course in ("reco-1", "reco-2"):
                assert gql(client, 'mutation($c: ID!) { enroll(courseId: $c) { errors { message } } }',
                           {"c": course})["data"]["enroll"]["errors"] == []  # type: ignore[index]
    settings = live_server.settings
    env = {**os.environ, "PATHWISE_MONGODB_URI": settings.mongodb_uri or "", "PATHWISE_DATABASE": settings.database,
           "PATHWISE_DATA_DIR": str(settings.data_dir)}
    done = subprocess.run([sys.executable, "-m", "app", "train"], env=env, cwd=REPO, capture_output=True, text=True, check=False,
                          timeout=600)
    assert done.returncode == 0, done.stderr
    assert "cf: artifact" in done.stdout and "hybrid: composed" in done.stdout
    _wait_until_ready(live_server)
    return live_server


def _wait_until_ready(server: LiveServer, deadline_s: float = 60) -> None:
    deadline = time.monotonic() + deadline_s
    with server.client("reco-watch") as client:
        while time.monotonic() < deadline:
            listed = gql(client, "{ recommenders { name status } }")["data"]["recommenders"]  # type: ignore[index]
            if {r["name"]: r["status"] for r in listed}.get("cf") == "READY":
                return
            time.sleep(0.2)
    raise AssertionError("the server never loaded the trained cf artifact")


def test_recommendations_need_a_token_and_learners_only_ask_for_themselves(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.base_url) as anonymous:
        assert codes(gql(anonymous, QUERY, {"s": "auto"})) == ["UNAUTHENTICATED"]
    with live_server.client("reco-a") as a:
        assert codes(gql(a, QUERY, {"s": "auto", "u": "reco-b"})) == ["FORBIDDEN"]


def test_unknown_strategy_is_bad_input_listing_the_installed_names(live_server: LiveServer) -> None:
    with live_server.client("reco-a") as a:
        body = gql(a, QUERY, {"s": "nope"})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "auto, hybrid, content, cf, sequence, popular" in body["errors"][0]["message"]  # type: ignore[index]


def test_recommenders_lists_trained_artifacts(trained: LiveServer) -> None:
    with trained.client("reco-a") as a:
        listed = gql(a, "{ recommenders { name version enabled status trainedAt artifactVersion configHash } }")
    by_name = {r["name"]: r for r in listed["data"]["recommenders"]}  # type: ignore[index]
    assert by_name["cf"]["status"] == "READY" and by_name["cf"]["artifactVersion"].endswith(by_name["cf"]["configHash"])
    assert by_name["hybrid"]["status"] == "COMPOSED"
    assert by_name["item_knn"]["enabled"] is False and by_name["item_knn"]["status"] == "DISABLED"


def test_a_learner_gets_the_next_step_with_reasons(trained: LiveServer) -> None:
    with trained.client("reco-new") as learner:
        gql(learner, "mutation { setConsent(purpose: PERSONALIZATION, granted: true) { errors { code } } }")
        enrolled = gql(learner, 'mutation { enroll(courseId: "reco-1") { errors { message } } }')
        assert enrolled["data"]["enroll"]["errors"] == []  # type: ignore[index]
        body = gql(learner, QUERY, {"s": "auto", "f": {"skills": [SKILL]}})
    answer = body["data"]["recommendations"]  # type: ignore[index]
    ids = [item["course"]["id"] for item in answer["items"]]
    assert answer["strategy"] == "hybrid" and answer["fallback"] is False and len(answer["requestId"]) == 32
    assert ids[0] == "reco-2" and "reco-1" not in ids
    assert all(item["reasons"] and item["reasons"][0]["text"] for item in answer["items"])


def test_a_phone_with_ten_free_minutes_gets_the_short_course_first(trained: LiveServer) -> None:
    with trained.client("reco-phone") as learner:
        body = gql(learner, QUERY, {"s": "popular", "f": {"skills": [SKILL]},
                                    "c": {"device": "mobile", "availableMinutes": 10}})
    items = body["data"]["recommendations"]["items"]  # type: ignore[index]
    assert items[0]["course"]["id"] == "reco-3"
    assert "FITS_YOUR_TIME" in [reason["code"] for reason in items[0]["reasons"]]


def test_similar_courses(trained: LiveServer) -> None:
    with trained.client("reco-a") as a:
        body = gql(a, '{ similarCourses(courseId: "reco-1", first: 3) { course { id } reasons { code } } }')
        missing = gql(a, '{ similarCourses(courseId: "reco-none") { course { id } } }')
    ids = [item["course"]["id"] for item in body["data"]["similarCourses"]]  # type: ignore[index]
    assert ids and "reco-1" not in ids
    assert codes(missing) == ["NOT_FOUND"]


def test_a_partner_back_end_may_ask_for_any_learner(live_server: LiveServer) -> None:
    with live_server.client("reco-platform", Role.PARTNER) as partner:
        body = gql(partner, QUERY, {"s": "popular", "u": "reco-someone"})
    assert "errors" not in body
    assert body["data"]["recommendations"]["strategy"] == "popular"  # type: ignore[index]


CACHE = "{ recommendationCache { enabled seconds size hits misses } }"


def test_a_repeated_question_is_answered_from_the_cache_until_the_learner_acts(trained: LiveServer) -> None:
    with trained.client("reco-ops", Role.PARTNER) as partner, trained.client("reco-cached") as learner:
        before = gql(partner, CACHE)["data"]["recommendationCache"]  # type: ignore[index]
        first, again, third = (gql(learner, QUERY, {"s": "auto", "f": {"skills": [SKILL]}})["data"]["recommendations"]  # type: ignore[index]
                               for _ in range(3))  # the third is answered from the response kept with the list
        after = gql(partner, CACHE)["data"]["recommendationCache"]  # type: ignore[index]
        top = first["items"][0]["course"]["id"]
        enrolled = gql(learner, 'mutation($c: ID!) { enroll(courseId: $c) { errors { message } } }', {"c": top})
        assert enrolled["data"]["enroll"]["errors"] == []  # type: ignore[index]
        fresh = gql(learner, QUERY, {"s": "auto", "f": {"skills": [SKILL]}})["data"]["recommendations"]  # type: ignore[index]
        assert codes(gql(learner, CACHE)) == ["FORBIDDEN"]
    assert not first["fallback"] and again["items"] == first["items"] and again["requestId"] != first["requestId"]
    assert third == {**again, "requestId": third["requestId"]} and third["requestId"] not in (first["requestId"],
                                                                                             again["requestId"])
    assert after["enabled"] and after["hits"] == before["hits"] + 2 and after["misses"] == before["misses"] + 1
    assert top not in [item["course"]["id"] for item in fresh["items"]]
