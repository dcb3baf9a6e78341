"""GraphQL types of next exercises and learning paths. Exercises are the learners' view (no answers)."""

import dataclasses
from typing import Any

import strawberry

from resolvers.practice.learning_paths import LearningPath as PathView
from resolvers.practice.learning_paths import LearningStep as StepView
from resolvers.practice.learning_paths import SkippedSkill as SkippedView
from resolvers.practice.learning_paths import StepKind, StepReason
from resolvers.practice.next_exercises import NextExercise as NextView
from resolvers.practice.next_exercises import NextReason
from schema.courses.types import Course
from schema.enums import described_enum
from schema.practice.catalog.types import Skill
from schema.practice.types import PracticeExercise

NextReasonType = described_enum(NextReason, "NextExerciseReason", "Why an exercise is suggested next.", {
    "DUE_FOR_REVIEW": "Spaced repetition says it is due.",
    "AT_YOUR_LEVEL": "New, with a predicted success in the target band.",
    "PRACTICE_WEAKEST_PREREQUISITE": "New, of the skill's weakest prerequisite.",
    "STRETCH": "New and a little harder than the learner's level.",
})
StepKindType = described_enum(StepKind, "LearningStepKind", "What a learning step asks the learner to do.", {
    "COURSE": "Take a course (`course`).",
    "PRACTICE": "Practise one skill's exercises (`skill`).",
})
StepReasonType = described_enum(StepReason, "LearningStepReason", "Why a skill is on, or off, a learning path.", {
    "GOAL_SKILL": "It is part of the goal.",
    "PREREQUISITE_FOR": "It is needed before a later step.",
    "ALREADY_MASTERED": "The learner masters it already: skipped.",
})


@dataclasses.dataclass(frozen=True)
class IdentifiedStep(StepView):
    """A step with its id: the path's id and its position."""

    id: str = ""


@dataclasses.dataclass(frozen=True)
class IdentifiedPath(PathView):
    """A learning path with its id (the question's) and its steps' ids."""

    id: str = ""


def _fields(value: Any) -> dict[str, Any]:
    return {item.name: getattr(value, item.name) for item in dataclasses.fields(value)}


def identified_path(path: PathView, path_id: str) -> IdentifiedPath:
    """`path` with ids: `path_id` for it, `<path_id>:<n>` for its n-th step (from 1)."""
    steps = [IdentifiedStep(**_fields(step), id=f"{path_id}:{n}") for n, step in enumerate(path.steps, 1)]
    return IdentifiedPath(**{**_fields(path), "steps": steps}, id=path_id)


@strawberry.type(description="A suggested exercise and why. A value object (no id): the suggestion only holds for "
                 "one nextExercises answer; its exercise is the cached entity.")
class NextExercise:
    exercise: PracticeExercise = strawberry.field(description="The exercise to practise.")
    reason: NextReasonType = strawberry.field(description="Why it is suggested.")  # type: ignore[valid-type]

    @strawberry.field(description="The reason in words, for learners.")
    def reason_text(self, root: strawberry.Parent[NextView]) -> str:
        return root.text

    @strawberry.field(description="The skill it is suggested for (the skill asked, or its weakest prerequisite).")
    def skill(self, root: strawberry.Parent[NextView]) -> strawberry.ID:
        return strawberry.ID(root.skill_id)

    @strawberry.field(description="New practice: 2PL probability (0–1) of a right answer at the learner's ability.")
    def predicted_correct(self, root: strawberry.Parent[NextView]) -> float | None:
        return root.predicted_correct

    @strawberry.field(description="Reviews: FSRS probability (0–1) that the learner still remembers it.")
    def recall_probability(self, root: strawberry.Parent[NextView]) -> float | None:
        return root.recall_probability


@strawberry.type(description="One step of a learning path; its id is the path's id and its position.")
class LearningStep:
    id: strawberry.ID = strawberry.field(description="`<path id>:<position from 1>`.")
    kind: StepKindType = strawberry.field(description="COURSE or PRACTICE.")  # type: ignore[valid-type]
    course: Course | None = strawberry.field(description="The course to take (COURSE).")
    skill: Skill | None = strawberry.field(description="The skill to practise (PRACTICE).")
    skills: list[Skill] = strawberry.field(description="The skills of the path this step covers.")
    exercise_count: int = strawberry.field(description="PRACTICE: the skill's published exercises.")
    reason: StepReasonType = strawberry.field(description="Why the step is there.")  # type: ignore[valid-type]

    @strawberry.field(description="The reason in words, e.g. \"Needed before Data Analysis.\"")
    def reason_text(self, root: strawberry.Parent[StepView]) -> str:
        return root.text

    @strawberry.field(description="The course's duration, or the exercises' expected time (60 s each if unset).")
    def estimated_minutes(self, root: strawberry.Parent[StepView]) -> int:
        return root.minutes

    @strawberry.field(description="Minutes of this step and all before it.")
    def cumulative_minutes(self, root: strawberry.Parent[StepView]) -> int:
        return root.cumulative_minutes

    @strawberry.field(description="Weeks until this step is done at the learner's weekly study time (1 decimal).")
    def cumulative_weeks(self, root: strawberry.Parent[StepView]) -> float:
        return root.cumulative_weeks


@strawberry.type(description="A skill of the path the learner has already mastered. A value object of its path "
                 "(no id); the skill is the entity.")
class SkippedSkill:
    skill: Skill = strawberry.field(description="The mastered skill.")
    reason: StepReasonType = strawberry.field(description="ALREADY_MASTERED.")  # type: ignore[valid-type]

    @strawberry.field(description="The learner's mastery probability of it (≥ the mastery threshold).")
    def probability(self, root: strawberry.Parent[SkippedView]) -> float:
        return root.mastery.probability

    @strawberry.field(description="The confidence (0–1) of that mastery estimate.")
    def confidence(self, root: strawberry.Parent[SkippedView]) -> float:
        return root.mastery.confidence


@strawberry.type(description="How a phrase of the goal text was read. A value object of its path (no id).")
class GoalMatch:
    skill_name: str = strawberry.field(description="The skill the phrase was read as.")
    score: float = strawberry.field(description="Cosine similarity; 1 for an exact name.")
    phrase: str = strawberry.field(description="The phrase of the goal text.")


@strawberry.type(description="The steps toward goal skills, prerequisites first, without what is mastered.")
class LearningPath:
    id: strawberry.ID = strawberry.field(
        description="Stable for the same learner and goal (goalSkills or goal text): a short hash of them.")
    goal_skills: list[Skill] = strawberry.field(description="The goal's skills (given, or read from the goal text).")
    steps: list[LearningStep] = strawberry.field(description="The steps in order, prerequisites first.")
    skipped: list[SkippedSkill] = strawberry.field(description="Mastered skills of the path, left out of it.")
    weekly_minutes: int = strawberry.field(description="The learner's weekly study time the weeks are counted in.")

    @strawberry.field(description="How the goal text was read (empty for goalSkills).")
    def matches(self, root: strawberry.Parent[PathView]) -> list[GoalMatch]:
        return [GoalMatch(skill_name=m.label, score=m.score, phrase=m.phrase) for m in root.matches]

    @strawberry.field(description="Minutes of all steps.")
    def total_minutes(self, root: strawberry.Parent[PathView]) -> int:
        return root.total_minutes

    @strawberry.field(description="Weeks for all steps at the learner's weekly study time (1 decimal).")
    def total_weeks(self, root: strawberry.Parent[PathView]) -> float:
        return root.total_weeks
