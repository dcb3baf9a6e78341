"""GraphQL types of next exercises and learning paths. Exercises are the learners' view (no answers)."""

import strawberry

from resolvers.learning_paths import LearningPath as PathView
from resolvers.learning_paths import LearningStep as StepView
from resolvers.learning_paths import SkippedSkill as SkippedView
from resolvers.learning_paths import StepKind, StepReason
from resolvers.next_exercises import NextExercise as NextView
from resolvers.next_exercises import NextReason
from schema.courses.types import Course
from schema.practice.types import PracticeExercise
from schema.practice_catalog.types import Skill

NextReasonType = strawberry.enum(NextReason, name="NextExerciseReason", description=(
    "DUE_FOR_REVIEW: spaced repetition says it is due; AT_YOUR_LEVEL: new, with a predicted success in the target "
    "band; PRACTICE_WEAKEST_PREREQUISITE: new, of the skill's weakest prerequisite; STRETCH: a little harder."))
StepKindType = strawberry.enum(StepKind, name="LearningStepKind",
                               description="COURSE: take a course; PRACTICE: practise one skill's exercises.")
StepReasonType = strawberry.enum(StepReason, name="LearningStepReason", description=(
    "GOAL_SKILL: part of the goal; PREREQUISITE_FOR: needed before a later step; ALREADY_MASTERED: skipped."))


@strawberry.type(description="A suggested exercise and why.")
class NextExercise:
    exercise: PracticeExercise
    reason: NextReasonType  # type: ignore[valid-type]

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


@strawberry.type(description="One step of a learning path.")
class LearningStep:
    kind: StepKindType  # type: ignore[valid-type]
    course: Course | None = strawberry.field(description="The course to take (COURSE).")
    skill: Skill | None = strawberry.field(description="The skill to practise (PRACTICE).")
    skills: list[Skill] = strawberry.field(description="The skills of the path this step covers.")
    exercise_count: int = strawberry.field(description="PRACTICE: the skill's published exercises.")
    reason: StepReasonType  # type: ignore[valid-type]

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


@strawberry.type(description="A skill of the path the learner has already mastered.")
class SkippedSkill:
    skill: Skill
    reason: StepReasonType  # type: ignore[valid-type]

    @strawberry.field(description="The learner's mastery probability of it (≥ the mastery threshold).")
    def probability(self, root: strawberry.Parent[SkippedView]) -> float:
        return root.mastery.probability

    @strawberry.field
    def confidence(self, root: strawberry.Parent[SkippedView]) -> float:
        return root.mastery.confidence


@strawberry.type(description="How a phrase of the goal text was read.")
class GoalMatch:
    skill_name: str
    score: float = strawberry.field(description="Cosine similarity; 1 for an exact name.")
    phrase: str


@strawberry.type(description="The steps toward goal skills, prerequisites first, without what is mastered.")
class LearningPath:
    goal_skills: list[Skill]
    steps: list[LearningStep]
    skipped: list[SkippedSkill] = strawberry.field(description="Mastered skills of the path, left out of it.")
    weekly_minutes: int = strawberry.field(description="The learner's weekly study time the weeks are counted in.")

    @strawberry.field(description="How the goal text was read (empty for goalSkills).")
    def matches(self, root: strawberry.Parent[PathView]) -> list[GoalMatch]:
        return [GoalMatch(skill_name=m.label, score=m.score, phrase=m.phrase) for m in root.matches]

    @strawberry.field
    def total_minutes(self, root: strawberry.Parent[PathView]) -> int:
        return root.total_minutes

    @strawberry.field
    def total_weeks(self, root: strawberry.Parent[PathView]) -> float:
        return root.total_weeks
