"""Recommendation queries: `recommendations`, `similarCourses` and `recommenders`."""

from typing import Annotated

import strawberry

from resolvers.errors import ErrorCode
from resolvers.recommendations import recommend as use_cases
from resolvers.recommendations.models import RecommenderStatus
from schema.arguments import LearnerIdArg
from schema.context import Info
from schema.errors import ApiError
from schema.expected_errors import ExpectedErrors
from schema.ids import question_id
from schema.permissions import IsAuthenticated, IsPartner, SelfOrPlatform, acting_user
from schema.recommendations.fields import (
    DESCRIPTION,
    ContextArg,
    DiversityArg,
    FiltersArg,
    FirstArg,
    StrategyArg,
    learner_recommendations,
    learner_records,
    recommended_items,
    service_of,
)
from schema.recommendations.types import RecommendationCacheInfo, Recommendations, RecommendedCourse, RecommenderInfo

_SIMILAR_FIRST = "How many courses: 1 to PATHWISE_MAX_RECOMMENDATIONS (100 by default)."


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
    @strawberry.field(permission_classes=[SelfOrPlatform], description=DESCRIPTION, extensions=[ExpectedErrors()])
    async def recommendations(
        self, info: Info, strategy: StrategyArg = "auto", first: FirstArg = 10, filters: FiltersArg = None,
        context: ContextArg = None, diversity: DiversityArg = 0.0, user_id: LearnerIdArg = None,
    ) -> Recommendations:
        learner = acting_user(info, user_id)
        return await learner_recommendations(info, learner, strategy, first, filters, context, diversity)

    @strawberry.field(
        permission_classes=[IsAuthenticated],
        description="Courses most like the given one (content embeddings; shared skills before training), "
        "minus the caller's enrolled, dismissed and not-interested courses. `first` is 1–100.",
        extensions=[ExpectedErrors()],
    )
    async def similar_courses(
        self, info: Info, course_id: Annotated[strawberry.ID, strawberry.argument(
            description="The course to find look-alikes of (NOT_FOUND if it is not in the catalog).")],
        first: Annotated[int, strawberry.argument(description=_SIMILAR_FIRST)] = 10,
    ) -> list[RecommendedCourse]:
        service = service_of(info)
        if not 1 <= first <= info.context.settings.max_recommendations:
            raise ApiError(ErrorCode.BAD_USER_INPUT,
                           f"first must be between 1 and {info.context.settings.max_recommendations}")
        principal = info.context.principal
        caller = principal.user_id if principal is not None else None
        records = await learner_records(info, caller) if caller is not None else None
        list_id = question_id("similar", caller, str(course_id), first)
        return recommended_items(use_cases.similar_courses(service, str(course_id), first, records), list_id)

    @strawberry.field(permission_classes=[IsAuthenticated],
                      description="Every installed recommender, whether it is enabled, and the artifact it serves.")
    def recommenders(self, info: Info) -> list[RecommenderInfo]:
        return [_info(status) for status in service_of(info).statuses()]

    @strawberry.field(permission_classes=[IsPartner], description="Hits and misses of this server's cache of "
                      "recommendation lists (partners and admins).")
    def recommendation_cache(self, info: Info) -> RecommendationCacheInfo:
        cache = service_of(info).cache
        return RecommendationCacheInfo(enabled=cache.enabled, seconds=cache.seconds, size=len(cache), hits=cache.hits,
                                       misses=cache.misses)
