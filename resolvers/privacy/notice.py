"""The privacy notice: what Pathwise collects, why, what it feeds and how long it is kept. It is generated
from the event taxonomy and the document models, so it cannot drift from the code."""

from dataclasses import dataclass

from pydantic import BaseModel

from app.core.documents import (
    PROFILE_FIELDS,
    AuditEntry,
    ConnectedAccount,
    ConsentEntry,
    Enrollment,
    Event,
    KnowledgeState,
    PlacementTest,
    Purpose,
    Rating,
    ReviewCard,
    User,
)
from app.core.documents.events import EventContext
from app.core.documents.profiles import Insights, Onboarding, Preferences
from resolvers.event_types import CUSTOM, SPECS, EventSpec
from resolvers.privacy.consents import ConsentPolicy

WHY: dict[Purpose, str] = {
    Purpose.ESSENTIAL: "To run the service you use: your enrolments, progress, ratings, practice answers and the "
                       "choices you make, so that your courses, progress and practice work.",
    Purpose.PERSONALIZATION: "To tailor recommendations, learning paths and practice to you. Without it, or with "
                             "personalization switched off, you get the same generic experience as anyone.",
    Purpose.BEHAVIORAL_TRACKING: "To learn from how you use the platform (what you view, search, watch, and when) so "
                                 "that your interests and usage patterns shape what you are offered.",
    Purpose.THIRD_PARTY_IMPORT: "To fill in your profile from accounts you connect (LinkedIn, GitHub, Google), so "
                                "you need not type it in.",
    Purpose.ANALYTICS: "To measure, in aggregate, how well the platform and its recommendations work.",
}

ON_WITHDRAWAL: dict[Purpose, str] = {
    Purpose.ESSENTIAL: "Cannot be withdrawn: the service cannot run without it. deleteMyData erases everything.",
    Purpose.PERSONALIZATION: "Collection for it stops at once. Recommendations are not cached, so none are kept.",
    Purpose.BEHAVIORAL_TRACKING: "Collection stops at once; your behavioural events are deleted, and your insights "
                                 "and recent activity are recomputed from the essential events still held.",
    Purpose.THIRD_PARTY_IMPORT: "Your connected accounts are deleted, and the profile values they set that you "
                                "have not changed since are removed.",
    Purpose.ANALYTICS: "Collection for it stops at once; events collected for it are deleted.",
}


@dataclass(frozen=True)
class CollectedEvent:
    type: str
    description: str
    properties: tuple[str, ...]
    feeds: tuple[str, ...]


@dataclass(frozen=True)
class PurposeNotice:
    purpose: Purpose
    why: str
    granted_by_default: bool
    can_withdraw: bool
    events: tuple[CollectedEvent, ...]
    feeds: tuple[str, ...]
    stored_data: tuple[str, ...]  # titles of the StoredData kept for this purpose
    retention: str
    on_withdrawal: str


@dataclass(frozen=True)
class StoredData:
    title: str
    collection: str
    purpose: Purpose | None  # None: each item's own purpose (events)
    fields: tuple[str, ...]
    why: str
    retention: str


@dataclass(frozen=True)
class PrivacyNotice:
    policy_version: str
    event_retention_days: int
    purposes: tuple[PurposeNotice, ...]
    stored_data: tuple[StoredData, ...]


def privacy_notice(policy: ConsentPolicy, event_retention_days: int) -> PrivacyNotice:
    """The notice for this deployment: its policy version, default grants and event retention."""
    stored = stored_data(event_retention_days)
    purposes = tuple(_purpose_notice(p, policy, event_retention_days, stored) for p in Purpose)
    return PrivacyNotice(policy.version, event_retention_days, purposes, stored)


def events_for(purpose: Purpose) -> tuple[CollectedEvent, ...]:
    """The event types collected for `purpose`, in taxonomy order, custom types last."""
    specs = [spec for spec in [*SPECS.values(), CUSTOM] if spec.purpose is purpose]
    return tuple(_collected(spec) for spec in specs)


def _collected(spec: EventSpec) -> CollectedEvent:
    return CollectedEvent(spec.type, spec.description, tuple(spec.properties.model_fields), spec.feeds)


