"""A learning path toward goal skills: the goal and everything it needs along the prerequisite graph, minus
what the learner has mastered, as ordered steps (a course covering the skills, else the skill's exercises),
each with its reason, its time and the weeks it takes at the learner's weekly study time."""

import asyncio
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from app.core.documents import Course, Enrollment, EnrollmentStatus, KnowledgeState, Skill, User
from app.core.settings import Settings
from app.core.timestamps import as_utc
from recommenders.embeddings import SkillMatch, SkillMatcher, split_phrases
from recommenders.knowledge.loading import TrackerLoader
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice.catalog import exercises_for_skills, prerequisite_closure
from resolvers.practice.knowledge import SkillEstimate, mastery_of

MAX_GOAL_SKILLS = 20
MAX_GOAL_TEXT = 500
DEFAULT_EXERCISE_SECONDS = 60  # an exercise without `expected_seconds`
# "I want to become a data analyst" -> "a data analyst": intentions carry no skill
_INTENT = re.compile(r"^(?:i\s*(?:'d|would)?\s*(?:want|like|hope|plan|need|wish|aim|am\s+trying)\s+to\s+)?"
                     r"(?:become|be|learn|study|master|get\s+into|get\s+better\s+at|work\s+as|improve(?:\s+at|\s+in)?)"
                     r"\s+", re.IGNORECASE)


class StepKind(StrEnum):
    COURSE = "COURSE"
    PRACTICE = "PRACTICE"


class StepReason(StrEnum):
    GOAL_SKILL = "GOAL_SKILL"
    PREREQUISITE_FOR = "PREREQUISITE_FOR"
    ALREADY_MASTERED = "ALREADY_MASTERED"


@dataclass(frozen=True)
class LearningStep:
    """One step: a course (kind COURSE) or practice of one skill's exercises (kind PRACTICE)."""

    kind: StepKind
    course: Course | None
    skill: Skill | None  # the practised skill (PRACTICE)
    skills: list[Skill]  # the gap skills the step covers
    exercise_count: int
    reason: StepReason
    text: str
    minutes: int
    cumulative_minutes: int
    cumulative_weeks: float


@dataclass(frozen=True)
class SkippedSkill:
    skill: Skill
    mastery: SkillEstimate
    reason: StepReason = StepReason.ALREADY_MASTERED


@dataclass(frozen=True)
class LearningPath:
    goal_skills: list[Skill]
    matches: list[SkillMatch]  # how the goal text was read (empty for goal skills)
    steps: list[LearningStep]
    skipped: list[SkippedSkill]
    weekly_minutes: int

    @property
    def total_minutes(self) -> int:
        return self.steps[-1].cumulative_minutes if self.steps else 0

    @property
    def total_weeks(self) -> float:
        return self.steps[-1].cumulative_weeks if self.steps else 0.0


@dataclass
class _Plan:
    """What the steps are chosen from."""

    gap: list[Skill]
    goal: set[str]
    dependents: dict[str, list[Skill]]
    courses: list[Course]
    level: str | None


async def learning_path(user_id: str, goal_skills: Sequence[str] | None, goal_text: str | None,
                        now: datetime, courses: Mapping[str, Course] | None, settings: Settings,
                        trackers: TrackerLoader) -> LearningPath:
    """The path toward `goal_skills` (≤ 20 ids) or `goal_text` (free text, ≤ 500 characters) — exactly one.
    `courses` is the catalog (None: the stored one); unpublished and completed courses are left out."""
    goal, matches = await _goal(goal_skills, goal_text)
    closure = await prerequisite_closure([skill.id for skill in goal])
    estimates = {e.skill_id: e for e in await mastery_of(user_id, [s.id for s in closure], as_utc(now), settings,
                                                                 trackers)}
    skipped = [SkippedSkill(s, estimates[s.id]) for s in closure if estimates[s.id].mastered]
    gap = [s for s in closure if not estimates[s.id].mastered]
    user = await User.get(user_id)
    plan = _Plan(gap, {s.id for s in goal}, _dependents(gap), await _open_courses(user_id, courses),
                 await _level(user_id, user))
    weekly = (user.weekly_minutes_target if user else None) or settings.default_weekly_minutes
    steps = _timed(await _steps(plan), weekly)
    return LearningPath(goal, matches, steps, skipped, weekly)


