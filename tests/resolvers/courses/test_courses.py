"""resolvers.courses.courses: bulk upsert by id, and keyset / relevance pages of the catalog."""

import asyncio
from typing import Any

import pytest

from app.core.documents import Course, CourseLevel
from resolvers.courses.courses import CourseFilter, course_query, get_course, list_courses, upsert_courses
from resolvers.courses.enrollments import enroll
from resolvers.courses.search import SEARCH
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.pages import Page, encode_cursor

pytestmark = pytest.mark.usefixtures("clean", "fresh_search_index")

MAX = 1_000


@pytest.fixture
def fresh_search_index() -> None:
    """`clean` empties the store behind the process's search index: start each test without one."""
    SEARCH.forget()


def item(course_id: str, **fields: Any) -> dict[str, Any]:
    return {"id": course_id, "title": f"Course {course_id}", **fields}


async def _raw(course_id: str) -> dict[str, Any] | None:
    raw: dict[str, Any] | None = await Course.get_pymongo_collection().find_one({"_id": course_id})
    return raw


async def _all_raw() -> list[dict[str, Any]]:
    return await Course.get_pymongo_collection().find({}).sort("_id").to_list()


# --- upsert_courses ---------------------------------------------------------------------------------------


async def test_upsert_creates_courses_with_derived_fields() -> None:
    report = await upsert_courses(
        [item("c1", skills=["Python", " Data   Science ", "python", ""], language="EN-GB", level="beginner"),
         item("c2")],
        MAX,
    )
    assert report.created == ["c1", "c2"]
    assert report.updated == []
    assert report.unchanged == []
    assert report.problems == []
    assert report.stored_ids == ["c1", "c2"]
    course = await get_course("c1")
    assert course is not None
    assert course.title == "Course c1"
    assert course.skills == ["Python", "Data Science", "python"]
    assert course.skill_keys == ["python", "data science", "python"]
    assert course.language == "en-gb"
    assert course.level is CourseLevel.BEGINNER
    assert course.published is True
    assert course.content_hash == course.compute_content_hash()
    assert len(course.content_hash) == 32
    assert await Course.count() == 2


async def test_upsert_counts_created_updated_unchanged() -> None:
    await upsert_courses([item("a"), item("b"), item("c")], MAX)
    report = await upsert_courses([item("a"), item("b", title="New title"), item("c"), item("d")], MAX)
    assert report.created == ["d"]
    assert report.updated == ["b"]
    assert report.unchanged == ["a", "c"]
    assert report.problems == []
    assert report.stored_ids == ["a", "b", "c", "d"]
    b = await get_course("b")
    assert b is not None
    assert b.title == "New title"


async def test_reupserting_the_same_items_is_all_unchanged_and_moves_nothing() -> None:
    items = [item(f"c{i}", summary=f"s{i}", skills=["X"], duration_minutes=i * 10) for i in range(5)]
    await upsert_courses(items, MAX)
    before = await _all_raw()
    await asyncio.sleep(0.01)
    report = await upsert_courses(items, MAX)
    assert report.unchanged == [f"c{i}" for i in range(5)]
    assert report.created == []
    assert report.updated == []
    assert await _all_raw() == before


async def test_update_keeps_created_at_and_moves_updated_at() -> None:
    await upsert_courses([item("c1")], MAX)
    first = await get_course("c1")
    await asyncio.sleep(0.01)
    await upsert_courses([item("c1", title="Renamed")], MAX)
    second = await get_course("c1")
    assert first is not None
    assert second is not None
    assert second.created_at == first.created_at
    assert second.updated_at > first.updated_at
    assert second.content_hash != first.content_hash


async def test_partial_item_keeps_stored_fields() -> None:
    await upsert_courses([item("c1", summary="S", skills=["Go"], level="advanced", duration_minutes=90,
                               instructors=["Rob"], url="https://x.example/c1")], MAX)
    report = await upsert_courses([{"id": "c1", "summary": "S2"}], MAX)
    assert report.updated == ["c1"]
    course = await get_course("c1")
    assert course is not None
    assert course.summary == "S2"
    assert course.title == "Course c1"
    assert course.skills == ["Go"]
    assert course.skill_keys == ["go"]
    assert course.level is CourseLevel.ADVANCED
    assert course.duration_minutes == 90
    assert course.instructors == ["Rob"]
    assert course.url == "https://x.example/c1"


