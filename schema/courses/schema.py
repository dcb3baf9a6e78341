"""Catalog queries and mutations."""

from typing import Annotated

import strawberry

from app.core.documents import Course as CourseDocument
from app.core.tokens import Role
from resolvers.courses import courses as use_cases
from resolvers.courses.search import MAX_SEARCH_CHARS, MAX_SEARCH_WORDS
from resolvers.pages import MAX_PAGE_SIZE, Page
from schema.arguments import AfterArg
from schema.context import Info
from schema.courses.types import (
    Course,
    CourseConnection,
    CourseEdge,
    CourseInput,
    CourseLevelType,
    UpsertCoursesPayload,
    page_info_of,
)
from schema.errors import user_errors
from schema.expected_errors import ExpectedErrors
from schema.inputs import given_fields
from schema.permissions import IsAuthenticated, IsPartner


def _connection(page: Page[CourseDocument]) -> CourseConnection:
    edges = [CourseEdge(cursor=c, node=n) for n, c in zip(page.items, page.cursors, strict=True)]
    return CourseConnection(total_count=page.total_count, edges=edges, page_info=page_info_of(page))


@strawberry.type(description="Catalog queries.")
class Query:
    @strawberry.field(permission_classes=[IsAuthenticated], description="A course by id, or null.")
    async def course(
        self, info: Info, id: Annotated[strawberry.ID, strawberry.argument(description="The course's id.")]
    ) -> Course | None:
        return await info.context.loaders.course_by_id.load(str(id))

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description=(
            f"Courses, filtered. `search` is full-text (title, skills, topics, summary, description) and "
            f"orders by relevance; otherwise by id. `skills` matches any of them, case-insensitively. "
            f"`first` is 1–{MAX_PAGE_SIZE}. Unpublished courses only for partners and admins who ask."
        ),
        extensions=[ExpectedErrors()],
    )
    async def courses(
        self, info: Info,
        search: Annotated[str | None, strawberry.argument(description=(
            "Full-text query: any of its words in the title (weighed most), skills, topics, summary or "
            f"description, results by relevance. At most {MAX_SEARCH_CHARS} characters and {MAX_SEARCH_WORDS} "
            "words, without NUL: longer is refused with BAD_USER_INPUT."))] = None,
        skills: Annotated[list[str] | None, strawberry.argument(
            description="Courses teaching any of these skills, ignoring case.")] = None,
        level: Annotated[CourseLevelType | None, strawberry.argument(  # type: ignore[valid-type]
            description="Courses of this level.")] = None,
        language: Annotated[str | None, strawberry.argument(description="Courses in this language, e.g. en.")] = None,
        first: Annotated[int, strawberry.argument(description=f"Page size, 1–{MAX_PAGE_SIZE}.")] = 20,
        after: AfterArg = None,
        include_unpublished: Annotated[bool, strawberry.argument(
            description="Also unpublished courses; only honoured for partners and admins.")] = False,
    ) -> CourseConnection:
        principal = info.context.principal
        privileged = principal is not None and principal.has_any(Role.PARTNER, Role.ADMIN)
        filters = use_cases.CourseFilter(
            search=search, skills=skills or [], level=level, language=language,
            include_unpublished=include_unpublished and privileged,
        )
        return _connection(await use_cases.list_courses(filters, first, after))


@strawberry.type(description="Catalog mutations.")
class Mutation:
    @strawberry.mutation(
        permission_classes=[IsPartner],
        description=(
            "Create or update up to 1,000 courses by id (partners and admins). "
            "Unchanged courses are not rewritten."
        ),
        extensions=[ExpectedErrors()],
    )
    async def upsert_courses(
        self, info: Info, input: Annotated[list[CourseInput], strawberry.argument(
            description="1 to 1,000 courses (PATHWISE_MAX_COURSES_PER_BATCH), each by id.")],
    ) -> UpsertCoursesPayload:
        items = [given_fields(item) for item in input]
        report = await use_cases.upsert_courses(items, info.context.settings.max_courses_per_batch)
        stored = await info.context.loaders.course_by_id.load_many(report.stored_ids)
        return UpsertCoursesPayload(
            courses=[c for c in stored if c is not None],
            created=len(report.created), updated=len(report.updated), unchanged=len(report.unchanged),
            errors=user_errors(report.problems),
        )
