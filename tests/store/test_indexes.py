"""Index creation by app.core.store.db.init_database: every declared index is created, again is a no-op, `_id` is unique."""

from typing import Any

import pytest
from pymongo import IndexModel
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import DuplicateKeyError, OperationFailure

from app.core.documents import DOCUMENT_MODELS, Course, User
from app.core.store.db import init_database, text_search_works
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")


def declared_indexes(model: type) -> list[IndexModel]:
    return list(getattr(model.Settings, "indexes", []))  # type: ignore[attr-defined]


async def test_init_database_twice_does_not_fail_and_keeps_id_unique(database: str) -> None:
    client = Course.get_pymongo_collection().database.client
    await init_database(client, database)
    await init_database(client, database)
    await Course(id="c1", title="One").insert()
    with pytest.raises(DuplicateKeyError):
        await Course(id="c1", title="Again").insert()
    assert await Course.get_pymongo_collection().count_documents({}) == 1
    stored = await Course.get("c1")
    assert stored is not None
    assert stored.title == "One"


async def test_init_database_creates_every_declared_index(database: str, monkeypatch: pytest.MonkeyPatch) -> None:
    client = Course.get_pymongo_collection().database.client
    requested: set[tuple[str, str]] = set()
    original = AsyncCollection.create_indexes

    async def recording(self: AsyncCollection[Any], indexes: list[IndexModel], *args: Any, **kwargs: Any) -> Any:
        requested.update((self.name, index.document["name"]) for index in indexes)
        return await original(self, indexes, *args, **kwargs)

    monkeypatch.setattr(AsyncCollection, "create_indexes", recording)
    fresh = f"{database}_fresh"
    try:
        await init_database(client, fresh)
    finally:
        await init_database(client, database)  # bind the documents back to the session's database
        await client.drop_database(fresh)
    declared = {(model.Settings.name, index.document["name"])  # type: ignore[attr-defined]
                for model in DOCUMENT_MODELS for index in declared_indexes(model)}
    assert {("courses", "course_text"), ("events", "event_user_time"), ("enrollments", "enrollment_user")} <= declared
    assert requested >= declared


async def test_creating_an_identical_index_again_is_a_no_op(database: str) -> None:
    scratch = Course.get_pymongo_collection().database["store_scratch_indexes"]
    try:
        for index in declared_indexes(Course):
            assert await scratch.create_indexes([index]) == [index.document["name"]]
            assert await scratch.create_indexes([index]) == [index.document["name"]]
    finally:
        await scratch.drop()


@nx_diverges("index_information() lists indexes under nx names (idx_<collection>_<field>), never the text index")
async def test_index_information_lists_the_app_indexes_with_their_keys() -> None:
    for model in DOCUMENT_MODELS:
        info = await model.get_pymongo_collection().index_information()  # type: ignore[attr-defined]
        names = {index.document["name"] for index in declared_indexes(model)}
        assert set(info) == names | {"_id_"}, model.__name__
    courses = await Course.get_pymongo_collection().index_information()
    assert courses["course_text"]["key"] == [("_fts", "text"), ("_ftsx", 1)]
    assert courses["course_text"]["weights"] == {"title": 10, "skills": 5, "topics": 5, "summary": 3, "description": 1}
    assert courses["course_skill_keys"]["key"] == [("skill_keys", 1)]


@nx_diverges("$text on a collection without a text index returns no rows instead of failing")
async def test_text_search_without_a_text_index_fails_with_index_not_found() -> None:
    collection = User.get_pymongo_collection()
    await collection.insert_one({"_id": "u1", "display_name": "pathwise"})
    with pytest.raises(OperationFailure) as raised:
        await collection.find({"$text": {"$search": "pathwise"}}, {"_id": 1}).to_list()
    assert raised.value.code == 27  # IndexNotFound
    assert await text_search_works(collection) is False


async def test_text_search_works_on_the_course_collection() -> None:
    assert await text_search_works(Course.get_pymongo_collection()) is True
