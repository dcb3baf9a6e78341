"""Mastery per learner and skill, served online: quiz answers folded into each learner's `KnowledgeState`,
mastery read back with decay, and course difficulty feedback ("too easy", "too hard", "already know this").

Writes: one read of the learners and one conditional write per learner. A quiz-answer write is filtered on
the `model_state.responses` it was computed from, so two ingestion calls racing on one learner cannot lose an
answer: the loser re-reads and re-applies. Other writers (placement, feedback) `$set` single skills."""

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pymongo.errors import DuplicateKeyError

from app.core.documents import Course, Exercise, KnowledgeState, Skill, SkillMastery, StoredEvent
from app.core.documents.profiles import field_key, label_of
from app.core.settings import Settings
from app.core.timestamps import as_utc, utcnow
from recommenders.artifacts import ArtifactStore, artifact_root
from recommenders.knowledge.loading import TrackerLoader
from recommenders.knowledge.serving import (
    Answer,
    DifficultyFeedback,
    Estimate,
    MasteryTracker,
    feedback_estimate,
)
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.learner_writes import update_learner
from resolvers.practice.catalog import checked_skill_ids
from resolvers.profile.writes import update_profile

log = logging.getLogger("pathwise.knowledge")

MAX_SKILLS = 200
WRITE_TRIES = 5
PRACTICE, PRIOR, FEEDBACK = "practice", "prior", "feedback"


@dataclass(frozen=True)
class SkillEstimate:
    """A learner's mastery of one skill as of `now` (decay applied)."""

    skill_id: str
    skill_name: str | None
    probability: float
    confidence: float
    attempts: int
    correct: int
    practiced_at: datetime | None
    source: str  # "practice", "placement", "feedback", "self_assessment", or "prior" (no evidence yet)
    mastered: bool


@dataclass(frozen=True)
class MasteryReport:
    skills: list[SkillEstimate]
    level: str | None  # from the latest placement test


def trackers_for(settings: Settings) -> TrackerLoader:
    """A loader of the knowledge model published under `settings`' data directory. Made once per app by its
    composition root (the recommendation service holds it) or by a test; every use case is handed it."""
    return TrackerLoader(ArtifactStore(artifact_root(settings.data_dir)), settings.mastery_half_life_days)


# --- quiz answers ------------------------------------------------------------------------------------------

async def record_quiz_answers(events: Sequence[StoredEvent], settings: Settings,
                              trackers: TrackerLoader) -> None:
    """Fold stored `quiz_answer` events (of any learners; other types are ignored) into mastery, each learner's
    in time order. An answer's skill is `properties.skill`, else its exercise's first skill; without one it
    is skipped."""
    quiz = [event for event in events if event.type == "quiz_answer"]
    if not quiz:
        return
    tracker = trackers.tracker()
    by_learner = _answers_by_learner(quiz, await _exercise_skills(quiz))
    held = await KnowledgeState.find({"_id": {"$in": list(by_learner)}}).to_list()
    states = {state.id: state for state in held}
    await asyncio.gather(*(_record(tracker, user, answers, states.get(user)) for user, answers in by_learner.items()))


async def _exercise_skills(events: Sequence[StoredEvent]) -> dict[str, str]:
    """The first skill of each exercise named by an answer without a skill of its own."""
    items = list({str(e.properties.get("item_id")) for e in events if not e.properties.get("skill")})
    if not items:
        return {}
    found = await Exercise.get_pymongo_collection().find({"_id": {"$in": items}}, {"skills": 1}).to_list()
    return {doc["_id"]: doc["skills"][0] for doc in found if doc.get("skills")}


def _answers_by_learner(events: Sequence[StoredEvent], exercise_skills: Mapping[str, str]) -> dict[str, list[Answer]]:
    timed: dict[str, list[tuple[datetime, str, Answer]]] = {}
    for event in events:
        answer = _answer(event, exercise_skills)
        if answer is not None:
            timed.setdefault(event.user_id, []).append((answer.at, event.event_id, answer))
    return {user: [answer for *_, answer in sorted(rows, key=lambda row: row[:2])] for user, rows in timed.items()}


def _answer(event: StoredEvent, exercise_skills: Mapping[str, str]) -> Answer | None:
    props = event.properties
    skill = props.get("skill") or exercise_skills.get(str(props.get("item_id")))
    if not skill:
        return None
    at = as_utc(event.client_timestamp or event.server_timestamp)
    return Answer(str(skill), bool(props.get("correct")), at, int(props.get("hints_used") or 0),
                  int(props.get("attempt") or 1), props.get("response_time_ms"))