def _purpose_notice(
    purpose: Purpose, policy: ConsentPolicy, days: int, stored: tuple[StoredData, ...]
) -> PurposeNotice:
    events = events_for(purpose)
    feeds = tuple(dict.fromkeys(feed for event in events for feed in event.feeds))
    kept = tuple(data.title for data in stored if data.purpose is purpose)
    return PurposeNotice(
        purpose=purpose, why=WHY[purpose], granted_by_default=purpose in policy.defaults,
        can_withdraw=purpose is not Purpose.ESSENTIAL, events=events, feeds=feeds, stored_data=kept,
        retention=_retention(bool(events), days), on_withdrawal=ON_WITHDRAWAL[purpose],
    )


def _retention(has_events: bool, days: int) -> str:
    what_follows = "what was derived from them is kept until you withdraw this purpose or erase your data"
    if has_events:
        return f"Raw events are deleted {days} days after they are received; {what_follows}."
    return "Nothing is collected for it yet beyond what is listed; anything it holds is kept until you withdraw it."


def stored_data(days: int) -> tuple[StoredData, ...]:
    """Everything held about a learner, collection by collection, with the fields it has."""
    until_erased = "Until you erase your data (deleteMyData)."
    user = User.Settings.name
    return (
        StoredData("Profile", user, Purpose.ESSENTIAL, PROFILE_FIELDS,
                   "What you or your platform tell us about you: goals, interests, languages, ...", until_erased),
        StoredData("Insights", user, Purpose.BEHAVIORAL_TRACKING, (*_fields(Insights), "recent_activity"),
                   "Aggregates derived from your events (the essential ones feed them too).",
                   "Until you withdraw behavioral_tracking (then recomputed from essential events) or erase."),
        StoredData("Preferences and onboarding", user, Purpose.ESSENTIAL, _fields(Preferences) + _fields(Onboarding),
                   "Topics you follow, courses you dismissed, your onboarding answers.", until_erased),
        StoredData("Consent state", user, Purpose.ESSENTIAL, ("consents", "provenance"),
                   "Your current consent per purpose, and where each profile value came from.", until_erased),
        StoredData("Events", Event.Settings.name, None, _event_fields(),
                   "What happened, when and on which device; each event type's purpose is listed above.",
                   f"Deleted {days} days after receipt, at once when you withdraw their purpose, or on erasure."),
        StoredData("Enrolments", Enrollment.Settings.name, Purpose.ESSENTIAL, _fields(Enrollment),
                   "The courses you take and your progress.", until_erased),
        StoredData("Ratings", Rating.Settings.name, Purpose.ESSENTIAL, _fields(Rating),
                   "Your ratings and reviews of courses.", until_erased),
        StoredData("Consent ledger", ConsentEntry.Settings.name, Purpose.ESSENTIAL, _fields(ConsentEntry),
                   "Every grant and withdrawal, with its time, source and policy version.", until_erased),
        StoredData("Connected accounts", ConnectedAccount.Settings.name, Purpose.THIRD_PARTY_IMPORT,
                   _fields(ConnectedAccount), "What an account you connected gave us, with provenance.",
                   "Until you withdraw third_party_import or erase your data."),
        StoredData("Mastery", KnowledgeState.Settings.name, Purpose.ESSENTIAL, _fields(KnowledgeState),
                   "How well you know each skill, estimated from your practice answers, placement tests and "
                   "difficulty feedback, so practice is neither too easy nor too hard.", until_erased),
        StoredData("Review schedule", ReviewCard.Settings.name, Purpose.ESSENTIAL, _fields(ReviewCard),
                   "When each practice item is due again (spaced repetition), from your answers.", until_erased),
        StoredData("Placement tests", PlacementTest.Settings.name, Purpose.ESSENTIAL, _fields(PlacementTest),
                   "The items of your placement tests, your answers' outcome and the level they gave.",
                   until_erased),
        StoredData("Audit log", AuditEntry.Settings.name, Purpose.ESSENTIAL, _fields(AuditEntry),
                   "Who read or changed your data for you, your consent changes, exports and erasure: ids, "
                   "operation names and counts, never the data itself.",
                   "Deleted after PATHWISE_AUDIT_RETENTION_DAYS (default 400), or on erasure; the erasure's own "
                   "entry stays as proof, naming you only by a keyed hash."),
    )


def _event_fields() -> tuple[str, ...]:
    return (*_fields(Event), *(f"context.{name}" for name in _fields(EventContext)))


def _fields(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(name for name in model.model_fields if name not in {"id", "user_id", "revision_id"})