async def test_new_course_needs_a_title() -> None:
    report = await upsert_courses([{"id": "c1", "summary": "no title"}], MAX)
    assert report.created == []
    assert [(p.code, p.field, p.index) for p in report.problems] == [(ErrorCode.BAD_USER_INPUT, "title", 0)]
    assert await Course.count() == 0


async def test_items_without_an_id_are_each_a_missing_id_problem() -> None:
    report = await upsert_courses([{"title": "x"}, {"title": "y"}], MAX)
    assert [(p.code, p.field, p.index) for p in report.problems] == [
        (ErrorCode.BAD_USER_INPUT, "id", 0), (ErrorCode.BAD_USER_INPUT, "id", 1)
    ]
    assert await Course.count() == 0


async def test_duplicate_id_in_a_batch_is_a_duplicate_problem_with_its_index() -> None:
    report = await upsert_courses([item("a", title="first"), item("b"), item("a", title="second")], MAX)
    assert report.created == ["a", "b"]
    assert report.stored_ids == ["a", "b"]
    assert report.problems == [
        Problem(ErrorCode.DUPLICATE, "course 'a' appears twice in this batch (first at index 0)", "id", 2)
    ]
    stored = await get_course("a")
    assert stored is not None
    assert stored.title == "first"


async def test_unknown_field_is_a_problem_with_index_and_the_others_are_stored() -> None:
    report = await upsert_courses(
        [item("a"), item("b", skill_keys=["x"], colour="red"), item("c", content_hash="forged")], MAX
    )
    assert report.created == ["a"]
    assert report.problems == [
        Problem(ErrorCode.BAD_USER_INPUT, "unknown fields ['colour', 'skill_keys']", None, 1),
        Problem(ErrorCode.BAD_USER_INPUT, "unknown fields ['content_hash']", None, 2),
    ]
    assert [c["_id"] for c in await _all_raw()] == ["a"]


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        ({"rating": 5.5}, "rating"),
        ({"rating": -1}, "rating"),
        ({"level": "expert"}, "level"),
        ({"format": "hologram"}, "format"),
        ({"duration_minutes": -5}, "durationMinutes"),
        ({"rating_count": -1}, "ratingCount"),
        ({"language": "e"}, "language"),
        ({"title": ""}, "title"),
    ],
)
async def test_invalid_value_is_a_problem_with_index_and_the_others_are_stored(
    bad: dict[str, Any], field: str
) -> None:
    report = await upsert_courses([item("a"), item("b", **bad), item("c")], MAX)
    assert report.created == ["a", "c"]
    assert report.stored_ids == ["a", "c"]
    assert [(p.code, p.field, p.index) for p in report.problems] == [(ErrorCode.BAD_USER_INPUT, field, 1)]
    assert [c["_id"] for c in await _all_raw()] == ["a", "c"]


async def test_invalid_update_leaves_the_stored_course_unchanged() -> None:
    await upsert_courses([item("a", rating=4.0)], MAX)
    before = await _raw("a")
    report = await upsert_courses([{"id": "a", "rating": 9}], MAX)
    assert [(p.field, p.index) for p in report.problems] == [("rating", 0)]
    assert report.updated == []
    assert await _raw("a") == before


async def test_more_than_max_items_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(UseCaseError) as caught:
        await upsert_courses([item(f"c{i}") for i in range(4)], max_items=3)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "at most 3 courses per call; got 4"
    assert await Course.count() == 0


async def test_exactly_max_items_is_accepted() -> None:
    report = await upsert_courses([item(f"c{i}") for i in range(3)], max_items=3)
    assert report.created == ["c0", "c1", "c2"]


async def test_empty_batch_is_a_no_op() -> None:
    report = await upsert_courses([], MAX)
    assert (report.created, report.updated, report.unchanged, report.problems) == ([], [], [], [])


async def test_an_enrolment_moves_stats_not_the_platform_count() -> None:
    await upsert_courses([item("c1", enrollment_count=0)], MAX)
    await enroll("u1", "c1")  # Pathwise's own stats move; the platform's enrollment_count stays 0
    report = await upsert_courses([item("c1", enrollment_count=0)], MAX)
    stored = await get_course("c1")
    assert stored is not None
    assert report.unchanged == ["c1"], f"reported updated={report.updated}"
    assert (stored.enrollment_count, stored.stats.enrollments) == (0, 1)


