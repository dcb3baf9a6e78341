"""The living profile, read side: a learner's document turned into plain values at a given moment
(interest weights decayed to `now`, histograms, streaks that lapse, rates and shares)."""

import statistics
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.core.documents import User
from app.core.documents.profiles import INTEREST_EPOCH, Activity, Insights, label_of
from app.core.timestamps import as_utc, as_utc_or_none
from resolvers.profile.folding import local_time

HOURS, WEEKDAYS = 24, 7


@dataclass(frozen=True)
class Interest:
    key: str  # field_key(label)
    label: str
    weight: float  # decayed to the moment of reading


@dataclass(frozen=True)
class Share:
    key: str
    label: str
    value: float  # count or engagement weight
    share: float  # value / sum of values, 0..1


@dataclass(frozen=True)
class SkillAccuracy:
    key: str
    skill: str
    attempts: int
    correct: int
    accuracy: float  # correct / attempts


@dataclass(frozen=True)
class InsightsView:
    interests: list[Interest]  # positive weights only, strongest first
    hours: list[int]  # HOURS buckets, index = hour of day (the events' timezones, else UTC)
    weekdays: list[int]  # WEEKDAYS buckets, Monday first
    median_session_ms: int | None
    current_streak: int  # 0 once a whole day passed without activity
    longest_streak: int
    active_days: int
    devices: list[Share]  # most used first
    formats: list[Share]  # preferred first
    lengths: list[Share]  # "short" (≤ 20 min), "medium" (≤ 180), "long"; preferred first
    enrolled: int
    completed: int
    completion_rate: float | None  # completed / enrolled; None before any enrolment
    quiz_accuracy: list[SkillAccuracy]  # most attempted first
    last_active_at: datetime | None
    events: int


def insights_of(user: User, now: datetime, half_life_days: float) -> InsightsView:
    """What `user`'s insights say at `now`."""
    insights = user.insights
    return InsightsView(
        interests=top_interests(insights, now, half_life_days),
        hours=_histogram(insights.hours, HOURS),
        weekdays=_histogram(insights.weekdays, WEEKDAYS),
        median_session_ms=int(statistics.median(insights.session_lengths_ms)) if insights.session_lengths_ms else None,
        current_streak=current_streak(insights, _today(now, user.timezone)),
        longest_streak=insights.longest_streak,
        active_days=insights.active_days,
        devices=_shares(insights.devices),
        formats=_shares(insights.formats),
        lengths=_shares(insights.lengths),
        enrolled=insights.enrolled,
        completed=insights.completed,
        completion_rate=min(insights.completed / insights.enrolled, 1.0) if insights.enrolled else None,
        quiz_accuracy=quiz_accuracy(insights),
        last_active_at=as_utc_or_none(insights.last_active_at),
        events=insights.events,
    )


def interest_weights(insights: Insights, now: datetime, half_life_days: float) -> dict[str, float]:
    """Every interest key with its weight decayed to `now` (negative where signals were negative)."""
    decay = 2 ** (-(as_utc(now) - INTEREST_EPOCH).total_seconds() / (half_life_days * 86_400))
    return {key: stored * decay for key, stored in insights.interest_scores.items()}


def top_interests(insights: Insights, now: datetime, half_life_days: float) -> list[Interest]:
    """Positive interests, strongest first (ties by label)."""
    weights = interest_weights(insights, now, half_life_days)
    found = [Interest(key, _label(insights, key), weight) for key, weight in weights.items() if weight > 0]
    return sorted(found, key=lambda i: (-i.weight, i.label))


def current_streak(insights: Insights, today: date) -> int:
    """The stored streak while it is alive: its last day is today or yesterday."""
    if not insights.last_active_day:
        return 0
    last = date.fromisoformat(insights.last_active_day)
    return insights.current_streak if today - last <= timedelta(days=1) else 0


def quiz_accuracy(insights: Insights) -> list[SkillAccuracy]:
    found = [SkillAccuracy(key, _label(insights, key), t.attempts, t.correct, t.correct / t.attempts)
             for key, t in insights.quiz.items() if t.attempts > 0]
    return sorted(found, key=lambda s: (-s.attempts, s.skill))


def recent_activity_of(user: User, limit: int) -> list[Activity]:
    """The learner's last `limit` activities, newest first."""
    # stored oldest first: of entries at the same instant, the one stored last is the newer
    newest_first = sorted(reversed(user.recent_activity), key=lambda a: as_utc(a.at), reverse=True)
    return newest_first[:max(limit, 0)]


def _today(now: datetime, timezone: str | None) -> date:
    return local_time(as_utc(now), timezone).date()


def _histogram(counts: dict[str, int], size: int) -> list[int]:
    return [int(counts.get(str(index), 0)) for index in range(size)]


def _shares(values: dict[str, float] | dict[str, int]) -> list[Share]:
    """Positive values with their share of the total, largest first (ties by label)."""
    kept = {key: value for key, value in values.items() if value > 0}
    total = sum(kept.values())
    found = [Share(key, label_of(key), value, value / total) for key, value in kept.items()]
    return sorted(found, key=lambda s: (-s.value, s.label))


def _label(insights: Insights, key: str) -> str:
    return insights.interest_labels.get(key) or label_of(key)
