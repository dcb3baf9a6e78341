"""A learner's recommendations, shared by `Query.recommendations` and `User.recommendations`: the same use case,
permission rule, cache and list id for the same question."""

import asyncio
from collections.abc import Awaitable, Callable
from typing import Annotated

import strawberry

from app.core.documents import User as UserDocument
from app.core.timestamps import utcnow
from resolvers.courses.snapshot import CourseFilters
from resolvers.errors import ErrorCode
from resolvers.purposes import default_purposes
from resolvers.recommendations import recommend as use_cases
from resolvers.recommendations.preparation import LearnerRecords
from resolvers.recommendations.recommend import Ask, RequestContext
from resolvers.recommendations.service import RecommendationService
from schema.context import Context, Info
from schema.errors import ApiError
from schema.ids import pair_id, question_id
from schema.recommendations.types import (
    NotPersonalizedReason,
    Reason,
    RecommendationContext,
    RecommendationFilters,
    Recommendations,
    RecommendedCourse,
    format_value,
    level_value,
)

MAX_FILTER_SKILLS = 50

StrategyArg = Annotated[str, strawberry.argument(
    description="`auto` (the configured recommenders in order) or the name of an enabled recommender (see "
    "`recommenders`); any other name is BAD_USER_INPUT.")]
FirstArg = Annotated[int, strawberry.argument(
    description="How many courses: 1 to PATHWISE_MAX_RECOMMENDATIONS (100 by default); outside is BAD_USER_INPUT.")]
FiltersArg = Annotated[RecommendationFilters | None, strawberry.argument(
    description="Only courses that pass every given filter; null for no filter.")]
ContextArg = Annotated[RecommendationContext | None, strawberry.argument(
    description="The learner's device and free time now: courses that fit them rank higher; null for none.")]
DiversityArg = Annotated[float, strawberry.argument(
    description="0 to 1: 0 ranks by relevance alone, higher values trade relevance for variety (MMR).")]

DESCRIPTION = (
    "Courses for the learner, best first. `strategy` is `auto` or an enabled recommender's name (see "
    "`recommenders`); `first` is 1–`PATHWISE_MAX_RECOMMENDATIONS` (100); `diversity` 0–1 trades relevance for "
    "variety (MMR). Enrolled, completed, dismissed and not-interested courses and topics are never returned. A "
    "recommender that fails or is late is replaced by `popular` (`fallback: true`). The list's `id` is the same "
    "for the same learner and question, so a normalised cache (Apollo, urql) keeps one entry per question: after "
    "a mutation that changes the learner (enroll, rateCourse, markNotInterested, followTopic, setConsent, "
    "trackEvents, ...) refetch it, or select `user { recommendations(...) }` in that mutation's payload with the "
    "same arguments and the same fields (one fragment), so that a course moving up the list is cached whole.")


EXPLANATIONS = {
    use_cases.Basis.PERSONALIZED: "Chosen for you from your goals, interests and activity.",
    use_cases.Basis.NOT_CONSENTED: "Popular courses: you have not allowed personalization.",
    use_cases.Basis.SWITCHED_OFF: "Popular courses: you switched personalization off.",
    use_cases.Basis.NOTHING_KNOWN_YET: "Popular courses: tell us your goals and interests to get your own.",
    use_cases.Basis.FALLBACK: "Popular courses: personal recommendations are not available right now.",
}


def service_of(info: Info) -> RecommendationService:
    service = info.context.recommendations
    if service is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "recommendations are not available on this server")
    return service


async def learner_records(info: Info, user_id: str) -> LearnerRecords:
    return await learner_records_of(info.context, user_id)()


def learner_records_of(context: Context, user_id: str) -> Callable[[], Awaitable[LearnerRecords]]:
    """What reads the learner's documents through the request's DataLoaders, when a use case needs them."""

    async def read() -> LearnerRecords:
        loaders = context.loaders
        user, enrollments, ratings = await asyncio.gather(
            loaders.user_by_id.load(user_id), loaders.enrollments_by_user.load(user_id),
            loaders.ratings_by_user.load(user_id))
        return LearnerRecords(user, enrollments, ratings)

    return read


def course_filters(given: RecommendationFilters | None) -> CourseFilters:
    if given is None:
        return CourseFilters()
    if given.skills is not None and len(given.skills) > MAX_FILTER_SKILLS:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"at most {MAX_FILTER_SKILLS} skills may be given")
    return CourseFilters(tuple(given.skills or ()), level_value(given.level), given.language,
                         format_value(given.format), given.max_minutes)


def recommended_items(found: list[use_cases.RecommendedCourse], list_id: str) -> list[RecommendedCourse]:
    return [RecommendedCourse(id=pair_id(list_id, item.course.id), course=item.course, score=round(item.score, 6),
                              source=item.source, reasons=[Reason(code=r.code, text=r.text) for r in item.reasons],
                              variant=item.variant)
            for item in found]


async def learner_recommendations(
    info: Info, learner: str, strategy: str, first: int, filters: RecommendationFilters | None,
    context: RecommendationContext | None, diversity: float,
) -> Recommendations:
    """The learner's recommendation list for this question (cached by the service while nothing changed); a
    refused question raises UseCaseError, which the fields' ExpectedErrors show with its code."""
    service = service_of(info)
    settings = info.context.settings
    ask = Ask(strategy, first, course_filters(filters),
              RequestContext(context.device, context.available_minutes) if context else RequestContext(), diversity)
    found = await use_cases.cached_recommendations(
        service, learner, ask, learner_records_of(info.context, learner), utcnow(),
        settings.interest_half_life_days, default_purposes(settings.default_consents))
    info.context.answered.append((learner, ask, found))  # for AnswerReplay (schema/recommendations/replay.py)
    list_id = question_id("recommendations", learner, ask)
    reason = None if found.basis == use_cases.Basis.PERSONALIZED else NotPersonalizedReason[found.basis.value]
    return Recommendations(id=list_id, items=recommended_items(found.items, list_id), request_id=found.request_id,
                           strategy=found.strategy, fallback=found.fallback, not_personalized_reason=reason,
                           explanation=EXPLANATIONS[found.basis], experiment=found.experiment,
                           variant=found.variant)


async def user_recommendations(
    root: strawberry.Parent[UserDocument], info: Info, strategy: StrategyArg = "auto", first: FirstArg = 10,
    filters: FiltersArg = None, context: ContextArg = None, diversity: DiversityArg = 0.0,
) -> Recommendations:
    return await learner_recommendations(info, root.id, strategy, first, filters, context, diversity)