# --- the goal ----------------------------------------------------------------------------------------------

async def _goal(goal_skills: Sequence[str] | None, goal_text: str | None) -> tuple[list[Skill], list[SkillMatch]]:
    if (goal_skills is None) == (goal_text is None):
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "give exactly one of `goalSkills` and `goal`")
    if goal_skills is not None:
        return await _named_goal(goal_skills), []
    return await _text_goal(goal_text or "")


async def _named_goal(ids: Sequence[str]) -> list[Skill]:
    wanted = list(dict.fromkeys(skill.strip() for skill in ids))
    if not wanted or len(wanted) > MAX_GOAL_SKILLS:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"name 1–{MAX_GOAL_SKILLS} goal skills")
    found = {s.id: s for s in await Skill.find({"_id": {"$in": wanted}}).to_list()}
    unknown = [skill for skill in wanted if skill not in found]
    if unknown:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"unknown goal skills {unknown}")
    return [found[skill] for skill in wanted]


async def _text_goal(text: str) -> tuple[list[Skill], list[SkillMatch]]:
    """The skills whose names `text` names or means (the sentence model, offline)."""
    if not text.strip() or len(text) > MAX_GOAL_TEXT:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"the goal must be 1–{MAX_GOAL_TEXT} characters")
    skills = await Skill.find_all().to_list()
    by_name: dict[str, Skill] = {}
    for skill in skills:  # keyed as the matcher writes its labels: whitespace runs (tab, no-break space) as one space
        by_name.setdefault(" ".join(skill.name.split()), skill)
    matcher = SkillMatcher(by_name)
    found = await asyncio.to_thread(matcher.match_each, goal_phrases(text))
    matches = _best(found)
    if not matches:
        message = (f"no skill matches the goal {text!r}; name a skill of the skill graph "
                   f"(for example {', '.join(sorted(by_name)[:3])})")
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, message)
    return [by_name[match.label] for match in matches], matches


def goal_phrases(text: str) -> list[str]:
    """The phrases of a goal, each without a leading intention ("I want to become …", "learn …")."""
    return [_INTENT.sub("", phrase, count=1) or phrase for phrase in split_phrases(text)]


def _best(found: list[list[SkillMatch]]) -> list[SkillMatch]:
    best: dict[str, SkillMatch] = {}
    for match in (match for matches in found for match in matches):
        if match.label not in best or match.score > best[match.label].score:
            best[match.label] = match
    return sorted(best.values(), key=lambda match: (-match.score, match.label))


# --- what the steps are chosen from ------------------------------------------------------------------------

def _dependents(gap: list[Skill]) -> dict[str, list[Skill]]:
    """Per gap skill, the gap skills that name it as a prerequisite."""
    dependents: dict[str, list[Skill]] = {}
    for skill in gap:
        for prerequisite in skill.prerequisites:
            dependents.setdefault(prerequisite, []).append(skill)
    return dependents


async def _open_courses(user_id: str, courses: Mapping[str, Course] | None) -> list[Course]:
    """Published courses the learner has not completed, by id."""
    catalog = list(courses.values()) if courses is not None else await Course.find({"published": True}).to_list()
    done = await Enrollment.find({"user_id": user_id, "status": EnrollmentStatus.COMPLETED.value}).to_list()
    completed = {e.course_id for e in done if e.user_id == user_id}
    return sorted((c for c in catalog if c.published and c.id not in completed), key=lambda c: c.id)


async def _level(user_id: str, user: User | None) -> str | None:
    """The learner's level: from their latest placement test, else self-assessed at onboarding."""
    state = await KnowledgeState.find_one({"_id": user_id})
    level = (state.level if state else None) or (user.onboarding.self_assessed_level if user else None)
    return level.casefold() if level else None


