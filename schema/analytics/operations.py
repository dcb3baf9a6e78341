"""Operational aggregates for the partner console (partners and admins): how the servers answered per day and
strategy, and how many learners granted or refused each purpose."""

from datetime import date
from typing import Annotated

import strawberry

from app.core.timestamps import utcnow
from resolvers.analytics import consents, serving
from resolvers.analytics.limits import MAX_DAYS
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsPartner
from schema.privacy.types import ConsentPurposeType


@strawberry.type(description="One strategy's answers on one UTC day, counted by the servers (no learner in the "
                 "counts). A value object (no id): a row of servingMetrics.")
class ServingDay:
    day: date = strawberry.field(description="The UTC day.")
    strategy: str = strawberry.field(description="The strategy that answered (`popular` for fallbacks, "
                                     "`interleaved` for interleaved lists).")
    answers: int = strawberry.field(description="Recommendation answers, experiment arms included.")
    cached: int = strawberry.field(description="Of them, answered from the cache.")
    fallbacks: int = strawberry.field(description="Of them, `popular` because the asked recommender failed, was late "
                                      "or had nothing.")
    fallback_rate: float = strawberry.field(description="fallbacks / answers.")
    latency_mean_ms: float = strawberry.field(description="Mean server time per answer (ms).")
    latency_p95_ms: float | None = strawberry.field(description=(
        "95th percentile of the server time per answer: the upper bound (ms) of its histogram bucket; null beyond "
        "2,500 ms."))

    @staticmethod
    def of(row: serving.ServingDay) -> "ServingDay":
        return ServingDay(day=row.day, strategy=row.strategy, answers=row.answers, cached=row.cached,
                          fallbacks=row.fallbacks, fallback_rate=row.fallback_rate,
                          latency_mean_ms=round(row.latency_mean_ms, 3), latency_p95_ms=row.latency_p95_ms)


@strawberry.type(description="How many learners granted, refused or never answered one purpose. A value object "
                 "(no id): a row of ConsentStatistics.")
class PurposeCount:
    purpose: ConsentPurposeType = strawberry.field(  # type: ignore[valid-type]
        description="The purpose.")
    granted: int | None = strawberry.field(description="Learners who granted it; null when suppressed.")
    refused: int | None = strawberry.field(description="Learners who refused it; null when suppressed.")
    undecided: int | None = strawberry.field(description="Learners who never said; null when suppressed.")
    granted_by_default: bool = strawberry.field(description=(
        "Whether this deployment grants it by default (PATHWISE_DEFAULT_CONSENTS): then the undecided count as "
        "granting."))
    suppressed: bool = strawberry.field(description=(
        "True when a non-zero count is under the minimum group (PATHWISE_ANALYTICS_MIN_GROUP): all three are null."))


@strawberry.type(description="Consent choices over all learners, counts only. A value object (no id).")
class ConsentStatistics:
    learners: int = strawberry.field(description="Learners known (learner documents).")
    purposes: list[PurposeCount] = strawberry.field(description="One row per purpose.")


@strawberry.type(description="Operational aggregates for the partner console.")
class Query:
    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        "How the servers answered recommendations per UTC day and strategy over the last `days` days (today "
        f"included), by day then strategy: answers, cached, fallbacks, latency. `days` is 1–{MAX_DAYS} (else "
        "BAD_USER_INPUT). Servers add their counts every 10 s. Partners and admins; learners get FORBIDDEN."))
    async def serving_metrics(
        self, days: Annotated[int, strawberry.argument(description=f"The window in UTC days, 1–{MAX_DAYS}.")] = 28,
    ) -> list[ServingDay]:
        return [ServingDay.of(row) for row in await serving.serving_metrics(days, utcnow())]

    @strawberry.field(permission_classes=[IsPartner], description=(
        "How many learners granted, refused or never answered each purpose. Counts only; a purpose with a non-zero "
        "count under the minimum group is `suppressed`. Partners and admins; learners get FORBIDDEN."))
    async def consent_statistics(self, info: Info) -> ConsentStatistics:
        found = await consents.consent_statistics(info.context.settings)
        return ConsentStatistics(learners=found.learners, purposes=[
            PurposeCount(purpose=row.purpose, granted=row.granted, refused=row.refused, undecided=row.undecided,
                         granted_by_default=row.granted_by_default, suppressed=row.suppressed)
            for row in found.purposes])