async def test_reupserting_the_same_item_after_an_enrolment_is_unchanged() -> None:
    await upsert_courses([item("c1")], MAX)
    await enroll("u1", "c1")
    before = await _raw("c1")
    await asyncio.sleep(0.01)
    report = await upsert_courses([item("c1")], MAX)
    # nothing the platform sent differs from what is stored
    assert report.unchanged == ["c1"], f"reported updated={report.updated}"
    assert await _raw("c1") == before


# --- course_query ---------------------------------------------------------------------------------------


def test_course_query_maps_every_filter_but_search() -> None:
    filters = CourseFilter(search="  deep learning ", skills=["Python", "ML"], level=CourseLevel.ADVANCED,
                           language="EN")
    assert course_query(filters) == {
        "skill_keys": {"$in": ["python", "ml"]},
        "level": "advanced",
        "language": "en",
        "published": True,
    }


def test_course_query_blank_search_and_unpublished() -> None:
    assert course_query(CourseFilter(search="   ", include_unpublished=True)) == {}
    assert course_query(CourseFilter()) == {"published": True}


# --- list_courses: by id -----------------------------------------------------------------------------------


async def _seed_catalog() -> None:
    items = [item(f"c{i:02d}") for i in range(25)]
    items += [item(f"c{i:02d}x", published=False) for i in (3, 11, 24)]
    report = await upsert_courses(items, MAX)
    assert len(report.created) == 28


async def _walk(filters: CourseFilter, first: int) -> list[Page[Course]]:
    pages: list[Page[Course]] = []
    after: str | None = None
    while True:
        page = await list_courses(filters, first, after)
        pages.append(page)
        if not page.has_next_page:
            return pages
        assert len(pages) < 50, "pagination does not end"
        after = page.cursors[-1]


async def test_keyset_pages_walk_all_published_courses_once_in_id_order() -> None:
    await _seed_catalog()
    pages = await _walk(CourseFilter(), 10)
    assert [len(p.items) for p in pages] == [10, 10, 5]
    assert [p.has_next_page for p in pages] == [True, True, False]
    assert [p.has_previous_page for p in pages] == [False, True, True]
    assert {p.total_count for p in pages} == {25}
    ids = [c.id for p in pages for c in p.items]
    assert ids == [f"c{i:02d}" for i in range(25)]
    for page in pages:
        assert page.cursors == [encode_cursor("id", c.id) for c in page.items]


async def test_page_boundary_exactly_at_the_end() -> None:
    await _seed_catalog()
    pages = await _walk(CourseFilter(), 5)
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 5]
    assert pages[-1].has_next_page is False
    after_last = await list_courses(CourseFilter(), 5, pages[-1].cursors[-1])
    assert after_last.items == []
    assert after_last.has_next_page is False
    assert after_last.total_count == 25


async def test_unpublished_courses_are_hidden_unless_asked_for() -> None:
    await _seed_catalog()
    page = await list_courses(CourseFilter(), 100, None)
    assert all(c.published for c in page.items)
    assert page.total_count == 25
    everything = await list_courses(CourseFilter(include_unpublished=True), 100, None)
    assert everything.total_count == 28
    assert [c.id for c in everything.items] == sorted(
        [f"c{i:02d}" for i in range(25)] + ["c03x", "c11x", "c24x"]
    )
    assert everything.has_next_page is False