# --- the steps ---------------------------------------------------------------------------------------------

async def _steps(plan: _Plan) -> list[tuple[LearningStep, int]]:
    """(step, minutes) along the gap: each uncovered skill gets the best course covering it, else practice."""
    covered: set[str] = set()
    steps: list[tuple[LearningStep, int]] = []
    bank = await exercises_for_skills([s.id for s in plan.gap]) if plan.gap else []
    for skill in plan.gap:
        if skill.id in covered:
            continue
        course, skills = _best_course(plan, skill, covered)
        covered |= {s.id for s in skills}
        if course is not None:
            steps.append((_step(plan, StepKind.COURSE, course, None, skills, 0), course.duration_minutes or 0))
            continue
        exercises = [e for e in bank if skill.id in e.skills]
        seconds = sum(e.expected_seconds or DEFAULT_EXERCISE_SECONDS for e in exercises)
        steps.append((_step(plan, StepKind.PRACTICE, None, skill, skills, len(exercises)), math.ceil(seconds / 60)))
    return steps


def _best_course(plan: _Plan, skill: Skill, covered: set[str]) -> tuple[Course | None, list[Skill]]:
    """The course covering `skill` and the most other uncovered, ready gap skills (then at the learner's
    level, then the shorter, then by id), with the skills it covers; (None, [skill]) when none does."""
    best: tuple[tuple[int, int, int, str], Course, list[Skill]] | None = None
    for course in plan.courses:
        labels = set(course.skill_keys)
        if skill.name.casefold() not in labels and skill.id.casefold() not in labels:
            continue
        skills = _ready(plan.gap, covered, labels)
        key = (-len(skills), _level_distance(course, plan.level), course.duration_minutes or 0, course.id)
        if best is None or key < best[0]:
            best = (key, course, skills)
    return (best[1], best[2]) if best else (None, [skill])


def _ready(gap: list[Skill], covered: set[str], labels: set[str]) -> list[Skill]:
    """The uncovered gap skills among a course's `labels` whose prerequisites are covered before or by it."""
    taken, in_gap = set(covered), {s.id for s in gap}
    ready = []
    for skill in gap:
        named = skill.name.casefold() in labels or skill.id.casefold() in labels
        if skill.id in taken or not named:
            continue
        if all(p in taken for p in skill.prerequisites if p in in_gap):
            ready.append(skill)
            taken.add(skill.id)
    return ready


def _level_distance(course: Course, level: str | None) -> int:
    """0 at the learner's level (or mixed, or either unknown), else 1."""
    if level is None or course.level is None or course.level.value in {level, "mixed"}:
        return 0
    return 1


def _step(plan: _Plan, kind: StepKind, course: Course | None, skill: Skill | None, skills: list[Skill],
          exercises: int) -> LearningStep:
    reason, text = _reason(plan, skills)
    if kind is StepKind.PRACTICE and not exercises:
        text += " No course or exercise covers it yet."
    return LearningStep(kind, course, skill, skills, exercises, reason, text, 0, 0, 0.0)


def _reason(plan: _Plan, skills: list[Skill]) -> tuple[StepReason, str]:
    if any(s.id in plan.goal for s in skills):
        return StepReason.GOAL_SKILL, "Part of your goal."
    names = {s.id: s for s in skills}
    later = [d.name for s in skills for d in plan.dependents.get(s.id, []) if d.id not in names]
    needed_before = ", ".join(dict.fromkeys(later)) or ", ".join(s.name for s in skills)
    return StepReason.PREREQUISITE_FOR, f"Needed before {needed_before}."


def _timed(steps: list[tuple[LearningStep, int]], weekly_minutes: int) -> list[LearningStep]:
    """The steps with their minutes, the running total, and the weeks it takes at `weekly_minutes`."""
    timed, total = [], 0
    for step, minutes in steps:
        total += minutes
        timed.append(replace(step, minutes=minutes, cumulative_minutes=total,
                             cumulative_weeks=round(total / weekly_minutes, 1)))
    return timed
