"""The `insights` and `recentActivity` fields of User (its root is the User document)."""

from datetime import UTC, datetime
from typing import Annotated

import strawberry

from app.core.documents import User
from app.core.documents.profiles import RECENT_ACTIVITY_LIMIT
from resolvers.errors import ErrorCode
from resolvers.profile.insights import insights_of, recent_activity_of
from schema.context import Info
from schema.errors import ApiError
from schema.profile.types import Activity, Insights


def user_insights(root: strawberry.Parent[User], info: Info) -> Insights:
    view = insights_of(root, datetime.now(UTC), info.context.settings.interest_half_life_days)
    return view  # type: ignore[return-value]


def user_recent_activity(root: strawberry.Parent[User], first: Annotated[int, strawberry.argument(
        description=f"How many entries, 1–{RECENT_ACTIVITY_LIMIT}.")] = 20) -> list[Activity]:
    if not 1 <= first <= RECENT_ACTIVITY_LIMIT:
        raise ApiError(ErrorCode.BAD_USER_INPUT, f"first must be between 1 and {RECENT_ACTIVITY_LIMIT}")
    return recent_activity_of(root, first)  # type: ignore[return-value]


INSIGHTS_DESCRIPTION = "Derived from the learner's events (interests decay with the deployment's half-life)."
RECENT_ACTIVITY_DESCRIPTION = f"What the learner did lately, newest first; `first` is 1–{RECENT_ACTIVITY_LIMIT}."
