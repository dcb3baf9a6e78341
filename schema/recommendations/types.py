"""GraphQL types of recommendations."""

from datetime import datetime

import strawberry

from app.documents import CourseFormat, CourseLevel
from schema.courses.types import Course, CourseFormatType, CourseLevelType


@strawberry.type(description="Why a course is recommended: a stable code for clients and a human text.")
class Reason:
    code: str = strawberry.field(description="e.g. BECAUSE_YOU_COMPLETED, MATCHES_GOAL, POPULAR_WITH_SIMILAR, "
                                 "NEXT_AFTER, TRENDING, SIMILAR_TO, FITS_YOUR_TIME, POPULAR.")
    text: str


@strawberry.type(description="One recommended course.")
class RecommendedCourse:
    course: Course
    score: float = strawberry.field(description="The recommender's score; comparable only within one list.")
    source: str = strawberry.field(description="The recommender that proposed it.")
    reasons: list[Reason]


@strawberry.type(description="A list of recommended courses.")
class Recommendations:
    items: list[RecommendedCourse]
    request_id: str = strawberry.field(
        description="Identifies this list: send it with recommendation impression, click and dismiss events."
    )
    strategy: str = strawberry.field(description="The recommender that actually answered.")
    fallback: bool = strawberry.field(
        description="True when the asked strategy failed, was late or had nothing, and `popular` answered."
    )


@strawberry.type(description="An installed recommender and the artifact it serves.")
class RecommenderInfo:
    name: str
    version: str
    description: str
    source: str = strawberry.field(description="The package that provides it.")
    enabled: bool = strawberry.field(description="Configured to serve (PATHWISE_RECOMMENDERS).")
    trained_at: datetime | None
    artifact_version: str | None
    config_hash: str | None
    status: str = strawberry.field(description="READY, COMPOSED, NOT_TRAINED, STALE, FAILED or DISABLED.")
    problem: str | None


@strawberry.type(description="This server's cache of recommendation lists, since it started.")
class RecommendationCacheInfo:
    enabled: bool
    seconds: float = strawberry.field(description="How long a list may be served again.")
    size: int = strawberry.field(description="Lists held now.")
    hits: int = strawberry.field(description="Requests answered from the cache.")
    misses: int = strawberry.field(description="Requests computed (nothing cached, expired, or the learner changed).")


@strawberry.input(description="Only courses that pass every given filter.")
class RecommendationFilters:
    skills: list[str] | None = strawberry.field(default=None, description="Any of these skills (≤ 50).")
    level: CourseLevelType | None = None  # type: ignore[valid-type]
    language: str | None = None
    format: CourseFormatType | None = None  # type: ignore[valid-type]
    max_minutes: int | None = strawberry.field(default=None, description="Courses at most this long.")


@strawberry.input(description="Where and how the learner is now.")
class RecommendationContext:
    device: str | None = strawberry.field(default=None, description="desktop, mobile (phone), tablet, tv, ...")
    available_minutes: int | None = strawberry.field(default=None, description="Free time now, in minutes.")


def level_value(level: CourseLevel | None) -> str | None:
    return level.value if level is not None else None


def format_value(course_format: CourseFormat | None) -> str | None:
    return course_format.value if course_format is not None else None
