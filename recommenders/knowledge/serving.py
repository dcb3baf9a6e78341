"""Mastery served online: a fitted knowledge model (or, before one is trained, `RecencyBeta`) applied to one
learner's quiz answers at a time, with skills named by string ids and time decay without practice.

Skill ids map to the model's skill numbers through the training vocabulary (matched by `field_key`); a skill
the model never saw gets a negative number of the learner's own, so it still gets the model's shared,
learner-wide features. Decay: an estimate relaxes toward the skill's prior with a half-life measured from the
skill's last practice, `prior + (p - prior) * 2 ** (-days / half_life)`; confidence halves alike."""

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from app.core.documents.profiles import field_key
from recommenders.knowledge.bkt import BktModel
from recommenders.knowledge.models import (
    ARTIFACT_FORMAT,
    ARTIFACT_VERSION,
    KnowledgeModel,
    LogisticKnowledge,
    PfaCounts,
)
from recommenders.knowledge.sequences import LearnerSequence
from recommenders.knowledge.states import LearnerState

MODEL_FILE = "model.json"
VOCABULARY_FILE = "vocabulary.json"
SECONDS_PER_DAY = 86_400.0
ALREADY_KNOWN = 0.9  # "already know this" lifts a skill to at least this
FEEDBACK_STEP = 1.0  # "too easy" / "too hard" move a skill by this many logits
FEEDBACK_CONFIDENCE = 0.3  # self-reports are weak evidence: at least this confident, no more


class DifficultyFeedback(StrEnum):
    """What a learner said about a course's difficulty (stored as the value)."""

    TOO_EASY = "too_easy"
    TOO_HARD = "too_hard"
    ALREADY_KNOW = "already_know"


@dataclass(frozen=True)
class Answer:
    """One quiz answer; `response_time_ms` is accepted but unused (no model is fitted on response times)."""

    skill: str
    correct: bool
    at: datetime
    hints: int = 0
    attempts: int = 1
    response_time_ms: int | None = None


@dataclass(frozen=True)
class Estimate:
    probability: float  # P(correct on the next item of the skill)
    confidence: float  # 0..1, grows with practice


@dataclass
class LearnerKnowledge:
    """A learner's model state in this tracker's numbering; `numbers` maps field_key(skill id) -> number."""

    state: LearnerState = field(default_factory=LearnerState)
    numbers: dict[str, int] = field(default_factory=dict)


class RecencyBeta(KnowledgeModel):
    """The cold-start estimator, used until a model is trained: Laplace's rule of succession (a uniform
    Beta(1, 1) prior, so 0.5 with no evidence and never 0 or 1) over the skill's answers, the latest five
    weighted 1, 0.8, 0.64, ... newest first and older ones 0.5 each. Recency weighting lets a learner who
    improves leave early mistakes behind; the uniform prior claims nothing about a skill nobody has measured."""

    kind = "recency_beta"
    alpha = beta = 1.0
    recent_decay = 0.8
    older_weight = 0.5

    def fit(self, sequences: Sequence[LearnerSequence]) -> Self:
        return self

    def predict(self, state: LearnerState, skill: int) -> float:
        recent = state.recent.get(skill, [])
        weights = [self.recent_decay ** age for age in range(len(recent))]
        wins = sum(w * c for w, c in zip(weights, reversed(recent), strict=True))
        older_wins = state.successes.get(skill, 0) - sum(recent)
        older = state.attempts(skill) - len(recent)
        wins += self.older_weight * older_wins
        total = sum(weights) + self.older_weight * older
        return (self.alpha + wins) / (self.alpha + self.beta + total)

    def to_dict(self) -> dict[str, Any]:
        return {}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls()


