"""The course catalog: read, search and list, bulk upsert."""

from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pymongo import ReplaceOne

from app.core.documents import Course, CourseLevel
from app.core.documents.courses import CONTENT_FIELDS
from app.core.identifiers import id_problem, plain_id
from app.core.timestamps import utcnow
from resolvers.courses.index import IndexFilter
from resolvers.courses.search import SEARCH, check_search
from resolvers.errors import ErrorCode, Problem, UseCaseError, validation_problems
from resolvers.pages import Page, check_page_size, decode_cursor, encode_cursor


@dataclass(frozen=True)
class CourseFilter:
    search: str | None = None
    skills: list[str] = field(default_factory=list)
    level: CourseLevel | None = None
    language: str | None = None
    include_unpublished: bool = False


@dataclass
class UpsertReport:
    """What a bulk upsert did, item by item."""

    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stored_ids: list[str] = field(default_factory=list)  # in input order


async def get_course(course_id: str) -> Course | None:
    return await Course.get(course_id)


def course_query(filters: CourseFilter) -> dict[str, Any]:
    """The MongoDB filter for `filters`, but `search` (the search index answers it)."""
    query: dict[str, Any] = {}
    if filters.skills:
        query["skill_keys"] = {"$in": [skill.casefold() for skill in filters.skills]}
    if filters.level is not None:
        query["level"] = filters.level.value
    if filters.language:
        query["language"] = filters.language.lower()
    if not filters.include_unpublished:
        query["published"] = True
    return query


async def list_courses(filters: CourseFilter, first: int, after: str | None) -> Page[Course]:
    """A page of courses: by relevance when searching (see resolvers.courses.search), else by id."""
    if filters.search is not None:
        check_search(filters.search)
    check_page_size(first)
    if filters.search and filters.search.strip():
        return await _page_by_relevance(filters, filters.search, first, after)
    query = course_query(filters)
    return await _page_by_id(query, first, after, await Course.find(query).count())


async def _page_by_id(query: dict[str, Any], first: int, after: str | None, total: int) -> Page[Course]:
    if after is not None:
        query = {**query, "_id": {"$gt": decode_cursor(after, "id")}}
    found = await Course.find(query).sort("_id").limit(first + 1).to_list()
    items = found[:first]
    return Page(items, [encode_cursor("id", c.id) for c in items], total, len(found) > first, after is not None)


async def _page_by_relevance(filters: CourseFilter, search: str, first: int, after: str | None) -> Page[Course]:
    """Ids from the search index, then those courses from the store by id (a course gone meanwhile is left out)."""
    offset = _rank(decode_cursor(after, "rank")) + 1 if after is not None else 0
    hits = await SEARCH.search(search, _index_filter(filters), offset, first)
    found = {c.id: c for c in await Course.find({"_id": {"$in": hits.ids}}).to_list()} if hits.ids else {}
    kept = [(offset + n, found[course_id]) for n, course_id in enumerate(hits.ids) if course_id in found]
    cursors = [encode_cursor("rank", rank) for rank, _ in kept]
    return Page([course for _, course in kept], cursors, hits.total, offset + len(hits.ids) < hits.total, offset > 0)


def _index_filter(filters: CourseFilter) -> IndexFilter:
    return IndexFilter(skills=tuple(skill.casefold() for skill in filters.skills),
                       level=filters.level.value if filters.level is not None else None,
                       language=filters.language.lower() if filters.language else None,
                       include_unpublished=filters.include_unpublished)


def _rank(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`after` is not a cursor of this list")


async def upsert_courses(items: list[dict[str, Any]], max_items: int) -> UpsertReport:
    """Create or update courses by id; fields left out keep their stored values."""
    if len(items) > max_items:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {max_items} courses per call; got {len(items)}")
    report = UpsertReport()
    ids = [str(item.get("id", "")) for item in items]
    valid = list({course_id for course_id in ids if id_problem(course_id) is None})
    existing = {c.id: c for c in await Course.find({"_id": {"$in": valid}}).to_list()}
    written: list[Course] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(items):
        course = _merged(index, item, existing.get(ids[index]), seen, report)
        if course is not None:
            written.append(course)
    if written:
        writes = [ReplaceOne({"_id": c.id}, c.model_dump(by_alias=True), upsert=True) for c in written]
        await Course.get_pymongo_collection().bulk_write(writes, ordered=False)
        SEARCH.courses_written(written)
    return report


def _merged(
    index: int, item: dict[str, Any], stored: Course | None, seen: dict[str, int], report: UpsertReport
) -> Course | None:
    course_id = plain_id(item.get("id"))
    problem = "every course needs an id" if course_id is None else id_problem(course_id)
    if problem:
        message = problem if course_id is None else f"id {problem}"
        report.problems.append(Problem(ErrorCode.BAD_USER_INPUT, message, "id", index))
        return None
    if course_id in seen:
        message = f"course {course_id!r} appears twice in this batch (first at index {seen[course_id]})"
        report.problems.append(Problem(ErrorCode.DUPLICATE, message, "id", index))
        return None
    seen[course_id] = index
    unknown = set(item) - set(CONTENT_FIELDS) - {"id"}
    if unknown:
        report.problems.append(Problem(ErrorCode.BAD_USER_INPUT, f"unknown fields {sorted(unknown)}", None, index))
        return None
    data = stored.model_dump() if stored else {}
    data.update(item)
    try:
        course: Course = Course.model_validate(data)
    except ValidationError as error:
        report.problems.extend(validation_problems(error, index))
        return None
    course.content_hash = course.compute_content_hash()
    report.stored_ids.append(course.id)
    # compare with the stored course as it is now: enrolments and ratings move its counts after an import
    if stored is not None and stored.compute_content_hash() == course.content_hash:
        report.unchanged.append(course.id)
        return None
    course.updated_at = utcnow()
    (report.updated if stored else report.created).append(course.id)
    return course
