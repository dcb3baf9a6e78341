"""GraphQL types of explicit preferences. Roots are the User document's `preferences` parts."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated

import strawberry

from schema.errors import UserError

if TYPE_CHECKING:
    from schema.profile.users.types import User


@strawberry.type(description="A thumb or a dismissal on a recommended course. A value object of the learner's "
                 "Preferences (no id): the last 200 are kept inside the learner.")
class RecommendationFeedback:
    request_id: str | None = strawberry.field(description="The recommendation request the course came from.")
    course_id: strawberry.ID = strawberry.field(description="The recommended course.")
    positive: bool = strawberry.field(description="Thumbs up (true) or down / dismissed (false).")
    action: str = strawberry.field(description="`thumbs` (rateRecommendation) or `dismiss` (dismissRecommendation).")
    at: datetime = strawberry.field(description="When it was given (UTC).")


@strawberry.type(description="What the learner told Pathwise they want, and do not want, to see. A value object of "
                 "its User (no id): one per learner, cached inside the learner, which every preference mutation "
                 "returns.")
class Preferences:
    followed_topics: list[str] = strawberry.field(description="Skills or topics of the catalog (≤ 200).")
    followed_instructors: list[str] = strawberry.field(description="≤ 200.")
    not_interested_courses: list[strawberry.ID] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    not_interested_topics: list[str] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    dismissed_courses: list[strawberry.ID] = strawberry.field(description="≤ 1,000, oldest dropped first.")
    feedback: list[RecommendationFeedback] = strawberry.field(description="The last 200, oldest first.")


@strawberry.type(description="What a mutation of the learner's profile or preferences changed.")
class ProfilePayload:
    user: Annotated["User", strawberry.lazy("schema.profile.users.types")] | None = strawberry.field(
        default=None, description=(
        "The learner as stored now (preferences, interests, onboarding): a normalised cache updates them from it. "
        "Their recommendations change too: select `user { recommendations(...) }` here, or refetch "
        "`recommendations`. Null when errors is not empty."))
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
