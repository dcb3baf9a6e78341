"""GraphQL types of learners. Fields read User documents directly."""

from datetime import datetime
from typing import Any

import strawberry
from strawberry.scalars import JSON

from app.core.documents import User as UserDocument
from schema.context import Info
from schema.courses.learning.types import Enrollment, Rating
from schema.errors import UserError
from schema.expected_errors import ExpectedErrors
from schema.permissions import ParentIsSelfOrPlatform
from schema.profile import fields as profile
from schema.profile.accounts import fields as accounts
from schema.profile.accounts.types import ConnectedAccount, ProvenanceEntry
from schema.profile.onboarding.types import Onboarding
from schema.profile.preferences.types import Preferences
from schema.profile.types import Activity, Insights
from schema.recommendations.fields import user_recommendations
from schema.recommendations.types import Recommendations

# What each profile field holds, shared by User and UserInput (limits are upsertUser's).
_ABOUT = {
    "display_name": "The name to greet the learner by (≤ 200 characters).",
    "age_range": "An age band as the platform words it, e.g. 25-34 (≤ 20 characters).",
    "country": "Country, ISO 3166-1 alpha-2 or a name (≤ 100 characters).",
    "city": "City (≤ 200 characters); coarse location only.",
    "languages": "Languages the learner reads, e.g. en, fr (≤ 50).",
    "timezone": "IANA time zone, e.g. Europe/Paris (≤ 64 characters); hours of day are counted in it.",
    "education_level": "Highest education, as the platform words it (≤ 100 characters).",
    "job_title": "Current job title (≤ 200 characters).",
    "industry": "Industry the learner works in (≤ 200 characters).",
    "goals": "Skills or topics of the catalog the learner aims for (≤ 100).",
    "interests": "Skills or topics of the catalog the learner likes (≤ 200).",
    "other_interests": "Free text beyond the taxonomy (≤ 2,000 characters).",
    "weekly_minutes_target": "Study time the learner plans per week, 0–10,080 minutes.",
    "preferred_formats": "Course formats the learner prefers, lower case (video, text, ...; ≤ 20).",
    "preferred_session_minutes": "Preferred length of one study session, 0–1,440 minutes.",
    "personalization_enabled": "False: the learner gets a generic experience (popular courses), whatever the consents.",
}


@strawberry.type(description="A learner, keyed by the platform's own user id: the entity a normalised cache keeps "
                 "their enrolments, ratings, preferences and recommendations under.")
