"""resolvers.courses.search: the limits of a search, and an index kept fresh without reading the store per search
(through list_courses: what a search sends to the store, read-your-writes, huge searches refused)."""

import asyncio
import time
from datetime import timedelta
from typing import Any

import pytest

from app.core.documents import Course
from resolvers.courses.courses import CourseFilter, list_courses, upsert_courses
from resolvers.courses.index import IndexFilter
from resolvers.courses.search import MAX_SEARCH_CHARS, MAX_SEARCH_WORDS, SEARCH, CourseSearch, check_search
from resolvers.courses.snapshot import load_catalog
from resolvers.errors import ErrorCode, UseCaseError
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean", "fresh_search_index")

ANY = IndexFilter()


@pytest.fixture
def fresh_search_index() -> None:
    SEARCH.forget()


def course(course_id: str, **fields: Any) -> Course:
    built: Course = Course.model_validate({"id": course_id, "title": f"Course {course_id}", **fields})
    return built


class Loads:
    """A store stand-in that counts how often the whole catalog is read."""

    def __init__(self, *courses: Course) -> None:
        self.courses = list(courses)
        self.count = 0

    async def __call__(self) -> list[Course]:
        self.count += 1
        await asyncio.sleep(0.01)
        return list(self.courses)


async def found(search: CourseSearch, text: str) -> list[str]:
    return (await search.search(text, ANY, 0, 100)).ids


# --- check_search -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["x" * MAX_SEARCH_CHARS, " ".join(["w"] * MAX_SEARCH_WORDS), "", "   ", "naïve 🐍"])
def test_searches_within_the_limits_pass(text: str) -> None:
    check_search(text)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x" * (MAX_SEARCH_CHARS + 1), "`search` is at most 200 characters; got 201"),
        ("a " * 50_000, "`search` is at most 200 characters; got 100,000"),
        (" ".join(["w"] * (MAX_SEARCH_WORDS + 1)), "`search` is at most 30 words; got 31"),
        ("python\x00", "`search` may not contain NUL or unpaired surrogate characters"),
        ("python \ud83d", "`search` may not contain NUL or unpaired surrogate characters"),
    ],
)
def test_searches_beyond_the_limits_are_bad_user_input_on_the_search_field(text: str, message: str) -> None:
    with pytest.raises(UseCaseError) as caught:
        check_search(text)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == message
    assert [(p.code, p.field) for p in caught.value.problems] == [(ErrorCode.BAD_USER_INPUT, "search")]