async def _record(tracker: MasteryTracker, user_id: str, answers: list[Answer], held: KnowledgeState | None) -> None:
    for _ in range(WRITE_TRIES):
        if await _write_practice(user_id, held, _practice_fields(tracker, held, answers)):
            return
        held = await KnowledgeState.find_one({"_id": user_id})
    log.warning("gave up recording %d quiz answers of %s after %d conflicting writes", len(answers), user_id,
                WRITE_TRIES)


def _practice_fields(tracker: MasteryTracker, held: KnowledgeState | None, answers: list[Answer]) -> dict[str, Any]:
    """The fields to `$set` once `answers` are applied to `held`: each practised skill's mastery as the last of its
    answers left it (built once per skill, not once per answer: a batch often holds many answers of one skill)."""
    learner = tracker.learner(held.model_state, held.skill_numbers) if held else tracker.learner({}, {})
    keys: dict[str, str] = {}  # skill id -> field key, computed once per skill
    practised: dict[str, _Practised] = {}
    for answer in answers:
        key = keys.get(answer.skill) or keys.setdefault(answer.skill, field_key(answer.skill))
        estimate = tracker.apply(learner, answer)
        entry = practised.get(key) or practised.setdefault(key, _Practised.of(held.skills.get(key) if held else None))
        entry.add(estimate, answer)
    fields: dict[str, Any] = {}
    for key, entry in practised.items():
        fields[f"skills.{key}"] = entry.mastery().model_dump()
        fields[f"skill_ids.{key}"] = entry.skill
    return fields | {"model_state": learner.state.to_dict(), "skill_numbers": learner.numbers}


@dataclass
class _Practised:
    """One skill's mastery as a call's answers move it: the latest estimate, the counts, the latest practice."""

    attempts: int
    correct: int
    practiced_at: datetime | None
    estimate: Estimate | None = None
    skill: str = ""  # the skill id the latest answer named

    @classmethod
    def of(cls, held: SkillMastery | None) -> "_Practised":
        return cls(held.attempts, held.correct, held.practiced_at) if held else cls(0, 0, None)

    def add(self, estimate: Estimate, answer: Answer) -> None:
        self.estimate, self.skill = estimate, answer.skill
        self.attempts, self.correct = self.attempts + 1, self.correct + int(answer.correct)
        if self.practiced_at is None or answer.at >= self.practiced_at:  # an older answer leaves it as it was
            self.practiced_at = answer.at

    def mastery(self) -> SkillMastery:
        assert self.estimate is not None
        return SkillMastery(probability=self.estimate.probability, confidence=self.estimate.confidence,
                            attempts=self.attempts, correct=self.correct, source=PRACTICE,
                            practiced_at=self.practiced_at)


async def _write_practice(user_id: str, held: KnowledgeState | None, fields: dict[str, Any]) -> bool:
    """`$set` `fields` unless another write changed the learner's model state since `held` was read."""
    responses = int(held.model_state.get("responses", 0)) if held else 0
    expected: Any = responses if responses else {"$exists": False}
    update = {"$set": {"user_id": user_id, **fields}, "$currentDate": {"updated_at": True}}
    try:
        result = await KnowledgeState.get_pymongo_collection().update_one(
            {"_id": user_id, "model_state.responses": expected}, update, upsert=not responses)
    except DuplicateKeyError:  # created meanwhile with answers of its own
        return False
    return bool(result.matched_count or result.upserted_id is not None)


# --- reading mastery ---------------------------------------------------------------------------------------

async def mastery_of(user_id: str, skills: Sequence[str] | None, now: datetime | None,
                     settings: Settings, trackers: TrackerLoader) -> list[SkillEstimate]:
    """The learner's mastery of `skills` (≤ 200; all skills with any evidence when None) as of `now`."""
    return (await mastery_report(user_id, skills, now, settings, trackers)).skills


async def mastery_report(user_id: str, skills: Sequence[str] | None, now: datetime | None,
                         settings: Settings, trackers: TrackerLoader) -> MasteryReport:
    """`mastery_of` plus the learner's placement level."""
    wanted = _checked_skills(skills) if skills is not None else None
    held = await KnowledgeState.find_one({"_id": user_id})
    if wanted is None:
        wanted = [held.skill_ids.get(key, label_of(key)) for key in held.skills] if held else []
    estimates = _estimates(trackers.tracker(), held, wanted, now or utcnow())
    return MasteryReport(await _named(estimates, settings.mastery_threshold), held.level if held else None)


def _checked_skills(skills: Sequence[str]) -> list[str]:
    return checked_skill_ids(skills, MAX_SKILLS)


