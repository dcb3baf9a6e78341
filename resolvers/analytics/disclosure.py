"""What an aggregate may disclose: only learners who grant the `analytics` purpose now are counted (stated or by
the deployment's default), and a number over fewer than `settings.analytics_min_group` learners is withheld."""

from collections.abc import Iterable

from app.core.settings import Settings
from resolvers.experiments.outcomes import analysable
from resolvers.purposes import default_purposes


async def counted_learners(user_ids: Iterable[str], settings: Settings) -> set[str]:
    """Those of `user_ids` who may be counted: they grant `analytics` now."""
    return await analysable(user_ids, default_purposes(settings.default_consents))


def small(learners: int, settings: Settings) -> bool:
    """Whether a group of `learners` is too small to show: fewer than `analytics_min_group` (an empty one too)."""
    return learners < settings.analytics_min_group


def ratio(numerator: float, denominator: float) -> float | None:
    """numerator / denominator; None when the denominator is 0."""
    return numerator / denominator if denominator else None
