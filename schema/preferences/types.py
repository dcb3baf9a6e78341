"""GraphQL types of explicit preferences. Roots are the User document's `preferences` parts."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.errors import UserError

if TYPE_CHECKING:
    from schema.users.types import User


@strawberry.type(description="A thumb or a dismissal on a recommended course.")
class RecommendationFeedback:
    request_id: str | None = strawberry.field(description="The recommendation request the course came from.")
    course_id: strawberry.ID
    positive: bool
    action: str = strawberry.field(description="`thumbs` (rateRecommendation) or `dismiss` (dismissRecommendation).")
    at: datetime


@strawberry.type(description="What the learner told Pathwise they want, and do not want, to see.")
class Preferences:
    followed_topics: list[str] = strawberry.field(description="Skills or topics of the catalog (≤ 200).")
    followed_instructors: list[str] = strawberry.field(description="≤ 200.")
    not_interested_courses: list[strawberry.ID] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    not_interested_topics: list[str] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    dismissed_courses: list[strawberry.ID] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    feedback: list[RecommendationFeedback] = strawberry.field(description="The last 200, oldest first.")


@strawberry.type
class ProfilePayload:
    user: Annotated["User", strawberry.lazy("schema.users.types")] | None
    errors: list[UserError]
