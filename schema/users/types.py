"""GraphQL types of learners. Fields read User documents directly."""

from datetime import datetime

import strawberry
from strawberry.scalars import JSON

from app.documents import User as UserDocument
from schema.accounts import fields as accounts
from schema.accounts.types import ConnectedAccount, ProvenanceEntry
from schema.context import Info
from schema.errors import UserError
from schema.learning.types import Enrollment, Rating
from schema.onboarding.types import Onboarding
from schema.preferences.types import Preferences
from schema.profile import fields as profile
from schema.profile.types import Activity, Insights


@strawberry.type(description="A learner, keyed by the platform's own user id.")
class User:
    id: strawberry.ID
    display_name: str | None
    age_range: str | None
    country: str | None
    city: str | None
    languages: list[str]
    timezone: str | None
    education_level: str | None
    job_title: str | None
    industry: str | None
    goals: list[str] = strawberry.field(description="Skills or topics the learner aims for.")
    interests: list[str]
    other_interests: str | None = strawberry.field(description="Free text beyond the taxonomy.")
    weekly_minutes_target: int | None
    preferred_formats: list[str]
    preferred_session_minutes: int | None
    personalization_enabled: bool
    attributes: JSON = strawberry.field(description="Anything the platform sends that has no field.")
    created_at: datetime
    updated_at: datetime
    insights: Insights = strawberry.field(resolver=profile.user_insights, description=profile.INSIGHTS_DESCRIPTION)
    recent_activity: list[Activity] = strawberry.field(
        resolver=profile.user_recent_activity, description=profile.RECENT_ACTIVITY_DESCRIPTION)
    preferences: Preferences = strawberry.field(description="Follows, \"not interested\" and recommendation feedback.")
    onboarding: Onboarding = strawberry.field(description="Onboarding answers and answers to profile questions.")
    connected_accounts: list[ConnectedAccount] = strawberry.field(
        resolver=accounts.user_connected_accounts, description=accounts.CONNECTED_ACCOUNTS_DESCRIPTION)
    provenance: list[ProvenanceEntry] = strawberry.field(
        resolver=accounts.user_provenance, description=accounts.PROVENANCE_DESCRIPTION)

    @strawberry.field(description="Enrolments, newest first (batched).")
    async def enrollments(self, root: strawberry.Parent[UserDocument], info: Info) -> list[Enrollment]:
        return await info.context.loaders.enrollments_by_user.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="Ratings, newest first (batched).")
    async def ratings(self, root: strawberry.Parent[UserDocument], info: Info) -> list[Rating]:
        return await info.context.loaders.ratings_by_user.load(root.id)  # type: ignore[return-value]


@strawberry.input(description="A learner to create or update. Fields left out keep their stored values.")
class UserInput:
    id: strawberry.ID
    display_name: str | None = strawberry.UNSET
    age_range: str | None = strawberry.UNSET
    country: str | None = strawberry.UNSET
    city: str | None = strawberry.UNSET
    languages: list[str] | None = strawberry.UNSET
    timezone: str | None = strawberry.UNSET
    education_level: str | None = strawberry.UNSET
    job_title: str | None = strawberry.UNSET
    industry: str | None = strawberry.UNSET
    goals: list[str] | None = strawberry.UNSET
    interests: list[str] | None = strawberry.UNSET
    other_interests: str | None = strawberry.UNSET
    weekly_minutes_target: int | None = strawberry.UNSET
    preferred_formats: list[str] | None = strawberry.UNSET
    preferred_session_minutes: int | None = strawberry.UNSET
    personalization_enabled: bool | None = strawberry.UNSET
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Free-form object: no key may start with '$' or hold '.' or NUL; depth ≤ 5; ≤ 16 KB.",
    )


@strawberry.type
class UpsertUserPayload:
    user: User | None
    errors: list[UserError]