async def _seed_filters() -> None:
    await upsert_courses(
        [
            item("py-beg", skills=["Python"], level="beginner", language="en"),
            item("py-adv", skills=["python", "Concurrency"], level="advanced", language="EN"),
            item("ml-de", skills=["Machine Learning"], level="intermediate", language="de"),
            item("go-beg", skills=["Go"], level="beginner", language="en"),
            item("py-hidden", skills=["Python"], level="beginner", published=False),
            item("none"),
        ],
        MAX,
    )


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        (CourseFilter(skills=["PYTHON"]), ["py-adv", "py-beg"]),
        (CourseFilter(skills=["python", "machine learning"]), ["ml-de", "py-adv", "py-beg"]),
        (CourseFilter(skills=["rust"]), []),
        (CourseFilter(level=CourseLevel.BEGINNER), ["go-beg", "py-beg"]),
        (CourseFilter(language="EN"), ["go-beg", "none", "py-adv", "py-beg"]),
        (CourseFilter(language="de"), ["ml-de"]),
        (CourseFilter(skills=["Python"], level=CourseLevel.BEGINNER), ["py-beg"]),
        (CourseFilter(skills=["Python"], level=CourseLevel.BEGINNER, include_unpublished=True),
         ["py-beg", "py-hidden"]),
        (CourseFilter(skills=["go", "python"], language="en", level=CourseLevel.ADVANCED), ["py-adv"]),
    ],
)
async def test_filters(filters: CourseFilter, expected: list[str]) -> None:
    await _seed_filters()
    page = await list_courses(filters, 100, None)
    assert [c.id for c in page.items] == expected
    assert page.total_count == len(expected)
    assert page.has_next_page is False
    assert page.has_previous_page is False


async def test_filtered_pages_count_the_filtered_total() -> None:
    await upsert_courses([item(f"c{i:02d}", skills=["A" if i % 2 else "B"]) for i in range(10)], MAX)
    pages = await _walk(CourseFilter(skills=["a"]), 2)
    assert [[c.id for c in p.items] for p in pages] == [["c01", "c03"], ["c05", "c07"], ["c09"]]
    assert {p.total_count for p in pages} == {5}


# --- list_courses: search ----------------------------------------------------------------------------------


async def test_search_ranks_a_title_match_above_a_description_only_match() -> None:
    await upsert_courses(
        [
            item("a-desc", title="Introduction", description="We touch on volcanoes briefly."),
            item("z-title", title="Volcanoes", description="Rocks and more."),
            item("m-none", title="Gardening", description="Plants."),
        ],
        MAX,
    )
    page = await list_courses(CourseFilter(search="volcanoes"), 10, None)
    assert [c.id for c in page.items] == ["z-title", "a-desc"]
    assert page.total_count == 2
    assert page.has_next_page is False
    assert page.has_previous_page is False
    assert page.cursors == [encode_cursor("rank", 0), encode_cursor("rank", 1)]


async def test_search_hides_unpublished_courses() -> None:
    await upsert_courses([item("a", title="Volcanoes"), item("b", title="Volcanoes", published=False)], MAX)
    page = await list_courses(CourseFilter(search="volcanoes"), 10, None)
    assert [c.id for c in page.items] == ["a"]
    assert page.total_count == 1


async def test_search_pages_by_rank_cursors_without_repeats() -> None:
    items = [item(f"t{i}", title="Volcanoes and volcanic islands") for i in range(3)]
    items += [item(f"s{i}", title=f"Geology {i}", summary="volcanoes") for i in range(3)]
    items += [item(f"d{i}", title=f"Rocks {i}", description="volcanoes") for i in range(3)]
    items += [item(f"n{i}", title=f"Unrelated {i}") for i in range(3)]
    await upsert_courses(items, MAX)
    whole = await list_courses(CourseFilter(search="volcanoes"), 100, None)
    assert whole.total_count == 9
    assert sorted(c.id for c in whole.items) == sorted(f"{k}{i}" for k in "tsd" for i in range(3))
    pages = await _walk(CourseFilter(search="volcanoes"), 4)
    assert [len(p.items) for p in pages] == [4, 4, 1]
    assert [p.has_next_page for p in pages] == [True, True, False]
    assert [p.has_previous_page for p in pages] == [False, True, True]
    assert {p.total_count for p in pages} == {9}
    walked = [c.id for p in pages for c in p.items]
    assert walked == [c.id for c in whole.items]
    assert len(set(walked)) == 9
    assert [cursor for p in pages for cursor in p.cursors] == [encode_cursor("rank", i) for i in range(9)]


async def test_search_ranks_title_then_summary_then_description_matches() -> None:
    items = [item(f"d{i}", title=f"Rocks {i}", description="volcanoes") for i in range(2)]
    items += [item(f"s{i}", title=f"Geology {i}", summary="volcanoes") for i in range(2)]
    items += [item(f"t{i}", title="Volcanoes") for i in range(2)]
    await upsert_courses(items, MAX)
    page = await list_courses(CourseFilter(search="volcanoes"), 100, None)
    assert [c.id for c in page.items] == ["t0", "t1", "s0", "s1", "d0", "d1"]


