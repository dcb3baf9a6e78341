"""resolvers.recommendations.served_catalog: the catalog snapshot served, and popularity from its counts."""

import pytest

from app.core.documents import Course
from app.core.timestamps import utcnow
from recommenders.base import Learner, RecommendationRequest
from resolvers.courses.courses import upsert_courses
from resolvers.profile.folding import CourseFacts, load_course_facts
from resolvers.recommendations.served_catalog import ServedCatalog

pytestmark = pytest.mark.usefixtures("clean")


async def test_the_catalog_is_served_until_the_stored_one_changes() -> None:
    await upsert_courses([{"id": "py1", "title": "Python Basics", "skills": ["Python"]}], 100)
    served = ServedCatalog()
    assert await served.changed()
    snapshot = await served.reload()
    assert served.snapshot is snapshot and set(snapshot.courses) == {"py1"} and not await served.changed()
    found = served.popular.recommend(RecommendationRequest(Learner(), 5, frozenset(), None, utcnow()))
    assert [rec.item_id for rec in found] == ["py1"]  # popularity from the catalog's counts
    await upsert_courses([{"id": "sql", "title": "SQL", "skills": ["SQL"]}], 100)
    assert await served.changed()


async def test_an_updated_or_deleted_course_changes_the_stored_catalog() -> None:
    await upsert_courses([{"id": "py1", "title": "Python Basics"}, {"id": "sql", "title": "SQL"}], 100)
    served = ServedCatalog()
    await served.reload()
    assert not await served.changed()
    await upsert_courses([{"id": "py1", "title": "Python Basics, second edition"}], 100)
    assert await served.changed()
    await served.reload()
    await Course.get_pymongo_collection().delete_one({"_id": "sql"})
    assert await served.changed()


async def test_the_served_course_facts_are_those_a_store_read_gives() -> None:
    """What a `trackEvents` call takes from memory (folding.KnownCourses) folds exactly as the store's copy."""
    await upsert_courses([
        {"id": "py1", "title": "Python", "skills": ["Python", "Data"], "topics": ["Programming"], "format": "video",
         "duration_minutes": 45},
        {"id": "bare", "title": "No facts at all"},
        {"id": "long", "title": "Long", "topics": ["History"], "format": "text", "duration_minutes": 600},
    ], 100)
    served = ServedCatalog()
    await served.reload()
    from_memory = served.course_facts(["py1", "bare", "long", "unknown"])
    from_store = (await load_course_facts(["py1", "bare", "long", "unknown"], [])).courses
    assert from_memory == from_store and set(from_memory) == {"py1", "bare", "long"}
    assert from_memory["py1"] == CourseFacts(("Python", "Data", "Programming"), "video", "medium")
