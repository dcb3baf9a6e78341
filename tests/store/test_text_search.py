"""`$text` over the Course text index (title 10, skills 5, topics 5, summary 3, description 1).

Only exact, unstemmed words are searched for; no search string holds an English stop word.
"""

from typing import Any

import pytest

from app.core.documents import Course
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

SCORE = {"$meta": "textScore"}


async def seed() -> None:
    await Course.insert_many([
        Course(id="z-title", title="Kubernetes operations", description="cluster management"),
        Course(id="a-desc", title="Cloud basics", description="Deploy workloads onto kubernetes clusters"),
        Course(id="m-skill", title="Containers", skills=["Kubernetes"], level="beginner"),
        Course(id="g-garden", title="Gardening", summary="Grow vegetables"),
        Course(id="d-draft", title="Kubernetes drafts", published=False),
        Course(id="t-trusty", title="Trusty tools", description="database design"),
    ])


async def ranked(search: str, skip: int = 0, limit: int = 0, **filters: Any) -> list[dict[str, Any]]:
    """The ranked read of resolvers.courses.courses._page_by_relevance."""
    cursor = Course.get_pymongo_collection().find({"$text": {"$search": search}, **filters}, {"_id": 1, "score": SCORE})
    return await cursor.sort([("score", SCORE), ("_id", 1)]).skip(skip).limit(limit).to_list()


async def test_count_with_text_alone_matches_title_skills_and_description() -> None:
    await seed()
    assert await Course.find({"$text": {"$search": "kubernetes"}}).count() == 4
    assert await Course.find({"$text": {"$search": "vegetables"}}).count() == 1  # summary
    assert await Course.find({"$text": {"$search": "xylophone"}}).count() == 0


async def test_text_search_is_case_insensitive() -> None:
    await seed()
    assert await Course.find({"$text": {"$search": "KUBERNETES"}}).count() == 4
    assert await Course.find({"$text": {"$search": "Gardening"}}).count() == 1


async def test_count_with_text_and_other_filters_ands_them() -> None:
    await seed()
    assert await Course.find({"$text": {"$search": "kubernetes"}, "published": True}).count() == 3
    assert await Course.find({"$text": {"$search": "kubernetes"}, "published": True, "level": "beginner"}).count() == 1
    assert await Course.get_pymongo_collection().count_documents(
        {"$text": {"$search": "kubernetes"}, "_id": {"$in": ["z-title", "g-garden"]}}) == 1


async def test_word_only_in_description_matches() -> None:
    await seed()
    found = await Course.find({"$text": {"$search": "workloads"}}).to_list()
    assert [course.id for course in found] == ["a-desc"]


async def test_ranked_find_returns_only_id_and_a_float_score() -> None:
    await seed()
    rows = await ranked("kubernetes", published=True)
    assert sorted(row["_id"] for row in rows) == ["a-desc", "m-skill", "z-title"]
    assert all(set(row) == {"_id", "score"} and isinstance(row["score"], float) for row in rows)


async def test_ranked_pages_with_skip_and_limit_cover_every_match_once() -> None:
    await seed()
    everything = [row["_id"] for row in await ranked("kubernetes")]
    pages = [[row["_id"] for row in await ranked("kubernetes", skip=skip, limit=3)] for skip in (0, 3, 6)]
    assert pages[0] + pages[1] == everything
    assert [len(page) for page in pages] == [3, 1, 0]
    assert sorted(everything) == ["a-desc", "d-draft", "m-skill", "z-title"]


@nx_diverges("textScore is always 0.0, so ranked reads come back in _id order")
async def test_title_match_outranks_description_only_match() -> None:
    await seed()
    rows = await ranked("kubernetes", published=True)
    # title (weight 10) > skills (weight 5) > description only (weight 1), whatever the _id order
    assert [row["_id"] for row in rows] == ["z-title", "m-skill", "a-desc"]
    assert rows[0]["score"] > rows[1]["score"] > rows[2]["score"] > 0
    assert [row["_id"] for row in await ranked("kubernetes", skip=1, limit=1, published=True)] == ["m-skill"]


@nx_diverges("a multi-word search matches nothing unless the whole string matches; MongoDB ORs the words")
async def test_multi_word_search_matches_any_of_the_words() -> None:
    await seed()
    assert await Course.find({"$text": {"$search": "gardening workloads"}}).count() == 2
    assert sorted(row["_id"] for row in await ranked("gardening containers")) == ["g-garden", "m-skill"]


@nx_diverges("$text matches substrings of words (`rust` in `Trusty`, `data` in `database`)")
async def test_text_search_matches_whole_words_not_substrings() -> None:
    await seed()
    assert await Course.find({"$text": {"$search": "rust"}}).count() == 0
    assert await Course.find({"$text": {"$search": "data"}}).count() == 0
    assert await Course.find({"$text": {"$search": "trusty"}}).count() == 1


async def test_any_course_language_is_accepted_by_the_text_index() -> None:
    # The index names a `language_override` field the app never sets, so MongoDB does not read each course's
    # `language` ("en-gb", "ja", ...) as a stemming language, which it would refuse for unsupported ones (17262).
    collection = Course.get_pymongo_collection()
    for code in ("en-gb", "ja", "pt-br"):
        await collection.insert_one(Course(id=f"c-{code}", title=f"Quantum {code}", language=code).model_dump(by_alias=True))
    assert await collection.count_documents({}) == 3
    assert await Course.find({"$text": {"$search": "quantum"}}).count() == 3
