"""Recommendation queries: `recommendations`, `similarCourses` and `recommenders`."""

import asyncio

import strawberry

from app.documents.timestamps import utcnow
from resolvers import recommendations as use_cases
from resolvers.catalog_snapshot import CourseFilters
from resolvers.consents import default_purposes
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.recommendation_service import RecommendationService, RecommenderStatus
from resolvers.recommendations import Ask, LearnerRecords, RequestContext
from schema.context import Info
from schema.errors import ApiError, api_error
from schema.permissions import ActsForLearner, IsAuthenticated, IsPartner, acting_user
from schema.recommendations.types import (
    Reason,
    RecommendationCacheInfo,
    RecommendationContext,
    RecommendationFilters,
    Recommendations,
    RecommendedCourse,
    RecommenderInfo,
    format_value,
    level_value,
)

MAX_FILTER_SKILLS = 50


def _service(info: Info) -> RecommendationService:
    service = info.context.recommendations
    if service is None:
        raise ApiError(ErrorCode.UNAVAILABLE, "recommendations are not available on this server")
    return service


async def _records(info: Info, user_id: str) -> LearnerRecords:
    loaders = info.context.loaders
    user, enrollments, ratings = await asyncio.gather(
        loaders.user_by_id.load(user_id), loaders.enrollments_by_user.load(user_id),
        loaders.ratings_by_user.load(user_id))
    return LearnerRecords(user, enrollments, ratings)


def _filters(given: RecommendationFilters | None) -> CourseFilters:
    if given is None:
        return CourseFilters()
    if given.skills is not None and len(given.skills) > MAX_FILTER_SKILLS:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"at most {MAX_FILTER_SKILLS} skills may be given")
    return CourseFilters(tuple(given.skills or ()), level_value(given.level), given.language,
                         format_value(given.format), given.max_minutes)


def _items(found: list[use_cases.RecommendedCourse]) -> list[RecommendedCourse]:
    return [RecommendedCourse(course=item.course, score=round(item.score, 6), source=item.source,
                              reasons=[Reason(code=r.code, text=r.text) for r in item.reasons]) for item in found]


def _info(status: RecommenderStatus) -> RecommenderInfo:
    manifest = status.manifest
    return RecommenderInfo(
        name=status.info.name, version=status.info.version, description=status.info.description,
        source=status.info.source, enabled=status.enabled, status=status.status, problem=status.problem,
        trained_at=manifest.trained_at if manifest else None,
        artifact_version=manifest.version if manifest else None,
        config_hash=manifest.config_hash if manifest else None)


@strawberry.type
class Query:
    @strawberry.field(
        permission_classes=[ActsForLearner],
        description="Courses for the learner (default: the caller), best first. `strategy` is `auto` or an "
        "enabled recommender's name (see `recommenders`); `first` is 1–`PATHWISE_MAX_RECOMMENDATIONS` (100); "
        "`diversity` 0–1 trades relevance for variety (MMR). Enrolled, completed, dismissed and not-interested "
        "courses and topics are never returned. A recommender that fails or is late is replaced by `popular` "
        "(`fallback: true`).",
    )
    async def recommendations(
        self, info: Info, strategy: str = "auto", first: int = 10, filters: RecommendationFilters | None = None,
        context: RecommendationContext | None = None, diversity: float = 0.0, user_id: strawberry.ID | None = None,
    ) -> Recommendations:
        service = _service(info)
        settings = info.context.settings
        ask = Ask(strategy, first, _filters(filters),
                  RequestContext(context.device, context.available_minutes) if context else RequestContext(),
                  diversity)
        learner = acting_user(info, user_id)
        try:
            found = await use_cases.cached_recommendations(
                service, learner, ask, lambda: _records(info, learner), utcnow(), settings.interest_half_life_days,
                default_purposes(settings.default_consents))
        except UseCaseError as error:
            raise api_error(error) from error
        return Recommendations(items=_items(found.items), request_id=found.request_id, strategy=found.strategy,
                               fallback=found.fallback)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Courses most like the given one (content embeddings; shared skills before training), "
        "minus the caller's enrolled, dismissed and not-interested courses. `first` is 1–100.",
    )
    async def similar_courses(self, info: Info, course_id: strawberry.ID, first: int = 10) -> list[RecommendedCourse]:
        service = _service(info)
        if not 1 <= first <= info.context.settings.max_recommendations:
            raise ApiError(ErrorCode.BAD_USER_INPUT,
                           f"first must be between 1 and {info.context.settings.max_recommendations}")
        principal = info.context.principal
        records = await _records(info, principal.user_id) if principal is not None else None
        try:
            return _items(use_cases.similar_courses(service, str(course_id), first, records))
        except UseCaseError as error:
            raise api_error(error) from error

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Every installed recommender, whether it is enabled, and the artifact it serves.")
    def recommenders(self, info: Info) -> list[RecommenderInfo]:
        return [_info(status) for status in _service(info).statuses()]

    @strawberry.field(permission_classes=[IsPartner], description="Hits and misses of this server's cache of "
                      "recommendation lists (partners and admins).")
    def recommendation_cache(self, info: Info) -> RecommendationCacheInfo:
        cache = _service(info).cache
        return RecommendationCacheInfo(enabled=cache.enabled, seconds=cache.seconds, size=len(cache), hits=cache.hits,
                                       misses=cache.misses)