class User:
    id: strawberry.ID = strawberry.field(description="The platform's own user id (1–200 characters).")
    display_name: str | None = strawberry.field(description=_ABOUT["display_name"])
    age_range: str | None = strawberry.field(description=_ABOUT["age_range"])
    country: str | None = strawberry.field(description=_ABOUT["country"])
    city: str | None = strawberry.field(description=_ABOUT["city"])
    languages: list[str] = strawberry.field(description=_ABOUT["languages"])
    timezone: str | None = strawberry.field(description=_ABOUT["timezone"])
    education_level: str | None = strawberry.field(description=_ABOUT["education_level"])
    job_title: str | None = strawberry.field(description=_ABOUT["job_title"])
    industry: str | None = strawberry.field(description=_ABOUT["industry"])
    goals: list[str] = strawberry.field(description=_ABOUT["goals"])
    interests: list[str] = strawberry.field(description=_ABOUT["interests"])
    other_interests: str | None = strawberry.field(description=_ABOUT["other_interests"])
    weekly_minutes_target: int | None = strawberry.field(description=_ABOUT["weekly_minutes_target"])
    preferred_formats: list[str] = strawberry.field(description=_ABOUT["preferred_formats"])
    preferred_session_minutes: int | None = strawberry.field(description=_ABOUT["preferred_session_minutes"])
    personalization_enabled: bool = strawberry.field(description=_ABOUT["personalization_enabled"])
    attributes: JSON = strawberry.field(description="Anything the platform sends that has no field.")
    created_at: datetime = strawberry.field(description="When the learner was first stored (UTC).")
    updated_at: datetime = strawberry.field(description="When the profile last changed (UTC).")
    insights: Insights = strawberry.field(resolver=profile.user_insights, description=profile.INSIGHTS_DESCRIPTION)
    recent_activity: list[Activity] = strawberry.field(
        resolver=profile.user_recent_activity, description=profile.RECENT_ACTIVITY_DESCRIPTION)
    preferences: Preferences = strawberry.field(description="Follows, \"not interested\" and recommendation feedback.")
    onboarding: Onboarding = strawberry.field(description="Onboarding answers and answers to profile questions.")
    connected_accounts: list[ConnectedAccount] = strawberry.field(
        resolver=accounts.user_connected_accounts, description=accounts.CONNECTED_ACCOUNTS_DESCRIPTION)
    provenance: list[ProvenanceEntry] = strawberry.field(
        resolver=accounts.user_provenance, description=accounts.PROVENANCE_DESCRIPTION)
    recommendations: Recommendations = strawberry.field(
        resolver=user_recommendations, permission_classes=[ParentIsSelfOrPlatform], extensions=[ExpectedErrors()],
        description="The learner's recommendations, exactly as `Query.recommendations` answers the same question "
        "(same rules, cache and list id): the learner themselves, or any learner for partners and admins. Select it "
        "in a mutation's `user` to refresh a normalised cache's list after the mutation.")

    @strawberry.field(description="Enrolments, newest first (batched).")
    async def enrollments(self, root: strawberry.Parent[UserDocument], info: Info) -> list[Enrollment]:
        return await info.context.loaders.enrollments_by_user.load(root.id)  # type: ignore[return-value]

    @strawberry.field(description="Ratings, newest first (batched).")
    async def ratings(self, root: strawberry.Parent[UserDocument], info: Info) -> list[Rating]:
        return await info.context.loaders.ratings_by_user.load(root.id)  # type: ignore[return-value]


def _optional(name: str, clearable: bool = False) -> Any:
    """An optional UserInput field described as User's is; for a nullable field, null clears it."""
    return strawberry.field(default=strawberry.UNSET, description=_ABOUT[name] + (" Null clears it." if clearable
                                                                                   else " Null keeps it."))


@strawberry.input(description="A learner to create or update. Fields left out keep their stored values.")
class UserInput:
    id: strawberry.ID = strawberry.field(description="The platform's own user id (1–200 characters).")
    display_name: str | None = _optional("display_name", clearable=True)
    age_range: str | None = _optional("age_range", clearable=True)
    country: str | None = _optional("country", clearable=True)
    city: str | None = _optional("city", clearable=True)
    languages: list[str] | None = _optional("languages")
    timezone: str | None = _optional("timezone", clearable=True)
    education_level: str | None = _optional("education_level", clearable=True)
    job_title: str | None = _optional("job_title", clearable=True)
    industry: str | None = _optional("industry", clearable=True)
    goals: list[str] | None = _optional("goals")
    interests: list[str] | None = _optional("interests")
    other_interests: str | None = _optional("other_interests", clearable=True)
    weekly_minutes_target: int | None = _optional("weekly_minutes_target", clearable=True)
    preferred_formats: list[str] | None = _optional("preferred_formats")
    preferred_session_minutes: int | None = _optional("preferred_session_minutes", clearable=True)
    personalization_enabled: bool | None = _optional("personalization_enabled")
    attributes: JSON | None = strawberry.field(
        default=strawberry.UNSET,
        description="Free-form object: no key may start with '$' or hold '.' or NUL; depth ≤ 5; ≤ 16 KB.",
    )


@strawberry.type(description="What upsertUser changed.")
class UpsertUserPayload:
    user: User | None = strawberry.field(default=None,
                                         description="The learner as stored now; null when errors is not empty.")
    errors: list[UserError] = strawberry.field(description="Why nothing was stored; empty on success.")
