"""`sequence`: the next steps after what the learner completed.

Fitting learns successor edges X → Y, each with a strength in [0, 1], from three sources:

- prerequisites: a course listing X among its prerequisites is a next step after X (`prerequisite_weight`);
- co-completion order: learners' dated completions (kind "complete", or weight ≥ `completion_weight` when the
  signal has no kind), ordered by time; Y counts as following X when it is among the `window` completions after
  X. Strength = P(Y follows X) = learners with X then Y / learners who completed X, kept when at least
  `min_support` learners did it (undated completions cannot be ordered and are left out);
- level progression: X and Y share their main (first) skill, Y is at a higher level (beginner < intermediate <
  advanced) and shares at least `level_overlap` of the skills of the smaller skill set with X (overlap
  coefficient). Strength = `level_weight` x overlap / level steps. So "Intro to Python" → "Intermediate Python"
  needs no history.

An edge found by several sources combines by noisy-or: 1 − Π(1 − strength). Unpublished courses are never
successors. Recommending walks the learner's `recent` newest completions, the newest weighing most
(`recency_decay` ** position): score(Y) = Σ recency x strength(X → Y), times the share of Y's prerequisites
they completed (0.5 + 0.5 x share) when Y lists any. The reason names the completion that contributed most
(NEXT_AFTER "Next after <title>"). A learner with no completion gets []. Artifact: `sequence.json` (no pickle).
"""

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from recommenders.base import (
    Interaction,
    Item,
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
    allowed,
)

ARTIFACT = "sequence.json"
COMPLETE = "complete"
COMPLETION_WEIGHT = 2.0  # the weight a completion carries when it has no kind (resolvers/recommendations/learners.py)
NEXT_AFTER = "NEXT_AFTER"
LEVELS = {"beginner": 0, "introductory": 0, "intro": 0, "basic": 0, "intermediate": 1, "advanced": 2,
          "expert": 2}

Edges = dict[str, dict[str, float]]


def is_completion(signal: Interaction, completion_weight: float = COMPLETION_WEIGHT) -> bool:
    """Whether `signal` says the learner completed the item."""
    return signal.kind == COMPLETE if signal.kind is not None else signal.weight >= completion_weight


def completed_newest_first(history: Iterable[Interaction], completion_weight: float = COMPLETION_WEIGHT) -> list[str]:
    """The items the learner completed, newest first, each once (undated signals count as oldest)."""
    done = [s for s in history if is_completion(s, completion_weight)]
    done.sort(key=lambda s: s.at.timestamp() if s.at is not None else float("-inf"))
    return list(dict.fromkeys(s.item_id for s in reversed(done)))


class Sequence(Recommender):
    name = "sequence"
    version = "1"
    description = "Next steps: courses that follow what you completed (prerequisites, learners' order, levels)."

    def __init__(self, window: int = 3, min_support: int = 2, completion_weight: float = COMPLETION_WEIGHT,
                 level_overlap: float = 0.5, level_weight: float = 0.8, prerequisite_weight: float = 1.0,
                 recent: int = 5, recency_decay: float = 0.5) -> None:
        self.window, self.min_support, self.completion_weight = window, min_support, completion_weight
        self.level_overlap, self.level_weight = level_overlap, level_weight
        self.prerequisite_weight = prerequisite_weight
        self.recent, self.recency_decay = recent, recency_decay
        self.successors: Edges = {}
        self.prerequisites: dict[str, list[str]] = {}
        self.titles: dict[str, str] = {}

    def parameters(self) -> dict[str, Any]:
        return self.config()

    def fit(self, data: TrainingData) -> None:
        published = {item.id: item for item in data.items.values() if item.published}
        unpublished = {item.id for item in data.items.values() if not item.published}
        sequences = _completion_sequences(data.interactions, self.completion_weight)
        sources = [_prerequisite_edges(published.values(), self.prerequisite_weight),
                   _co_completion_edges(sequences, self.window, self.min_support),
                   _level_edges(published.values(), self.level_overlap, self.level_weight)]
        self.successors = _noisy_or(sources, unpublished)
        self.prerequisites = {i: list(item.prerequisites) for i, item in published.items() if item.prerequisites}
        self.titles = {i: item.title for i, item in data.items.items() if item.title}

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        state = {"name": self.name, "version": self.version, "parameters": self.parameters(),
                 "successors": self.successors, "prerequisites": self.prerequisites, "titles": self.titles}
        (directory / ARTIFACT).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "Sequence":
        state = json.loads((directory / ARTIFACT).read_text(encoding="utf-8"))
        if state["name"] != cls.name or state["version"] != cls.version:
            raise ValueError(f"{directory} holds {state['name']} v{state['version']}, not {cls.name} v{cls.version}")
        sequence = cls(**state["parameters"])
        sequence.successors, sequence.prerequisites = state["successors"], state["prerequisites"]
        sequence.titles = state["titles"]
        return sequence

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        completed = completed_newest_first(request.learner.history, self.completion_weight)
        if not completed or request.k <= 0:
            return []
        scores, because = self._scores(completed, request)
        done = set(completed)
        for item_id in scores:
            scores[item_id] *= self._readiness(item_id, done)
        ranked = sorted((i for i in because if scores[i] > 0), key=lambda i: (-scores[i], i))[: request.k]
        return [Recommendation(item_id, scores[item_id], (self._reason(because[item_id]),)) for item_id in ranked]

    def _scores(self, completed: list[str], request: RecommendationRequest) -> tuple[dict[str, float], dict[str, str]]:
        """Summed recency x strength per successor, and the completion that contributed most to each."""
        done = set(completed)
        scores: defaultdict[str, float] = defaultdict(float)
        best: dict[str, tuple[float, str]] = {}
        for position, before in enumerate(completed[: self.recent]):
            recency = self.recency_decay ** position
            for after, strength in self.successors.get(before, {}).items():
                if after in done or not allowed(request, after):
                    continue
                scores[after] += recency * strength
                if recency * strength > best.get(after, (0.0, ""))[0]:
                    best[after] = (recency * strength, before)
        return dict(scores), {item_id: before for item_id, (_, before) in best.items()}

    def _readiness(self, item_id: str, done: set[str]) -> float:
        required = self.prerequisites.get(item_id)
        if not required:
            return 1.0
        return 0.5 + 0.5 * sum(1 for r in required if r in done) / len(required)

    def _reason(self, before: str) -> Reason:
        return Reason(NEXT_AFTER, f"Next after {self.titles.get(before, before)}")


