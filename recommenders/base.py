"""The recommender contract: what every recommender, built-in or plugin, is handed and returns.

Recommenders are plain Python objects. They are fitted offline on `TrainingData`, saved as artifacts
into a directory, loaded by the server, and asked for `Recommendation`s for one `RecommendationRequest`.
They know nothing of GraphQL, HTTP or Beanie documents: only the data classes below.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, ClassVar


@dataclass(frozen=True)
class Item:
    """A catalog entry as recommenders see it."""

    id: str
    title: str = ""
    text: str = ""  # summary, skills and description joined: what content models embed
    skills: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    level: str | None = None
    language: str | None = None
    duration_minutes: int | None = None
    format: str | None = None
    prerequisites: tuple[str, ...] = ()
    published: bool = True


@dataclass(frozen=True)
class Interaction:
    """One learner-item signal: implicit feedback weighted by kind (view < enrol < complete), or a rating."""

    user_id: str
    item_id: str
    weight: float = 1.0
    at: datetime | None = None
    kind: str | None = None  # what the signal was: "view", "enroll", "complete", "rate", "bookmark", ...


@dataclass(frozen=True)
class TrainingData:
    items: Mapping[str, Item]
    interactions: Sequence[Interaction]
    # learner id -> segment name -> value (interest, job role, level, language): for per-segment popularity
    segments: Mapping[str, Mapping[str, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class Learner:
    """What is known about the learner at request time (recomputed per request, so it is always fresh)."""

    user_id: str | None = None
    history: Sequence[Interaction] = ()  # their own signals, newest last
    interests: Mapping[str, float] = field(default_factory=dict)  # label -> weight
    goals: Sequence[str] = ()
    profile_text: str = ""  # onboarding free text, job title: for content models
    segments: Mapping[str, str] = field(default_factory=dict)
    personalization_enabled: bool = True


@dataclass(frozen=True)
class RecommendationRequest:
    learner: Learner
    k: int = 10
    exclude: frozenset[str] = frozenset()  # enrolled, completed, dismissed, not interested: never returned
    allowed: frozenset[str] | None = None  # when set, only these item ids may be returned (filters)
    now: datetime | None = None


@dataclass(frozen=True)
class Reason:
    """Why an item is recommended: a stable code for clients and a human text."""

    code: str  # e.g. BECAUSE_YOU_COMPLETED, MATCHES_GOAL, POPULAR_WITH_SIMILAR, NEXT_AFTER, TRENDING
    text: str


@dataclass(frozen=True)
class Recommendation:
    item_id: str
    score: float
    reasons: tuple[Reason, ...] = ()
    source: str | None = None  # the component that put it there, set by blends (hybrid); None otherwise


class Recommender(ABC):
    """The contract. Subclasses set `name`, `version` and `description`, and implement the three methods."""

    name: ClassVar[str]
    version: ClassVar[str] = "1"
    description: ClassVar[str] = ""

    @abstractmethod
    def fit(self, data: TrainingData) -> None:
        """Learn from the training data (offline: `pathwise train`, `pathwise evaluate`)."""

    @abstractmethod
    def save(self, directory: Path) -> None:
        """Write the fitted state as artifacts into `directory` (no pickled code)."""

    @classmethod
    @abstractmethod
    def load(cls, directory: Path) -> "Recommender":
        """A recommender restored from what `save` wrote."""

    @abstractmethod
    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        """At most `request.k` recommendations, best first, none of `request.exclude`, only from
        `request.allowed` when it is set."""

    def config(self) -> dict[str, Any]:
        """The parameters that shape what `fit` learns (public scalar attributes by default); their hash
        stamps the artifacts, so the server never serves artifacts fitted under another configuration."""
        return {key: value for key, value in sorted(vars(self).items())
                if not key.startswith("_") and isinstance(value, bool | int | float | str)}


def allowed(request: RecommendationRequest, item_id: str) -> bool:
    """Whether `item_id` may be returned for `request`."""
    return item_id not in request.exclude and (request.allowed is None or item_id in request.allowed)
