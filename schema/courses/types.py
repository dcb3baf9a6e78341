"""GraphQL types of the catalog. Fields read Course documents directly."""

from datetime import datetime
from typing import Any

import strawberry

from app.core.documents import Course as CourseDocument
from app.core.documents import CourseFormat, CourseLevel
from resolvers.pages import Page
from schema.context import Info
from schema.enums import described_enum
from schema.errors import UserError

CourseLevelType = described_enum(CourseLevel, "CourseLevel", "Who a course is for.", {
    "BEGINNER": "No prior knowledge of its skills needed.",
    "INTERMEDIATE": "For learners who know the basics of its skills.",
    "ADVANCED": "For learners at ease with its skills.",
    "MIXED": "Parts for several levels.",
})
CourseFormatType = described_enum(CourseFormat, "CourseFormat", "How a course is delivered.", {
    "VIDEO": "Mostly recorded video.",
    "TEXT": "Mostly reading.",
    "INTERACTIVE": "Exercises and in-browser practice.",
    "PROJECT": "Built around a project.",
    "LIVE": "Live sessions with an instructor.",
    "AUDIO": "Mostly listening (podcast style).",
    "MIXED": "Several formats.",
})


# What each course field holds, shared by Course and CourseInput.
_ABOUT = {
    "title": "The course's title.",
    "summary": "A sentence or two about it (read by search and the content recommender).",
    "description": "The full description (read by search and the content recommender).",
    "skills": "Skills it teaches, as the platform names them (matched to the skill graph ignoring case).",
    "topics": "Broader topics it belongs to.",
    "level": "Who it is for; null if unknown.",
    "language": "Its language, e.g. en.",
    "duration_minutes": "How long it takes, in minutes; null if unknown.",
    "format": "How it is delivered; null if unknown.",
    "provider": "Who publishes it; null if unknown.",
    "instructors": "Its instructors' names (followInstructor takes them).",
    "prerequisites": "Course ids or skill ids to know first.",
    "url": "Where learners open it on the platform; null if none.",
    "rating": "The platform's rating (0–5), as imported.",
    "rating_count": "The platform's rating count, as imported.",
    "enrollment_count": "The platform's enrolment count, as imported.",
    "published": "Whether learners may see it; unpublished courses are never recommended.",
}


def _optional(name: str) -> Any:
    """An optional CourseInput field, described as Course's is: left out, the stored value stays."""
    return strawberry.field(default=strawberry.UNSET, description=_ABOUT[name])


@strawberry.type(description="What this deployment's learners did with the course. A value object of its Course "
                 "(no id): a normalised cache keeps it inside the course, which rateCourse and enroll return.")
class CourseStats:
    enrollments: int = strawberry.field(description="Enrolments through Pathwise (enroll).")
    completions: int = strawberry.field(description="Enrolments that reached progress 1.")
    rating_count: int = strawberry.field(description="Ratings through Pathwise (rateCourse).")
    rating_average: float | None = strawberry.field(description="Their mean, 1–5; null before the first rating.")


@strawberry.type(description="A course of the platform's catalog.")
class Course:
    id: strawberry.ID = strawberry.field(description="The platform's own course id.")
    title: str = strawberry.field(description=_ABOUT["title"])
    summary: str = strawberry.field(description=_ABOUT["summary"])
    description: str = strawberry.field(description=_ABOUT["description"])
    skills: list[str] = strawberry.field(description=_ABOUT["skills"])
    topics: list[str] = strawberry.field(description=_ABOUT["topics"])
    level: CourseLevelType | None = strawberry.field(description=_ABOUT["level"])  # type: ignore[valid-type]
    language: str = strawberry.field(description=_ABOUT["language"])
    duration_minutes: int | None = strawberry.field(description=_ABOUT["duration_minutes"])
    format: CourseFormatType | None = strawberry.field(description=_ABOUT["format"])  # type: ignore[valid-type]
    provider: str | None = strawberry.field(description=_ABOUT["provider"])
    instructors: list[str] = strawberry.field(description=_ABOUT["instructors"])
    url: str | None = strawberry.field(description=_ABOUT["url"])
    rating: float | None = strawberry.field(description="The platform's rating (0–5), as imported.")
    rating_count: int = strawberry.field(description="The platform's rating count, as imported.")
    enrollment_count: int = strawberry.field(description="The platform's enrolment count, as imported.")
    stats: CourseStats = strawberry.field(description="Enrolments, completions and ratings through Pathwise.")
    published: bool = strawberry.field(description=_ABOUT["published"])
    content_hash: str = strawberry.field(
        description="Hash of the fields recommenders read; it changes when the course's content does.")
    created_at: datetime = strawberry.field(description="When the course was first stored (UTC).")
    updated_at: datetime = strawberry.field(description="When the course last changed (UTC).")

    @strawberry.field(description="Ids as sent: course ids or skill ids.")
    def prerequisite_ids(self, root: strawberry.Parent[CourseDocument]) -> list[str]:
        return root.prerequisites

    @strawberry.field(description="The prerequisites that are courses of the catalog (batched).")
    async def prerequisites(self, root: strawberry.Parent[CourseDocument], info: Info) -> list["Course"]:
        found = await info.context.loaders.course_by_id.load_many(root.prerequisites)
        return [course for course in found if course is not None]


