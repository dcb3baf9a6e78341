"""resolvers.recommendations.served_catalog: the catalog snapshot served, and popularity from its counts."""

import pytest

from app.core.timestamps import utcnow
from recommenders.base import Learner, RecommendationRequest
from resolvers.courses.courses import upsert_courses
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