async def test_search_finds_matches_in_every_indexed_field() -> None:
    await upsert_courses(
        [
            item("in-title", title="Volcanoes"),
            item("in-summary", summary="all about volcanoes"),
            item("in-description", description="volcanoes"),
            item("in-skills", skills=["Volcanoes"]),
            item("in-topics", topics=["volcanoes"]),
            item("nowhere", summary="rocks"),
        ],
        MAX,
    )
    page = await list_courses(CourseFilter(search="volcanoes"), 100, None)
    assert sorted(c.id for c in page.items) == ["in-description", "in-skills", "in-summary", "in-title", "in-topics"]
    assert page.total_count == 5


async def test_search_ignores_fields_outside_the_text_index() -> None:
    await upsert_courses(
        [item("by-provider", provider="Volcanoes Inc"), item("by-instructor", instructors=["Volcanoes"]),
         item("hit", title="Volcanoes")],
        MAX,
    )
    page = await list_courses(CourseFilter(search="volcanoes"), 100, None)
    assert [c.id for c in page.items] == ["hit"]


async def test_search_combines_with_filters() -> None:
    await upsert_courses(
        [item("a", title="Volcanoes", level="beginner"), item("b", title="Volcanoes", level="advanced")], MAX
    )
    page = await list_courses(CourseFilter(search="volcanoes", level=CourseLevel.ADVANCED), 10, None)
    assert [c.id for c in page.items] == ["b"]
    assert page.total_count == 1


async def test_search_with_no_match_is_an_empty_page() -> None:
    await upsert_courses([item("a", title="Volcanoes")], MAX)
    page = await list_courses(CourseFilter(search="zebra"), 10, None)
    assert page.items == []
    assert page.cursors == []
    assert page.total_count == 0
    assert page.has_next_page is False


async def test_id_cursor_given_to_a_search_is_bad_user_input() -> None:
    await upsert_courses([item("a", title="Volcanoes"), item("b", title="Volcanoes")], MAX)
    id_page = await list_courses(CourseFilter(), 1, None)
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(search="volcanoes"), 1, id_page.cursors[0])
    assert caught.value.code is ErrorCode.BAD_USER_INPUT


async def test_rank_cursor_given_to_the_id_list_is_bad_user_input() -> None:
    await upsert_courses([item("a", title="Volcanoes"), item("b", title="Volcanoes")], MAX)
    rank_page = await list_courses(CourseFilter(search="volcanoes"), 1, None)
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(), 1, rank_page.cursors[0])
    assert caught.value.code is ErrorCode.BAD_USER_INPUT


@pytest.mark.parametrize("search", [None, "volcanoes"])
@pytest.mark.parametrize("after", ["garbage", "", "eyJpZCI6MX0", encode_cursor("other", 1)])
async def test_garbage_cursor_is_bad_user_input(search: str | None, after: str) -> None:
    await upsert_courses([item("a", title="Volcanoes")], MAX)
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(search=search), 10, after)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT


@pytest.mark.parametrize("value", ["abc", None, -5, [1]])
async def test_rank_cursor_with_a_non_integer_value_is_bad_user_input(value: object) -> None:
    await upsert_courses([item("a", title="Volcanoes")], MAX)
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(search="volcanoes"), 10, encode_cursor("rank", value))
    assert caught.value.code is ErrorCode.BAD_USER_INPUT


@pytest.mark.parametrize("search", [None, "volcanoes"])
@pytest.mark.parametrize("first", [0, -1, 101])
async def test_first_out_of_range_is_bad_user_input(search: str | None, first: int) -> None:
    with pytest.raises(UseCaseError) as caught:
        await list_courses(CourseFilter(search=search), first, None)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "`first` must be between 1 and 100"


async def test_first_100_is_accepted() -> None:
    await upsert_courses([item(f"c{i:03d}") for i in range(101)], MAX)
    page = await list_courses(CourseFilter(), 100, None)
    assert len(page.items) == 100
    assert page.has_next_page is True
    assert page.total_count == 101


async def test_get_course() -> None:
    await upsert_courses([item("c1", published=False)], MAX)
    course = await get_course("c1")
    assert course is not None
    assert course.published is False
    assert await get_course("missing") is None
