"""Practice over HTTP: a whole placement test, its refusals, and the review queue (live `pathwise serve`)."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from pymongo.database import Database

from app.core.tokens import Role
from recommenders.placement import MAX_ITEMS
from recommenders.spaced_repetition import ItemMemory, QuizOutcome, SpacedRepetition
from tests.conftest import LiveServer

TEST_FIELDS = "id status skills itemsAnswered ability standardError level stopReason " \
              "nextItem { id prompt format choices skills }"
START = f"mutation($skills: [ID!]) {{ startPlacementTest(skills: $skills) {{ test {{ {TEST_FIELDS} }} " \
        "errors { code message } } }"
ANSWER = f"mutation($t: ID!, $i: ID!, $a: String, $c: Boolean) {{ answerPlacementItem(testId: $t, itemId: $i, " \
         f"answer: $a, correct: $c) {{ test {{ {TEST_FIELDS} }} errors {{ code message }} }} }}"
QUEUE = "query($u: ID, $n: Int) { reviewQueue(userId: $u, first: $n) { id exerciseId exercise { id prompt format " \
        "choices skills } skills due recallProbability lastReview reviews } }"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def seed_bank(store: Database[dict[str, Any]], skill: str) -> dict[str, dict[str, Any]]:
    """21 items of `skill`, b = -3 … 3; the accepted answer of an item is "Answer <its id>"."""
    bank = [exercise(f"{skill}-{k:02d}", skill, prompt=f"Q{k}", format="short_answer",
                     answers=[f"Answer {skill}-{k:02d}"], difficulty=round(-3 + 0.3 * k, 2), discrimination=2.0)
            for k in range(21)]
    store["exercises"].insert_many(bank)
    return {e["_id"]: e for e in bank}


def exercise(exercise_id: str, skill: str, **fields: Any) -> dict[str, Any]:
    """An `exercises` document as the app stores it (Beanie is not initialised in HTTP tests)."""
    now = datetime.now(UTC)
    return {"_id": exercise_id, "skills": [skill], "prompt": "", "format": "multiple_choice", "choices": [],
            "answers": [], "difficulty": 0.0, "discrimination": 1.0, "expected_seconds": None, "course_id": None,
            "lesson_id": None, "published": True, "created_at": now, "updated_at": now, **fields}


def call(live_server: LiveServer, user: str, query: str, *roles: Role, **variables: Any) -> dict[str, Any]:
    with live_server.client(user, *roles) as client:
        body: dict[str, Any] = client.post("/graphql", json={"query": query, "variables": variables}).json()
    return body


def start(live_server: LiveServer, user: str, skill: str) -> dict[str, Any]:
    payload = call(live_server, user, START, skills=[skill])["data"]["startPlacementTest"]
    assert payload["errors"] == []
    test: dict[str, Any] = payload["test"]
    return test


def answer(live_server: LiveServer, user: str, test: dict[str, Any], text: str | None, *roles: Role,
           correct: bool | None = None) -> dict[str, Any]:
    variables = {"t": test["id"], "i": test["nextItem"]["id"], "a": text, "c": correct}
    payload: dict[str, Any] = call(live_server, user, ANSWER, *roles, **variables)["data"]["answerPlacementItem"]
    return payload


def test_a_learner_of_known_ability_is_placed_within_the_item_limit(live_server: LiveServer, store: Any) -> None:
    user, skill = unique("learner"), unique("algebra")
    bank = seed_bank(store, skill)
    test = start(live_server, user, skill)
    assert (test["status"], test["itemsAnswered"], test["skills"]) == ("IN_PROGRESS", 0, [skill])
    assert test["nextItem"]["id"] == f"{skill}-10"  # b = 0: most informative at the prior mean
    answered = 0
    while test["nextItem"] is not None:
        item = bank[test["nextItem"]["id"]]
        text = f"  {item['answers'][0].upper()} " if item["difficulty"] < 1.5 else "no idea"  # ability 1.5
        payload = answer(live_server, user, test, text)
        assert payload["errors"] == []
        test, answered = payload["test"], answered + 1
        assert answered <= MAX_ITEMS
    assert (test["status"], test["level"], test["itemsAnswered"]) == ("FINISHED", "advanced", answered)
    assert test["stopReason"] in {"se", "limit"} and test["ability"] > 0.5 and test["standardError"] < 1
    state = store["knowledge_states"].find_one({"_id": user})
    assert state is not None and state["level"] == "advanced" and state["skills"][skill]["source"] == "placement"


def test_a_double_submit_is_rejected(live_server: LiveServer, store: Any) -> None:
    user, skill = unique("learner"), unique("algebra")
    seed_bank(store, skill)
    test = start(live_server, user, skill)
    assert answer(live_server, user, test, "x")["errors"] == []
    again = answer(live_server, user, test, "x")
    assert again["test"] is None and [e["code"] for e in again["errors"]] == ["BAD_USER_INPUT"]
    assert store["placement_tests"].find_one({"_id": test["id"]})["session"]["responses"] == [False]


def test_another_learners_test_is_not_found(live_server: LiveServer, store: Any) -> None:
    skill = unique("algebra")
    seed_bank(store, skill)
    test = start(live_server, unique("owner"), skill)
    payload = answer(live_server, unique("intruder"), test, "x")
    assert payload["test"] is None and [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


def test_a_learner_passing_correct_is_forbidden_and_a_partner_may(live_server: LiveServer, store: Any) -> None:
    user, skill = unique("learner"), unique("algebra")
    seed_bank(store, skill)
    test = start(live_server, user, skill)
    forbidden = answer(live_server, user, test, None, correct=True)
    assert [e["code"] for e in forbidden["errors"]] == ["FORBIDDEN"]
    graded = answer(live_server, unique("platform"), test, None, Role.PARTNER, correct=True)
    assert graded["errors"] == [] and graded["test"]["itemsAnswered"] == 1


def test_unknown_skills_are_not_found(live_server: LiveServer) -> None:
    payload = call(live_server, unique("learner"), START, skills=[unique("nothing")])["data"]["startPlacementTest"]
    assert payload["test"] is None and [e["code"] for e in payload["errors"]] == ["NOT_FOUND"]


def save_card(store: Any, user: str, memory: ItemMemory, reviews: int) -> None:
    store["review_cards"].insert_one({
        "_id": f"{user}:{memory.item_id}", "user_id": user, "exercise_id": memory.item_id, "skills": ["s"],
        "memory": memory.to_dict(), "due": memory.due, "last_review": memory.card.last_review, "reviews": reviews,
        "lapses": 0})


def test_the_review_queue_is_ordered_by_recall_and_skips_cards_not_due(live_server: LiveServer, store: Any) -> None:
    user, fsrs, now = unique("learner"), SpacedRepetition(0.9), datetime.now(UTC)
    old = fsrs.review(fsrs.new(unique("old"), now), QuizOutcome(True), now - timedelta(days=40))
    recent = fsrs.review(fsrs.new(unique("recent"), now), QuizOutcome(True), now - timedelta(days=8))
    later = fsrs.review(fsrs.new(unique("later"), now), QuizOutcome(True, 0, 1_000, 60_000), now - timedelta(hours=2))
    never = fsrs.new(unique("never"), now - timedelta(days=1))
    for memory, reviews in ((recent, 1), (later, 1), (never, 0), (old, 1)):
        save_card(store, user, memory, reviews)
    store["exercises"].insert_one(exercise(old.item_id, "s", prompt="2 + 2?", answers=["4"]))
    assert later.due > now  # answered right and fast: not due yet
    items = call(live_server, user, QUEUE)["data"]["reviewQueue"]
    assert [i["exerciseId"] for i in items] == [never.item_id, old.item_id, recent.item_id]
    assert [i["id"] for i in items] == [f"{user}:{i['exerciseId']}" for i in items]  # one per learner and exercise
    recalls = [i["recallProbability"] for i in items]
    assert recalls[0] == 0 and recalls[1] < recalls[2] < 1
    assert items[1]["exercise"] == {"id": old.item_id, "prompt": "2 + 2?", "format": "MULTIPLE_CHOICE",
                                    "choices": [], "skills": ["s"]}
    assert items[0]["exercise"] is None and items[0]["reviews"] == 0 and items[1]["lastReview"] is not None


def test_the_review_queue_of_someone_else_is_for_partners_only(live_server: LiveServer) -> None:
    body = call(live_server, unique("learner"), QUEUE, u=unique("other"))
    assert body["data"] is None and body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert call(live_server, unique("platform"), QUEUE, Role.PARTNER, u=unique("other"))["data"]["reviewQueue"] == []
    too_many = call(live_server, unique("learner"), QUEUE, n=101)
    assert too_many["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
