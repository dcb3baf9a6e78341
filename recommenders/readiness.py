"""Readiness: course recommendations adjusted by what the learner already knows.

Given each candidate course's skills, the skill graph's prerequisite edges and the learner's mastery per
skill (probability of answering correctly, with how much evidence), each score is multiplied by:

- `NOT_READY` (0.6) when some prerequisite skill of the course is known to be weak (mastery below
  `weak` with confidence ≥ `min_confidence`): the learner should close that gap first;
- `UNPROVEN` (0.85) when no prerequisite is known to be weak but some are not mastered (unpractised, or in
  between): a course whose prerequisites the learner has not shown yet waits a little;
- `READY` (1.15) when every prerequisite skill is mastered: reason PREREQUISITES_MASTERED;
- `ALREADY_MASTERED` (0.5) when every skill the course teaches is already mastered;
- `CLOSES_GAP` (1.25) when the course teaches a skill on the way to the learner's goals (a goal skill or one
  of its prerequisites) that is not mastered yet: reason CLOSES_GAP naming the goal;
- `REFRESH` (1.1) when the course teaches a skill with practice items due for review (spaced repetition):
  reason DUE_FOR_REVIEW.

Unpractised skills are unknown, not weak: they cost only the UNPROVEN factor and never earn
PREREQUISITES_MASTERED.
Scores are assumed ≥ 0 and comparable within the list; the list is re-sorted.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from recommenders.base import Reason, Recommendation

NOT_READY, UNPROVEN, READY, ALREADY_MASTERED, GAP, REFRESH = 0.6, 0.85, 1.15, 0.5, 1.25, 1.1


@dataclass(frozen=True)
class Known:
    probability: float
    confidence: float


@dataclass(frozen=True)
class Knowledge:
    """What readiness needs, as plain data (skill ids throughout)."""

    course_skills: Mapping[str, Sequence[str]]  # course id -> skill ids it teaches
    prerequisites: Mapping[str, Sequence[str]]  # skill id -> prerequisite skill ids
    names: Mapping[str, str]  # skill id -> name, for reasons
    mastery: Mapping[str, Known] = field(default_factory=dict)
    goals: Sequence[str] = ()  # goal skill ids
    due: frozenset[str] = frozenset()  # skill ids with practice items due for review
    threshold: float = 0.8
    weak: float = 0.5
    min_confidence: float = 0.3

    def mastered(self, skill: str) -> bool:
        known = self.mastery.get(skill)
        return known is not None and known.probability >= self.threshold

    def weak_skill(self, skill: str) -> bool:
        known = self.mastery.get(skill)
        return known is not None and known.probability < self.weak and known.confidence >= self.min_confidence


def closure(skills: Iterable[str], prerequisites: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Every skill reachable from `skills` by prerequisite edges (themselves included) -> the goal it serves."""
    found: dict[str, str] = {}
    for goal in skills:
        stack = [goal]
        while stack:
            skill = stack.pop()
            if skill in found:
                continue
            found[skill] = goal
            stack.extend(prerequisites.get(skill, ()))
    return found


def adjust(recs: Sequence[Recommendation], knowledge: Knowledge) -> list[Recommendation]:
    """`recs` re-scored by readiness, best first."""
    path = {skill: goal for skill, goal in closure(knowledge.goals, knowledge.prerequisites).items()
            if not knowledge.mastered(skill)}
    adjusted = [_adjusted(rec, knowledge, path) for rec in recs]
    return sorted(adjusted, key=lambda rec: -rec.score)


def _adjusted(rec: Recommendation, knowledge: Knowledge, path: Mapping[str, str]) -> Recommendation:
    taught = list(knowledge.course_skills.get(rec.item_id, ()))
    if not taught:
        return rec
    factor, reasons = 1.0, list(rec.reasons)
    needed = sorted({p for skill in taught for p in knowledge.prerequisites.get(skill, ())} - set(taught))
    if any(knowledge.weak_skill(skill) for skill in needed):
        factor *= NOT_READY
    elif needed and all(knowledge.mastered(skill) for skill in needed):
        factor *= READY
        names = ", ".join(knowledge.names.get(skill, skill) for skill in needed[:3])
        reasons.append(Reason("PREREQUISITES_MASTERED", f"You have mastered its prerequisites: {names}"))
    elif needed:
        factor *= UNPROVEN
    if all(knowledge.mastered(skill) for skill in taught):
        factor *= ALREADY_MASTERED
    gap = [skill for skill in taught if skill in path]
    if gap:
        factor *= GAP
        goal = knowledge.names.get(path[gap[0]], path[gap[0]])
        reasons.insert(0, Reason("CLOSES_GAP", f"Builds {knowledge.names.get(gap[0], gap[0])} toward your goal {goal}"))
    due = [skill for skill in taught if skill in knowledge.due]
    if due:
        factor *= REFRESH
        reasons.append(Reason("DUE_FOR_REVIEW", f"Refreshes {knowledge.names.get(due[0], due[0])}, due for review"))
    return replace(rec, score=rec.score * factor, reasons=tuple(reasons))