@strawberry.type(description="Where a page is in its list, Relay style. A value object of its connection (no id).")
class PageInfo:
    has_next_page: bool = strawberry.field(description="More items follow: pass endCursor as `after`.")
    has_previous_page: bool = strawberry.field(description="Items come before this page (an `after` was given).")
    start_cursor: str | None = strawberry.field(description="The first item's cursor; null for an empty page.")
    end_cursor: str | None = strawberry.field(description="The last item's cursor; null for an empty page.")


def page_info_of(page: Page[Any]) -> "PageInfo":
    """The Relay page info of a keyset page."""
    return PageInfo(
        has_next_page=page.has_next_page, has_previous_page=page.has_previous_page,
        start_cursor=page.cursors[0] if page.cursors else None,
        end_cursor=page.cursors[-1] if page.cursors else None,
    )


@strawberry.type(description="A course of a page and its cursor. A value object (no id): its node is the entity.")
class CourseEdge:
    cursor: str = strawberry.field(description="Opaque; pass it as `after` to continue after this course.")
    node: Course = strawberry.field(description="The course.")


@strawberry.type(description="A page of courses, Relay style. A value object (no id): the answer to one query.")
class CourseConnection:
    total_count: int = strawberry.field(description="Courses matching the filters, over all pages.")
    edges: list[CourseEdge] = strawberry.field(description="This page's courses, in order.")
    page_info: PageInfo = strawberry.field(description="Whether more pages follow, and the cursors.")


@strawberry.input(description="A course to create or update. Fields left out keep their stored values.")
class CourseInput:
    id: strawberry.ID = strawberry.field(description="The platform's own course id.")
    title: str | None = _optional("title")
    summary: str | None = _optional("summary")
    description: str | None = _optional("description")
    skills: list[str] | None = _optional("skills")
    topics: list[str] | None = _optional("topics")
    level: CourseLevelType | None = _optional("level")  # type: ignore[valid-type]
    language: str | None = _optional("language")
    duration_minutes: int | None = _optional("duration_minutes")
    format: CourseFormatType | None = _optional("format")  # type: ignore[valid-type]
    provider: str | None = _optional("provider")
    instructors: list[str] | None = _optional("instructors")
    prerequisites: list[str] | None = _optional("prerequisites")
    url: str | None = _optional("url")
    rating: float | None = _optional("rating")
    rating_count: int | None = _optional("rating_count")
    enrollment_count: int | None = _optional("enrollment_count")
    published: bool | None = _optional("published")


@strawberry.type(description="What upsertCourses changed.")
class UpsertCoursesPayload:
    courses: list[Course] = strawberry.field(default_factory=list,
                                             description="The courses stored or left unchanged, in input order.")
    created: int = strawberry.field(default=0, description="Courses that were new.")
    updated: int = strawberry.field(default=0, description="Courses whose stored values changed.")
    unchanged: int = strawberry.field(default=0, description="Courses sent exactly as stored (not rewritten).")
    errors: list[UserError] = strawberry.field(description="Refused courses, each with its index in the input.")