def _estimates(tracker: MasteryTracker, held: KnowledgeState | None, skills: Sequence[str],
               now: datetime) -> list[tuple[str, SkillMastery]]:
    """(skill id, mastery as of `now`) per skill; the prior, with source "prior", for one without evidence."""
    return [(skill, _current(tracker, held.skills.get(field_key(skill)) if held else None, skill, now))
            for skill in skills]


def _current(tracker: MasteryTracker, held: SkillMastery | None, skill: str, now: datetime) -> SkillMastery:
    prior = tracker.prior(skill)
    if held is None:
        return SkillMastery(probability=prior, confidence=0.0, source=PRIOR)
    decayed = tracker.decayed(Estimate(held.probability, held.confidence), prior, _since(held), now)
    return held.model_copy(update={"probability": decayed.probability, "confidence": decayed.confidence})


def _since(held: SkillMastery) -> datetime | None:
    """When the estimate was last backed by evidence: the last practice, or a later placement or feedback."""
    if held.source == PRACTICE:
        return held.practiced_at
    return held.updated_at if held.practiced_at is None else max(held.practiced_at, held.updated_at)


async def _named(estimates: list[tuple[str, SkillMastery]], threshold: float) -> list[SkillEstimate]:
    """One find of the skills' names; estimates as use cases return them."""
    ids = [skill for skill, _ in estimates]
    found = await Skill.get_pymongo_collection().find({"_id": {"$in": ids}}, {"name": 1}).to_list() if ids else []
    names = {doc["_id"]: doc.get("name") for doc in found}
    return [SkillEstimate(skill, names.get(skill), m.probability, m.confidence, m.attempts, m.correct,
                          m.practiced_at, m.source, m.probability >= threshold) for skill, m in estimates]


# --- course difficulty feedback ----------------------------------------------------------------------------

async def course_difficulty_feedback(user_id: str, course_id: str, kind: DifficultyFeedback,
                                     now: datetime | None, settings: Settings,
                                     trackers: TrackerLoader) -> list[SkillEstimate]:
    """Record the learner's difficulty feedback on a course (NOT_FOUND for an unknown course) in their
    preferences, and apply it to their mastery of the course's skills."""
    course = await Course.get(course_id)
    if course is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"there is no course {course_id!r}",
                           [Problem(ErrorCode.NOT_FOUND, f"there is no course {course_id!r}", "courseId")])
    await update_profile(user_id, {f"preferences.difficulty_feedback.{field_key(course_id)}": kind.value})
    return await apply_course_feedback(user_id, await course_skill_ids(course.skills), kind, now, settings,
                                       trackers)


async def course_skill_ids(labels: Sequence[str]) -> list[str]:
    """The skill ids of a course's skill labels: a Skill matched by id or by name in any case, else the label."""
    if not labels:
        return []
    keys = {field_key(label) for label in labels}
    found = await Skill.get_pymongo_collection().find({}, {"name": 1}).to_list()
    by_id = {doc["_id"]: doc["_id"] for doc in found if doc["_id"] in labels}
    by_name = {field_key(doc["name"]): doc["_id"] for doc in found if field_key(doc["name"]) in keys}
    return list(dict.fromkeys(by_id.get(label) or by_name.get(field_key(label)) or label for label in labels))


async def apply_course_feedback(user_id: str, course_skills: Sequence[str], kind: DifficultyFeedback,
                                now: datetime | None, settings: Settings,
                                trackers: TrackerLoader) -> list[SkillEstimate]:
    """Raise (ALREADY_KNOW to ≥ 0.9, TOO_EASY a step) or lower (TOO_HARD a step) the learner's mastery of a
    course's skills, with source "feedback"; their mastery afterwards."""
    now = now or utcnow()
    skills = _checked_skills(course_skills)
    held = await KnowledgeState.find_one({"_id": user_id})
    current = _estimates(trackers.tracker(), held, skills, now)
    changed = [(skill, _after_feedback(mastery, kind, now)) for skill, mastery in current]
    fields: dict[str, Any] = {"user_id": user_id}
    for skill, mastery in changed:
        fields |= {f"skills.{field_key(skill)}": mastery.model_dump(), f"skill_ids.{field_key(skill)}": skill}
    if changed:
        await update_learner(KnowledgeState, user_id, {"_id": user_id},
                             {"$set": fields, "$currentDate": {"updated_at": True}}, upsert=True)
    return await _named(changed, settings.mastery_threshold)


def _after_feedback(mastery: SkillMastery, kind: DifficultyFeedback, now: datetime) -> SkillMastery:
    estimate = feedback_estimate(Estimate(mastery.probability, mastery.confidence), kind)
    return mastery.model_copy(update={"probability": estimate.probability, "confidence": estimate.confidence,
                                      "source": FEEDBACK, "updated_at": now})
