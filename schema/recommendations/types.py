"""GraphQL types of recommendations."""

from datetime import datetime
from enum import Enum

import strawberry

from app.core.documents import CourseFormat, CourseLevel
from schema.courses.types import Course, CourseFormatType, CourseLevelType


@strawberry.type(description="Why a course is recommended: a stable code for clients and a human text. A value "
                 "object of its RecommendedCourse (no id): it only exists inside that item.")
class Reason:
    code: str = strawberry.field(description="e.g. BECAUSE_YOU_COMPLETED, MATCHES_GOAL, POPULAR_WITH_SIMILAR, "
                                 "NEXT_AFTER, TRENDING, SIMILAR_TO, FITS_YOUR_TIME, POPULAR.")
    text: str = strawberry.field(description="The reason in words for learners, e.g. \"Because you completed SQL "
                                 "Basics\".")


@strawberry.type(description="One course of a recommendation list; its id is the list's id and the course id.")
class RecommendedCourse:
    id: strawberry.ID = strawberry.field(
        description="`<list id>:<course id>`: stable for the same question, unlike the list's requestId.")
    course: Course = strawberry.field(description="The recommended course.")
    score: float = strawberry.field(description="The recommender's score; comparable only within one list.")
    source: str = strawberry.field(description="The recommender that proposed it.")
    reasons: list[Reason] = strawberry.field(description="Why it is recommended, strongest reason first.")
    variant: str | None = strawberry.field(default=None, description=(
        "In an interleaved list (the list's `variant` is `interleaved`): the variant whose ranker placed this item. "
        "Send it as the `variant` of this item's impression and click events, so credit goes to the right ranker. "
        "Null otherwise."))


@strawberry.enum(description="Why a recommendation list is not personal.")
class NotPersonalizedReason(Enum):
    NOT_CONSENTED = strawberry.enum_value(
        "NOT_CONSENTED", description="The learner has not granted the PERSONALIZATION purpose (see `setConsent`).")
    SWITCHED_OFF = strawberry.enum_value(
        "SWITCHED_OFF", description="The learner switched personalization off (`setPersonalization`).")
    NOTHING_KNOWN_YET = strawberry.enum_value(
        "NOTHING_KNOWN_YET", description="No goals, interests or history to go on yet: popular courses.")
    FALLBACK = strawberry.enum_value(
        "FALLBACK", description="The asked recommender failed, was late, is not trained or had nothing for the "
        "learner (`fallback: true`): popular courses.")


@strawberry.type(description="A list of recommended courses for one learner and question.")
class Recommendations:
    id: strawberry.ID = strawberry.field(description=(
        "Stable for the same learner and question (strategy, first, filters, context, diversity): a short hash "
        "of them. Asking the same question again updates the same cached list; requestId differs per answer."))
    items: list[RecommendedCourse] = strawberry.field(description="The courses, best first (at most `first`).")
    request_id: str = strawberry.field(
        description="Identifies this list: send it with recommendation impression, click and dismiss events."
    )
    strategy: str = strawberry.field(description="The recommender that actually answered.")
    fallback: bool = strawberry.field(
        description="True when the asked strategy failed, was late or had nothing, and `popular` answered."
    )
    not_personalized_reason: NotPersonalizedReason | None = strawberry.field(description=(
        "Why the list is not made from the learner's own data (then `strategy` is `popular`); null when it is."))
    explanation: str = strawberry.field(description=(
        "What the list was made from, in words a learner can be shown, e.g. \"Popular courses: you have not "
        "allowed personalization.\""))
    experiment: str | None = strawberry.field(default=None, description=(
        "The running experiment whose variant answered this `auto` question (its id, see `experiments`); null "
        "when none applies: another strategy was asked, or the learner takes part in none (no personalization "
        "consent, personalization switched off, or outside the population). Send it with the list's impression "
        "and click events."))
    variant: str | None = strawberry.field(default=None, description=(
        "The learner's variant of `experiment` (its name); the same for a learner as long as the experiment "
        "runs. `interleaved` in an INTERLEAVING experiment: then each item's `variant` names its ranker. Null when "
        "`experiment` is null."))


@strawberry.type(description="An installed recommender and the artifact it serves; its id is its name.")
class RecommenderInfo:
    name: str = strawberry.field(description="The name `strategy` and PATHWISE_RECOMMENDERS use, e.g. popular.")
    version: str = strawberry.field(description="The recommender code's version, as its plugin declares it.")
    description: str = strawberry.field(description="What it recommends, as its plugin describes it.")
    source: str = strawberry.field(description="The package that provides it.")
    enabled: bool = strawberry.field(description="Configured to serve (PATHWISE_RECOMMENDERS).")
    trained_at: datetime | None = strawberry.field(description="When the served artifact was trained; null if none.")
    artifact_version: str | None = strawberry.field(description="The served artifact's version; null if none.")
    config_hash: str | None = strawberry.field(
        description="Hash of the configuration the artifact was trained with; null if none.")
    status: str = strawberry.field(description="READY, COMPOSED, NOT_TRAINED, STALE, FAILED or DISABLED.")
    problem: str | None = strawberry.field(description="Why it cannot serve (FAILED, STALE, ...); null when fine.")

    @strawberry.field(description="Its name: one entry per installed recommender.")
    def id(self) -> strawberry.ID:
        return strawberry.ID(self.name)


@strawberry.type(description="This server's cache of recommendation lists, since it started. A value object (no "
                 "id): statistics of one server process, read fresh each time.")
class RecommendationCacheInfo:
    enabled: bool = strawberry.field(description="Whether lists are cached (recommendation cache seconds > 0).")
    seconds: float = strawberry.field(description="How long a list may be served again.")
    size: int = strawberry.field(description="Lists held now.")
    hits: int = strawberry.field(description="Requests answered from the cache.")
    misses: int = strawberry.field(description="Requests computed (nothing cached, expired, or the learner changed).")


@strawberry.input(description="Only courses that pass every given filter.")
class RecommendationFilters:
    skills: list[str] | None = strawberry.field(default=None, description="Any of these skills (≤ 50).")
    level: CourseLevelType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Courses of this level.")
    language: str | None = strawberry.field(default=None, description="Courses in this language (e.g. en).")
    format: CourseFormatType | None = strawberry.field(  # type: ignore[valid-type]
        default=None, description="Courses of this format.")
    max_minutes: int | None = strawberry.field(default=None, description="Courses at most this long.")


@strawberry.input(description="Where and how the learner is now.")
class RecommendationContext:
    device: str | None = strawberry.field(default=None, description="desktop, mobile (phone), tablet, tv, ...")
    available_minutes: int | None = strawberry.field(default=None, description="Free time now, in minutes.")


def level_value(level: CourseLevel | None) -> str | None:
    return level.value if level is not None else None


def format_value(course_format: CourseFormat | None) -> str | None:
    return course_format.value if course_format is not None else None