def _completion_sequences(interactions: Iterable[Interaction], completion_weight: float) -> dict[str, list[str]]:
    """Learner -> their dated completions in time order, each item once (its first completion)."""
    dated = [s for s in interactions if s.at is not None and is_completion(s, completion_weight)]
    dated.sort(key=lambda s: (s.user_id, s.at, s.item_id))
    by_learner: defaultdict[str, list[str]] = defaultdict(list)
    for signal in dated:
        by_learner[signal.user_id].append(signal.item_id)
    return {learner: list(dict.fromkeys(items)) for learner, items in by_learner.items()}


def _prerequisite_edges(items: Iterable[Item], weight: float) -> Edges:
    edges: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for item in items:
        for before in item.prerequisites:
            if before != item.id:
                edges[before][item.id] = weight
    return dict(edges)


def _co_completion_edges(sequences: Mapping[str, list[str]], window: int, min_support: int) -> Edges:
    """P(b among the `window` completions after a | a completed), for pairs at least `min_support` learners made."""
    pairs: Counter[tuple[str, str]] = Counter()
    starts: Counter[str] = Counter()
    for items in sequences.values():
        starts.update(items)
        pairs.update({(before, after) for position, before in enumerate(items)
                      for after in items[position + 1: position + 1 + window]})
    edges: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for (before, after), count in pairs.items():
        if count >= min_support:
            edges[before][after] = count / starts[before]
    return dict(edges)


def _level_edges(items: Iterable[Item], min_overlap: float, weight: float) -> Edges:
    """Same main skill, a higher level, enough shared skills: weight x overlap / level steps."""
    by_skill: defaultdict[str, list[tuple[int, Item]]] = defaultdict(list)
    for item in items:
        level = LEVELS.get((item.level or "").casefold())
        if item.skills and level is not None:
            by_skill[item.skills[0].casefold()].append((level, item))
    edges: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for group in by_skill.values():
        for low, before in group:
            for high, after in group:
                overlap = _overlap(before.skills, after.skills)
                if high > low and overlap >= min_overlap:
                    edges[before.id][after.id] = weight * overlap / (high - low)
    return dict(edges)


def _overlap(a: Iterable[str], b: Iterable[str]) -> float:
    """|A ∩ B| / min(|A|, |B|) over case-folded skill labels."""
    first, second = {s.casefold() for s in a}, {s.casefold() for s in b}
    return len(first & second) / min(len(first), len(second)) if first and second else 0.0


def _noisy_or(sources: Iterable[Edges], unpublished: set[str]) -> Edges:
    """One strength per edge: 1 − Π(1 − strength) over the sources that found it."""
    misses: defaultdict[str, dict[str, float]] = defaultdict(dict)
    for edges in sources:
        for before, afters in edges.items():
            for after, strength in afters.items():
                if after not in unpublished:
                    misses[before][after] = misses[before].get(after, 1.0) * (1.0 - min(1.0, strength))
    return {before: {after: 1.0 - miss for after, miss in afters.items()} for before, afters in misses.items()}
