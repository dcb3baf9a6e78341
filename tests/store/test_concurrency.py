"""Conditional writes that make racing writers safe: the optimistic `$set` of resolvers.practice.knowledge._write_practice
(filtered on the nested count `model_state.responses`, or its absence with an upsert) and the answer replace of
resolvers.practice.placement_tests._save_answer (filtered on `_id`, the expected current item and the status)."""

import asyncio
from typing import Any

import pytest
from pymongo.errors import DuplicateKeyError

from app.core.documents import KnowledgeState, PlacementStatus, PlacementTest

pytestmark = pytest.mark.usefixtures("clean")

IN_PROGRESS = PlacementStatus.IN_PROGRESS.value


async def write_practice(expected_responses: int, responses: int, skill: str) -> Any:
    """The update of _write_practice: expects `expected_responses` (0: none yet, with an upsert)."""
    expected: Any = expected_responses if expected_responses else {"$exists": False}
    update = {"$set": {"user_id": "u1", f"skills.{skill}": {"probability": 0.5}, "model_state": {"responses": responses}},
              "$currentDate": {"updated_at": True}}
    return await KnowledgeState.get_pymongo_collection().update_one(
        {"_id": "u1", "model_state.responses": expected}, update, upsert=not expected_responses)


async def stored_state() -> dict[str, Any] | None:
    return await KnowledgeState.get_pymongo_collection().find_one({"_id": "u1"}, {"skills": 1, "model_state": 1})


async def test_first_write_upserts_when_there_is_no_response_count() -> None:
    result = await write_practice(0, 1, "algebra")
    assert (result.upserted_id, result.matched_count) == ("u1", 0)
    assert await stored_state() == {"_id": "u1", "skills": {"algebra": {"probability": 0.5}},
                                    "model_state": {"responses": 1}}


async def test_write_expecting_the_stored_count_matches_and_a_stale_one_does_not() -> None:
    await write_practice(0, 1, "algebra")
    fresh = await write_practice(1, 2, "fractions")
    assert (fresh.matched_count, fresh.modified_count, fresh.upserted_id) == (1, 1, None)
    stale = await write_practice(1, 2, "geometry")
    assert (stale.matched_count, stale.modified_count, stale.upserted_id) == (0, 0, None)
    state = await stored_state()
    assert state is not None
    assert (sorted(state["skills"]), state["model_state"]) == (["algebra", "fractions"], {"responses": 2})


async def test_an_upserting_first_write_after_another_writer_raises_duplicate_key() -> None:
    await write_practice(0, 1, "algebra")
    with pytest.raises(DuplicateKeyError) as raised:
        await write_practice(0, 1, "geometry")
    assert raised.value.code == 11000
    assert await stored_state() == {"_id": "u1", "skills": {"algebra": {"probability": 0.5}},
                                    "model_state": {"responses": 1}}


async def test_exists_false_matches_a_state_written_without_a_model_state() -> None:
    collection = KnowledgeState.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "user_id": "u1", "skills": {"placed": {"probability": 0.8}}})
    result = await write_practice(0, 1, "algebra")
    assert (result.matched_count, result.modified_count, result.upserted_id) == (1, 1, None)
    state = await stored_state()
    assert state is not None
    assert (sorted(state["skills"]), state["model_state"]) == (["algebra", "placed"], {"responses": 1})


async def test_of_two_racing_writes_expecting_the_same_count_exactly_one_matches() -> None:
    await write_practice(0, 1, "algebra")
    results = await asyncio.gather(write_practice(1, 2, "fractions"), write_practice(1, 2, "geometry"))
    assert sorted(result.matched_count for result in results) == [0, 1]
    state = await stored_state()
    assert state is not None
    assert len(state["skills"]) == 2


def placement(current_item: str | None, status: str = IN_PROGRESS, **fields: Any) -> dict[str, Any]:
    test = PlacementTest(id="pt1", user_id="u1", current_item=current_item, status=PlacementStatus(status), **fields)
    dumped: dict[str, Any] = test.model_dump(by_alias=True)
    return dumped


async def save_answer(answered: str, replacement: dict[str, Any]) -> Any:
    expected = {"_id": "pt1", "current_item": answered, "status": IN_PROGRESS}
    return await PlacementTest.get_pymongo_collection().replace_one(expected, replacement)


async def test_a_replace_expecting_the_current_item_wins_and_a_repeat_matches_nothing() -> None:
    await PlacementTest.get_pymongo_collection().insert_one(placement("i1", asked=["i1"]))
    first = await save_answer("i1", placement("i2", asked=["i1", "i2"], ability=0.4))
    assert (first.matched_count, first.modified_count, first.upserted_id) == (1, 1, None)
    again = await save_answer("i1", placement("i3", asked=["i1", "i3"], ability=-0.4))
    assert (again.matched_count, again.modified_count, again.upserted_id) == (0, 0, None)
    stored = await PlacementTest.get("pt1")
    assert stored is not None
    assert (stored.current_item, stored.asked, stored.ability) == ("i2", ["i1", "i2"], 0.4)


async def test_of_two_racing_replaces_exactly_one_wins() -> None:
    await PlacementTest.get_pymongo_collection().insert_one(placement("i1", asked=["i1"]))
    results = await asyncio.gather(save_answer("i1", placement("i2", ability=1.0)),
                                   save_answer("i1", placement("i3", ability=-1.0)))
    assert sorted(result.matched_count for result in results) == [0, 1]
    winner = 0 if results[0].matched_count else 1
    stored = await PlacementTest.get("pt1")
    assert stored is not None
    assert stored.current_item == ["i2", "i3"][winner]
    assert await PlacementTest.get_pymongo_collection().count_documents({}) == 1


async def test_a_replace_expecting_in_progress_does_not_touch_a_finished_test() -> None:
    finished = placement(None, PlacementStatus.FINISHED.value, level="advanced")
    await PlacementTest.get_pymongo_collection().insert_one({**finished, "current_item": "i1"})
    result = await save_answer("i1", placement("i2"))
    assert (result.matched_count, result.modified_count) == (0, 0)
    stored = await PlacementTest.get("pt1")
    assert stored is not None
    assert (stored.status, stored.level) == (PlacementStatus.FINISHED, "advanced")
