"""GraphQL types of the living profile. Their roots are the plain values of resolvers.profile.insights
(and the stored Activity entries)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.documents.profiles import RECENT_ACTIVITY_LIMIT
from app.core.documents.profiles import Activity as ActivityEntry
from resolvers.errors import ErrorCode
from resolvers.profile.insights import InsightsView
from schema.context import Info
from schema.courses.types import Course
from schema.errors import ApiError

MAX_INTERESTS = 100


@strawberry.type(description="A skill or topic the learner engages with, weighted by time-decayed signals. A value "
                 "object of Insights (no id).")
class Interest:
    key: str = strawberry.field(description="Normalised key (casefolded, MongoDB-safe).")
    label: str = strawberry.field(description="The skill or topic as the catalog names it.")
    weight: float = strawberry.field(description="Decayed to now: each signal halves every half-life.")


@strawberry.type(description="One value of a distribution, with its share of the whole. A value object of Insights "
                 "(no id).")
class Share:
    key: str = strawberry.field(description="Normalised key, e.g. mobile or video.")
    label: str = strawberry.field(description="The value for display.")
    value: float = strawberry.field(description="An event count (devices) or an engagement weight.")
    share: float = strawberry.field(description="value / total, 0 to 1.")


@strawberry.type(description="Answers to practice items tagged with one skill. A value object of Insights (no id).")
class SkillAccuracy:
    key: str = strawberry.field(description="Normalised skill key (casefolded, MongoDB-safe).")
    skill: str = strawberry.field(description="The skill as the items name it.")
    attempts: int = strawberry.field(description="Answers given.")
    correct: int = strawberry.field(description="Of which right.")
    accuracy: float = strawberry.field(description="correct / attempts, 0 to 1.")


@strawberry.type(description="What Pathwise derived from the learner's events, updated as they arrive. A value "
                 "object of its User (no id): one per learner, cached inside the learner (trackEvents returns it).")
class Insights:
    hours: list[int] = strawberry.field(
        description="Events per hour of day (24 buckets, index = hour, in each event's timezone, else UTC).")
    weekdays: list[int] = strawberry.field(description="Events per weekday (7 buckets, Monday first).")
    median_session_ms: int | None = strawberry.field(description="Median length of the last 50 sessions.")
    current_streak: int = strawberry.field(description="Consecutive days with activity, up to today or yesterday.")
    longest_streak: int = strawberry.field(description="The longest run of consecutive days with activity.")
    active_days: int = strawberry.field(description="Days with any activity.")
    devices: list[Share] = strawberry.field(description="Events per device, most used first.")
    formats: list[Share] = strawberry.field(description="Engagement per course format, preferred first.")
    lengths: list[Share] = strawberry.field(
        description="Engagement per course length (short ≤ 20 min, medium ≤ 180, long), preferred first.")
    enrolled: int = strawberry.field(description="Courses enrolled in.")
    completed: int = strawberry.field(description="Courses completed.")
    completion_rate: float | None = strawberry.field(description="completed / enrolled; null before any enrolment.")
    quiz_accuracy: list[SkillAccuracy] = strawberry.field(description="Per skill, most attempted first.")
    last_active_at: datetime | None = strawberry.field(description="The latest event (UTC); null before any.")
    events: int = strawberry.field(description="Events folded in so far.")

    @strawberry.field(description=f"Strongest interests first; `first` is 1–{MAX_INTERESTS}.")
    def interests(self, root: strawberry.Parent[InsightsView], first: Annotated[int, strawberry.argument(
            description=f"How many interests, 1–{MAX_INTERESTS}.")] = 10) -> list[Interest]:
        if not 1 <= first <= MAX_INTERESTS:
            raise ApiError(ErrorCode.BAD_USER_INPUT, f"first must be between 1 and {MAX_INTERESTS}")
        return root.interests[:first]  # type: ignore[return-value]


@strawberry.type(description=f"Something the learner did (the last {RECENT_ACTIVITY_LIMIT} are kept). A value object "
                 "of its User (no id): cached inside the learner.")
class Activity:
    type: str = strawberry.field(description="The event type.")
    at: datetime = strawberry.field(description="When it happened (UTC).")
    detail: str | None = strawberry.field(description="The search query, stars, topic or skill, if any.")

    @strawberry.field(description="The course it concerned, if any.")
    def course_id(self, root: strawberry.Parent[ActivityEntry]) -> strawberry.ID | None:
        return strawberry.ID(root.course_id) if root.course_id else None

    @strawberry.field(description="The course, or null if none or it left the catalog (batched).")
    async def course(self, root: strawberry.Parent[ActivityEntry], info: Info) -> Course | None:
        if not root.course_id:
            return None
        return await info.context.loaders.course_by_id.load(root.course_id)
