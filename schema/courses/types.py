"""GraphQL types of the catalog. Fields read Course documents directly."""

from datetime import datetime
from typing import Any

import strawberry

from app.documents import Course as CourseDocument
from app.documents import CourseFormat, CourseLevel
from resolvers.pages import Page
from schema.context import Info
from schema.errors import UserError

CourseLevelType = strawberry.enum(CourseLevel, name="CourseLevel")
CourseFormatType = strawberry.enum(CourseFormat, name="CourseFormat")


@strawberry.type(description="What this deployment's learners did with the course.")
class CourseStats:
    enrollments: int
    completions: int
    rating_count: int
    rating_average: float | None


@strawberry.type(description="A course of the platform's catalog.")
class Course:
    id: strawberry.ID
    title: str
    summary: str
    description: str
    skills: list[str]
    topics: list[str]
    level: CourseLevelType | None  # type: ignore[valid-type]
    language: str
    duration_minutes: int | None
    format: CourseFormatType | None  # type: ignore[valid-type]
    provider: str | None
    instructors: list[str]
    url: str | None
    rating: float | None = strawberry.field(description="The platform's rating (0–5), as imported.")
    rating_count: int = strawberry.field(description="The platform's rating count, as imported.")
    enrollment_count: int = strawberry.field(description="The platform's enrolment count, as imported.")
    stats: CourseStats = strawberry.field(description="Enrolments, completions and ratings through Pathwise.")
    published: bool
    content_hash: str
    created_at: datetime
    updated_at: datetime

    @strawberry.field(description="Ids as sent: course ids or skill ids.")
    def prerequisite_ids(self, root: strawberry.Parent[CourseDocument]) -> list[str]:
        return root.prerequisites

    @strawberry.field(description="The prerequisites that are courses of the catalog (batched).")
    async def prerequisites(self, root: strawberry.Parent[CourseDocument], info: Info) -> list["Course"]:
        found = await info.context.loaders.course_by_id.load_many(root.prerequisites)
        return [course for course in found if course is not None]


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


def page_info_of(page: Page[Any]) -> "PageInfo":
    """The Relay page info of a keyset page."""
    return PageInfo(
        has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


@strawberry.type
class CourseEdge:
    cursor: str
    node: Course


@strawberry.type(description="A page of courses, Relay style.")
class CourseConnection:
    total_count: int
    edges: list[CourseEdge]
    page_info: PageInfo


@strawberry.input(description="A course to create or update. Fields left out keep their stored values.")
class CourseInput:
    id: strawberry.ID
    title: str | None = strawberry.UNSET
    summary: str | None = strawberry.UNSET
    description: str | None = strawberry.UNSET
    skills: list[str] | None = strawberry.UNSET
    topics: list[str] | None = strawberry.UNSET
    level: CourseLevelType | None = strawberry.UNSET  # type: ignore[valid-type]
    language: str | None = strawberry.UNSET
    duration_minutes: int | None = strawberry.UNSET
    format: CourseFormatType | None = strawberry.UNSET  # type: ignore[valid-type]
    provider: str | None = strawberry.UNSET
    instructors: list[str] | None = strawberry.UNSET
    prerequisites: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Course ids or skill ids."
    )
    url: str | None = strawberry.UNSET
    rating: float | None = strawberry.UNSET
    rating_count: int | None = strawberry.UNSET
    enrollment_count: int | None = strawberry.UNSET
    published: bool | None = strawberry.UNSET


@strawberry.type
class UpsertCoursesPayload:
    courses: list[Course] = strawberry.field(description="The courses stored or left unchanged, in input order.")
    created: int
    updated: int
    unchanged: int
    errors: list[UserError]