class MasteryTracker:
    """Applies answers to learners' states and reads (probability, confidence) per skill id."""

    def __init__(self, model: KnowledgeModel | None = None, vocabulary: Mapping[str, int] | None = None,
                 half_life_days: float = 90.0) -> None:
        self.model = model or RecencyBeta()
        self.vocabulary = {field_key(skill): number for skill, number in (vocabulary or {}).items()}
        self.half_life_days = half_life_days

    @property
    def trained(self) -> bool:
        return not isinstance(self.model, RecencyBeta)

    def learner(self, model_state: Mapping[str, Any], skill_numbers: Mapping[str, int]) -> LearnerKnowledge:
        """A stored state (`LearnerState.to_dict()` numbered by `skill_numbers`) renumbered for this model."""
        numbers = self._numbering(list(skill_numbers))
        moved = {old: numbers[key] for key, old in skill_numbers.items()}
        return LearnerKnowledge(_renumbered(LearnerState.from_dict(dict(model_state)), moved), numbers)

    def apply(self, learner: LearnerKnowledge, answer: Answer) -> Estimate:
        """Add `answer` to `learner` (in place); the skill's estimate right after it."""
        number = self._number(learner, field_key(answer.skill))
        self.model.update(learner.state, number, answer.correct, answer.hints, answer.attempts)
        return self.estimate(learner, answer.skill)

    def estimate(self, learner: LearnerKnowledge, skill: str) -> Estimate:
        """The skill's estimate now, from practice alone (the prior, confidence 0, when never practised)."""
        number = learner.numbers.get(field_key(skill))
        if number is None:
            return Estimate(self.prior(skill), 0.0)
        probability, confidence = self.model.mastery(learner.state, number)
        return Estimate(probability, confidence)

    def prior(self, skill: str) -> float:
        """P(correct) on `skill` for a learner with no history: the model's skill difficulty."""
        return self.model.predict(LearnerState(), self.vocabulary.get(field_key(skill), -1))

    def decayed(self, estimate: Estimate, prior: float, since: datetime | None, now: datetime) -> Estimate:
        """`estimate` made at `since`, relaxed toward `prior` for the time without practice until `now`."""
        if since is None or now <= since:
            return estimate
        factor = 0.5 ** ((now - since).total_seconds() / SECONDS_PER_DAY / self.half_life_days)
        return Estimate(prior + (estimate.probability - prior) * factor, estimate.confidence * factor)

    def _number(self, learner: LearnerKnowledge, key: str) -> int:
        if key not in learner.numbers:
            learner.numbers[key] = self.vocabulary.get(key, min([0, *learner.numbers.values()]) - 1)
        return learner.numbers[key]

    def _numbering(self, keys: Sequence[str]) -> dict[str, int]:
        """Each key's number: the vocabulary's, or -1, -2, ... for the keys the model does not know."""
        unknown = {key: -1 - i for i, key in enumerate(sorted(k for k in keys if k not in self.vocabulary))}
        return {key: self.vocabulary.get(key, unknown.get(key, 0)) for key in keys}


def feedback_estimate(held: Estimate, kind: DifficultyFeedback) -> Estimate:
    """A skill's estimate after the learner called its course too easy, too hard, or already known."""
    confidence = max(held.confidence, FEEDBACK_CONFIDENCE)
    if kind is DifficultyFeedback.ALREADY_KNOW:
        return Estimate(max(held.probability, ALREADY_KNOWN), confidence)
    step = FEEDBACK_STEP if kind is DifficultyFeedback.TOO_EASY else -FEEDBACK_STEP
    return Estimate(_shifted(held.probability, step), confidence)


def _shifted(probability: float, logits: float) -> float:
    clipped = min(max(probability, 1e-4), 1 - 1e-4)
    odds = clipped / (1 - clipped) * math.exp(logits)
    return odds / (1 + odds)


def _renumbered(state: LearnerState, moved: Mapping[int, int]) -> LearnerState:
    """`state` with skill numbers replaced by `moved[number]` (skills not in `moved` dropped)."""
    def keyed(values: dict[int, Any]) -> dict[int, Any]:
        return {moved[number]: value for number, value in values.items() if number in moved}

    last = moved.get(state.last_skill) if state.last_skill is not None else None
    return LearnerState(keyed(state.successes), keyed(state.failures), keyed(state.recent), keyed(state.last_seen),
                        keyed(state.beliefs), state.window, state.responses, state.total_successes, last)


def save_artifact(directory: Path, model: KnowledgeModel, vocabulary: Mapping[str, int]) -> None:
    """Write a fitted model and its skill-id -> number vocabulary into an artifact directory."""
    model.save(directory / MODEL_FILE)
    (directory / VOCABULARY_FILE).write_text(json.dumps({"skills": dict(vocabulary)}), encoding="utf-8")


def load_model(path: Path) -> KnowledgeModel:
    """The model saved at `path`; a ValueError when it is not a knowledge artifact this version can read."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != ARTIFACT_FORMAT:
        raise ValueError(f"{path} is not a knowledge model artifact")
    if data.get("version") != ARTIFACT_VERSION:
        raise ValueError(f"{path} has artifact version {data.get('version')}, expected {ARTIFACT_VERSION}")
    kinds: dict[str, type[KnowledgeModel]] = {k.kind: k for k in (LogisticKnowledge, PfaCounts, BktModel)}
    if data.get("kind") not in kinds:
        raise ValueError(f"{path} holds an unknown model kind {data.get('kind')!r}")
    return kinds[data["kind"]].from_dict(data)


def load_tracker(directory: Path, half_life_days: float) -> MasteryTracker:
    """The tracker of an artifact directory written by `save_artifact` (ValueError when it is not one)."""
    model = load_model(directory / MODEL_FILE)
    data = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("skills"), dict):
        raise ValueError(f"{directory / VOCABULARY_FILE} is not a skill vocabulary")
    return MasteryTracker(model, {str(k): int(v) for k, v in data["skills"].items()}, half_life_days)
