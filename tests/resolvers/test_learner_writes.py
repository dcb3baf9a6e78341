"""The learner write helpers: each sends its one command and announces the learner changed, so a cached
recommendation list cannot outlive a write made through them."""

import re
from pathlib import Path

import pytest

from app.core.documents import Enrollment, Rating, User
from resolvers.learner_changes import CHANGES
from resolvers.learner_writes import (
    changing,
    delete_learner_data,
    insert_learner_once,
    replace_learner,
    save_sealed_learner,
    update_learner,
)
from resolvers.recommendations.cache import LearnerCache
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")


def cached_list(user_id: str = "u1") -> LearnerCache[list[str]]:
    """A recommendation cache (on the process's ledger, as the service's is) holding a list for the learner."""
    cache: LearnerCache[list[str]] = LearnerCache(seconds=3_600, size=10)
    cache.put(user_id, "q", ["c1", "c2"], cache.clock())
    assert cache.get(user_id, "q") == ["c1", "c2"]
    return cache


async def test_an_update_writes_and_drops_the_learners_list_only(command_counter: CommandCounter) -> None:
    await User(id="u1").insert()
    cache, other = cached_list("u1"), cached_list("u2")
    command_counter.commands.clear()
    result = await update_learner(User, "u1", {"_id": "u1"}, {"$set": {"job_title": "Analyst"}})
    assert result.modified_count == 1 and command_counter.commands == ["update"]
    assert (await User.get_pymongo_collection().find_one({"_id": "u1"}) or {})["job_title"] == "Analyst"
    assert cache.get("u1", "q") is None and other.get("u2", "q") == ["c1", "c2"]


async def test_an_upserting_update_creates_the_document() -> None:
    cache = cached_list()
    await update_learner(User, "u1", {"_id": "u1"}, {"$set": {"job_title": "Analyst"}}, upsert=True)
    assert await User.get_pymongo_collection().count_documents({"_id": "u1"}) == 1
    assert cache.get("u1", "q") is None


async def test_inserting_once_announces_only_the_insert() -> None:
    enrollment = Enrollment(id=Enrollment.key("u1", "c1"), user_id="u1", course_id="c1")
    cache = cached_list()
    assert await insert_learner_once(Enrollment, "u1", {"_id": enrollment.id}, enrollment.model_dump(by_alias=True))
    assert cache.get("u1", "q") is None
    cache = cached_list()
    assert not await insert_learner_once(Enrollment, "u1", {"_id": enrollment.id},
                                         enrollment.model_dump(by_alias=True))
    assert cache.get("u1", "q") == ["c1", "c2"]  # nothing changed: the list stays
    assert await Enrollment.count() == 1


async def test_a_replace_writes_the_whole_document_and_drops_the_list() -> None:
    enrollment = Enrollment(id=Enrollment.key("u1", "c1"), user_id="u1", course_id="c1")
    await enrollment.insert()
    cache = cached_list()
    enrollment.progress = 0.5
    result = await replace_learner(Enrollment, "u1", {"_id": enrollment.id}, enrollment.model_dump(by_alias=True))
    assert result.matched_count == 1 and cache.get("u1", "q") is None
    stored = await Enrollment.get(enrollment.id)
    assert stored is not None and stored.progress == 0.5


async def test_a_sealed_save_stores_the_document_and_drops_the_list() -> None:
    cache = cached_list()
    rating = Rating(id=Rating.key("u1", "c1"), user_id="u1", course_id="c1", rating=5, review="great")
    await save_sealed_learner("ratings", "u1", rating)
    assert await Rating.count() == 1 and cache.get("u1", "q") is None


async def test_a_delete_counts_what_went_and_drops_the_list() -> None:
    await Enrollment(id=Enrollment.key("u1", "c1"), user_id="u1", course_id="c1").insert()
    await Enrollment(id=Enrollment.key("u2", "c1"), user_id="u2", course_id="c1").insert()
    cache = cached_list()
    assert await delete_learner_data(Enrollment, "u1", {"user_id": "u1"}) == 1
    assert await Enrollment.count() == 1 and cache.get("u1", "q") is None


async def test_a_unit_of_work_announces_when_it_ends_even_if_it_fails() -> None:
    cache = cached_list()
    async with changing(["u1"]):
        assert cache.get("u1", "q") == ["c1", "c2"]  # not before its writes are done …
    assert cache.get("u1", "q") is None  # … but once they are
    cache = cached_list()
    with pytest.raises(RuntimeError):
        async with changing(["u1"]):
            raise RuntimeError("a write failed half way")
    assert cache.get("u1", "q") is None


async def test_a_list_read_during_a_unit_of_work_is_not_kept() -> None:
    cache: LearnerCache[list[str]] = LearnerCache(seconds=3_600, size=10)
    async with changing(["u1"]):
        read_at = cache.clock()  # a request reads the learner between two writes of the unit
    cache.put("u1", "q", ["stale"], read_at)
    assert cache.get("u1", "q") is None
    assert CHANGES.changed_since("u1", read_at)


RESOLVERS = Path(__file__).resolve().parents[2] / "resolvers"
# collections recommendations read of a learner, written directly (not through the helpers) ...
DIRECT_WRITE = re.compile(r"\b(User|Enrollment|Rating|KnowledgeState|ReviewCard)\.get_pymongo_collection\(\)\s*"
                          r"\.(update|replace|insert|delete|bulk_write|find_one_and)")
# ... only here, each inside a unit of work that announces its learners (`changing`), with the reason
DIRECT_WRITERS = {
    "profile/folding.py": "events folded into profiles: tracking.track_events and purges.recompute_insights",
    "practice/knowledge.py": "quiz answers folded into mastery: tracking.track_events",
    "practice/review_queue.py": "quiz answers folded into review cards: tracking.track_events",
}


def test_recommendation_inputs_are_written_through_the_helpers() -> None:
    writers = {str(path.relative_to(RESOLVERS)) for path in RESOLVERS.rglob("*.py")
               if DIRECT_WRITE.search(path.read_text(encoding="utf-8"))}
    assert writers == set(DIRECT_WRITERS), "write a learner's data through resolvers.learner_writes"
