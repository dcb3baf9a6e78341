"""The learner as recommenders see them, built from their documents (again after every write of theirs, so events
and feedback sent a moment ago count: `keeping`), and the signal weights shared by training and serving.

Implicit feedback weights (strongest signal per course wins inside the models):
completed 2.0 > rated 4–5 1.5 > enrolled / bookmarked / shared 1.0 > rated 3 0.5, lesson or video finished 0.5,
recommendation clicked 0.5 > course viewed 0.3. Dropped enrolments and ratings of 1–2 are not positive signals.
Personal data feeds recommendations only while the learner allows personalization (the switch and the
`personalization` consent); otherwise the learner is anonymous to the recommenders.
"""

from collections.abc import Iterable, Mapping
from datetime import datetime

from app.core.documents import Enrollment, EnrollmentStatus, Purpose, Rating, User
from app.core.documents.profiles import field_key
from recommenders.base import Interaction, Learner
from resolvers.event_types import spec_for
from resolvers.profile.insights import interest_weights

ENROLLED, COMPLETED = 1.0, 2.0
EVENT_WEIGHTS: dict[str, float] = {
    "course_view": 0.3, "bookmark": 1.0, "share": 1.0, "lesson_complete": 0.5, "video_complete": 0.5,
    "recommendation_click": 0.5, "enroll": ENROLLED, "complete": COMPLETED,
}
TOP_INTERESTS = 10
# what an event may feed (`EventSpec.feeds`) that recommendations read: interests, exclusions, mastery
RECOMMENDATION_FEEDS = frozenset({"interests", "exclusions", "what you know"})


def shapes_recommendations(event_type: str) -> bool:
    """Whether an event of this type can change what the recommenders see of its learner. Sessions, page
    views, impressions, clicks, video controls and custom types only move usage patterns (at most they push
    an older item out of the capped recent activity), so a cached list outlives them."""
    spec = spec_for(event_type)
    return spec is None or event_type in EVENT_WEIGHTS or bool(RECOMMENDATION_FEEDS.intersection(spec.feeds))


def rating_weight(rating: int) -> float:
    return 1.5 if rating >= 4 else 0.5 if rating == 3 else 0.0


def enrollment_signal(enrollment: Enrollment) -> Interaction | None:
    if enrollment.status == EnrollmentStatus.COMPLETED:
        return Interaction(enrollment.user_id, enrollment.course_id, COMPLETED,
                           enrollment.completed_at or enrollment.last_active_at, "complete")
    if enrollment.status == EnrollmentStatus.ACTIVE:
        return Interaction(enrollment.user_id, enrollment.course_id, ENROLLED, enrollment.started_at, "enroll")
    return None


def rating_signal(rating: Rating) -> Interaction | None:
    weight = rating_weight(rating.rating)
    return Interaction(rating.user_id, rating.course_id, weight, rating.updated_at, "rate") if weight > 0 else None


def history_of(user: User | None, enrollments: Iterable[Enrollment], ratings: Iterable[Rating]) -> list[Interaction]:
    """The learner's positive signals, oldest first: enrolments, ratings and recent course activity."""
    signals = [s for s in (*map(enrollment_signal, enrollments), *map(rating_signal, ratings)) if s is not None]
    for activity in user.recent_activity if user is not None else []:
        weight = EVENT_WEIGHTS.get(activity.type)
        if weight and activity.course_id and activity.type not in ("enroll", "complete"):
            signals.append(Interaction(user.id if user else "", activity.course_id, weight, activity.at, activity.type))
    return sorted(signals, key=lambda s: s.at.timestamp() if s.at else 0.0)


def personalizable(user: User | None, defaults: set[Purpose]) -> bool:
    """Whether the learner's data may shape what they are shown."""
    if user is None:
        return True  # nothing is known yet: there is nothing personal to use
    granted = user.consents.get(Purpose.PERSONALIZATION.value, Purpose.PERSONALIZATION in defaults)
    return user.personalization_enabled and bool(granted)


def segments_of(user: User, interests: Mapping[str, float]) -> dict[str, str]:
    """The learner's segments for per-segment popularity: top interest, job role, level, language."""
    found = {"interest": max(interests, key=lambda label: interests[label], default=""),
             "role": (user.job_title or "").casefold().strip(),
             "level": (user.onboarding.self_assessed_level or "").casefold(),
             "language": user.languages[0].casefold() if user.languages else ""}
    return {name: value for name, value in found.items() if value}


def interests_of(user: User, now: datetime, half_life_days: float) -> dict[str, float]:
    """Declared interests (weight 1) and the strongest behavioural ones, by label."""
    weights = interest_weights(user.insights, now, half_life_days)
    labels = user.insights.interest_labels
    found = {labels.get(key, key): weight for key, weight in weights.items() if weight > 0}
    strongest = dict(sorted(found.items(), key=lambda pair: -pair[1])[:TOP_INTERESTS])
    for label in user.interests:
        strongest[label] = max(strongest.get(label, 0.0), 1.0)
    return strongest


def learner_of(user: User | None, enrollments: list[Enrollment], ratings: list[Rating], now: datetime,
               half_life_days: float, defaults: set[Purpose]) -> Learner:
    """What the recommenders may know of the learner now."""
    if user is None:
        return Learner()
    if not personalizable(user, defaults):
        return Learner(user_id=user.id, personalization_enabled=False)
    interests = interests_of(user, now, half_life_days)
    text = ". ".join(part for part in (user.other_interests, user.job_title, user.onboarding.career_goal) if part)
    return Learner(user_id=user.id, history=history_of(user, enrollments, ratings), interests=interests,
                   goals=tuple(user.goals), profile_text=text, segments=segments_of(user, interests))


def excluded_courses(user: User | None, enrollments: Iterable[Enrollment]) -> set[str]:
    """Courses never recommended to the learner: enrolled or completed, dismissed, not interested, known."""
    excluded = {e.course_id for e in enrollments if e.status != EnrollmentStatus.DROPPED}
    if user is not None:
        preferences = user.preferences
        excluded |= set(preferences.dismissed_courses) | set(preferences.not_interested_courses)
    return excluded


def blocked_topic_keys(user: User | None) -> set[str]:
    """`field_key`s of the topics the learner said they are not interested in."""
    return {field_key(topic) for topic in user.preferences.not_interested_topics} if user is not None else set()