@pytest.mark.parametrize("size", [8_000, 100_000, 2_000_000])
async def test_a_huge_search_is_refused_at_once_and_sends_nothing_to_the_store(
    size: int, command_counter: CommandCounter
) -> None:
    command_counter.commands.clear()
    started = time.perf_counter()
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(search="a " * (size // 2)), 10, None)
    assert time.perf_counter() - started < 0.5  # a guard against doing the work, not a speed target
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert command_counter.commands == []


# --- CourseSearch -----------------------------------------------------------------------------------------


async def test_the_catalog_is_read_once_and_concurrent_first_searches_share_the_build() -> None:
    loads = Loads(course("v", title="Volcanoes"))
    search = CourseSearch(loads)
    results = await asyncio.gather(*(found(search, "volcanoes") for _ in range(5)))
    assert results == [["v"]] * 5
    assert await found(search, "volcanoes") == ["v"]
    assert loads.count == 1


async def test_written_courses_are_searchable_at_once_without_a_new_read() -> None:
    loads = Loads(course("v", title="Volcanoes"))
    search = CourseSearch(loads)
    assert await found(search, "glaciers") == []
    search.courses_written([course("g", title="Glaciers"), course("v", title="Deserts")])
    assert await found(search, "glaciers") == ["g"]
    assert await found(search, "volcanoes") == []
    assert await found(search, "deserts") == ["v"]
    assert loads.count == 1


async def test_writes_before_the_first_search_are_in_the_first_index_unless_the_read_is_newer() -> None:
    stored = course("v", title="Volcanoes")
    loads = Loads(stored, course("w", title="Deserts"))
    search = CourseSearch(loads)
    older = course("w", title="Glaciers", updated_at=stored.updated_at - timedelta(seconds=5))
    search.courses_written([course("g", title="Volcanoes"), older])  # the read may predate `g`
    assert sorted(await found(search, "volcanoes")) == ["g", "v"]
    assert await found(search, "deserts") == ["w"] and await found(search, "glaciers") == []


async def test_a_first_snapshot_read_before_a_write_does_not_hide_it() -> None:
    search = CourseSearch(Loads())
    search.courses_written([course("g", title="Glaciers")])  # stored; the start-up snapshot was read before
    search.catalog_loaded([course("v", title="Volcanoes")])
    assert await found(search, "glaciers") == ["g"]
    assert await found(search, "volcanoes") == ["v"]


async def test_a_search_during_a_patch_waits_for_it() -> None:
    """The patch being written may hold what a partner just wrote (here, via the next catalog poll): a search
    must not read the index before that patch is in it."""
    search = CourseSearch(Loads(course("v", title="Volcanoes")))
    assert await found(search, "glaciers") == []
    written = course("g", title="Glaciers")
    search.courses_written([written])
    search.catalog_loaded([course("v", title="Volcanoes"), written])  # the poll's snapshot holds it too
    await asyncio.sleep(0)  # the patch has taken the batch and is writing it in a thread
    assert await found(search, "glaciers") == ["g"]


async def test_a_write_while_the_first_index_is_built_from_a_snapshot_is_in_it() -> None:
    loads = Loads()
    search = CourseSearch(loads)
    search.catalog_loaded([])
    search.courses_written([course("v", title="Volcanoes")])
    assert await found(search, "volcanoes") == ["v"]
    assert loads.count == 0


async def test_the_first_index_is_built_from_a_catalog_snapshot_without_reading_the_store() -> None:
    loads = Loads()
    search = CourseSearch(loads)
    search.catalog_loaded([course("v", title="Volcanoes")])
    assert await found(search, "volcanoes") == ["v"]
    assert loads.count == 0


async def test_a_later_snapshot_patches_what_changed_elsewhere_and_keeps_newer_own_writes() -> None:
    old = course("mine", title="Volcanoes")
    search = CourseSearch(Loads(old, course("theirs", title="Volcanoes"), course("gone", title="Volcanoes")))
    assert sorted(await found(search, "volcanoes")) == ["gone", "mine", "theirs"]
    mine = old.model_copy(update={"title": "Glaciers", "updated_at": old.updated_at + timedelta(seconds=5)})
    search.courses_written([mine])
    theirs = course("theirs", title="Deserts", updated_at=old.updated_at + timedelta(seconds=1))
    search.catalog_loaded([old, theirs, course("new", title="Volcano lakes")])  # read before `mine` was written
    assert await found(search, "volcanoes") == ["new"]
    assert await found(search, "glaciers") == ["mine"]
    assert await found(search, "deserts") == ["theirs"]


async def test_a_snapshot_loaded_while_the_first_index_is_built_is_applied_after_it() -> None:
    old = course("v", title="Volcanoes")
    loads = Loads(old)
    search = CourseSearch(loads)
    first = asyncio.create_task(found(search, "glaciers"))
    for _ in range(3):
        await asyncio.sleep(0)
    assert loads.count == 1  # the build is reading the store
    search.catalog_loaded([old.model_copy(update={"title": "Glaciers", "updated_at": old.updated_at + timedelta(1)})])
    assert await first == ["v"]
    assert await found(search, "volcanoes") == []


async def test_a_failed_read_fails_the_search_and_the_next_search_tries_again() -> None:
    calls = 0

    async def flaky() -> list[Course]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise RuntimeError("store down")
        return [course("v", title="Volcanoes")]

    search = CourseSearch(flaky)
    with pytest.raises(RuntimeError):
        await found(search, "volcanoes")
    assert await found(search, "volcanoes") == ["v"]


# --- through list_courses, on the store ---------------------------------------------------------------------


async def test_a_search_reads_only_its_page_by_id(command_counter: CommandCounter) -> None:
    await upsert_courses([{"id": f"c{i:02d}", "title": f"Volcano {i}"} for i in range(30)], 1_000)
    await list_courses(CourseFilter(search="volcano"), 5, None)  # builds the index: one read of the catalog
    command_counter.commands.clear()
    page = await list_courses(CourseFilter(search="volcano"), 5, None)
    assert page.total_count == 30
    assert command_counter.commands == ["find"]


async def test_a_course_upserted_now_is_found_by_the_next_search(command_counter: CommandCounter) -> None:
    await upsert_courses([{"id": "a", "title": "Volcanoes"}], 1_000)
    assert [c.id for c in (await list_courses(CourseFilter(search="glaciers"), 10, None)).items] == []
    await upsert_courses([{"id": "b", "title": "Glaciers"}, {"id": "a", "published": False}], 1_000)
    command_counter.commands.clear()
    page = await list_courses(CourseFilter(search="glaciers volcanoes"), 10, None)
    assert [c.id for c in page.items] == ["b"]
    assert command_counter.commands == ["find"]
    drafts = await list_courses(CourseFilter(search="volcanoes", include_unpublished=True), 10, None)
    assert [c.id for c in drafts.items] == ["a"]


async def test_a_catalog_snapshot_load_reaches_the_process_index() -> None:
    await upsert_courses([{"id": "a", "title": "Volcanoes"}], 1_000)
    await list_courses(CourseFilter(search="volcanoes"), 10, None)
    await Course.get_pymongo_collection().insert_one(course("elsewhere", title="Volcano lakes").model_dump(by_alias=True))
    assert [c.id for c in (await list_courses(CourseFilter(search="volcanoes"), 10, None)).items] == ["a"]
    await load_catalog()  # what the recommendation service's poller does when the catalog changed
    page = await list_courses(CourseFilter(search="volcanoes"), 10, None)
    assert sorted(c.id for c in page.items) == ["a", "elsewhere"]
