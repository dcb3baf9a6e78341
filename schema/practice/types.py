"""GraphQL types of practice: exercises as learners see them (never their answers), review items, tests."""

from datetime import datetime

import strawberry

from app.core.documents import Exercise as ExerciseDocument
from app.core.documents import ExerciseFormat, PlacementStatus
from recommenders.placement import MAX_ITEMS, SE_TARGET
from resolvers.practice.placement_tests import PlacementView
from resolvers.practice.review_queue import ReviewItem as ReviewItemView
from schema.enums import described_enum
from schema.errors import UserError
from schema.profile.users.learners import LearnerPayload

# one GraphQL enum for learners' and partners' exercises (schema.practice.catalog imports it)
ExerciseFormatType = described_enum(
    ExerciseFormat, "ExerciseFormat", "How an exercise is answered; OPEN items are graded by the platform.", {
        "MULTIPLE_CHOICE": "Pick one of `choices`.",
        "SHORT_ANSWER": "A few words, matched ignoring case and whitespace.",
        "NUMERIC": "A number, compared by value (2.50 matches 2.5).",
        "CODE": "A short piece of code, matched ignoring case and whitespace.",
        "OPEN": "Free answer graded by the platform, which reports `correct`.",
    })
PlacementStatusType = described_enum(PlacementStatus, "PlacementStatus", "Where a placement test is.", {
    "IN_PROGRESS": "Items remain: answer `nextItem`.",
    "FINISHED": "Done: `level` and `stopReason` are set.",
})


@strawberry.type(description="A practice exercise as learners see it; its accepted answers are never exposed.")
class PracticeExercise:
    prompt: str = strawberry.field(description="The question shown to the learner.")
    format: ExerciseFormatType = strawberry.field(description="How to answer it.")  # type: ignore[valid-type]
    choices: list[str] = strawberry.field(description="The options of a multiple-choice item (≤ 50).")
    skills: list[str] = strawberry.field(description="The skills it practises (1–20).")

    @strawberry.field(description="The exercise's id in the item bank (answerPlacementItem's itemId).")
    def id(self, root: strawberry.Parent[ExerciseDocument]) -> strawberry.ID:
        return strawberry.ID(root.id)


@strawberry.type(description="A due exercise of the learner's review queue (their spaced-repetition card).")
class ReviewItem:
    @strawberry.field(description="`<userId>:<exerciseId>`: one per learner and exercise.")
    def id(self, root: strawberry.Parent[ReviewItemView]) -> strawberry.ID:
        return strawberry.ID(root.card.id)

    @strawberry.field(description="The exercise's id, kept when it leaves the bank.")
    def exercise_id(self, root: strawberry.Parent[ReviewItemView]) -> strawberry.ID:
        return strawberry.ID(root.card.exercise_id)

    @strawberry.field(description="The exercise, or null if it left the bank.")
    def exercise(self, root: strawberry.Parent[ReviewItemView]) -> PracticeExercise | None:
        return root.exercise

    @strawberry.field(description="The skill ids the exercise practises.")
    def skills(self, root: strawberry.Parent[ReviewItemView]) -> list[str]:
        return root.card.skills

    @strawberry.field(description="When it fell due.")
    def due(self, root: strawberry.Parent[ReviewItemView]) -> datetime:
        return root.card.due

    @strawberry.field(description="FSRS probability (0–1) that the learner still remembers it; 0 if never reviewed.")
    def recall_probability(self, root: strawberry.Parent[ReviewItemView]) -> float:
        return root.recall_probability

    @strawberry.field(description="When it was last answered (UTC); null if never.")
    def last_review(self, root: strawberry.Parent[ReviewItemView]) -> datetime | None:
        return root.card.last_review

    @strawberry.field(description="How many times it was answered.")
    def reviews(self, root: strawberry.Parent[ReviewItemView]) -> int:
        return root.card.reviews


@strawberry.type(description=(
    f"An adaptive placement test: at most {MAX_ITEMS} items, fewer once the estimate is precise."))
class PlacementTest:
    @strawberry.field(description="The test's id: pass it to answerPlacementItem.")
    def id(self, root: strawberry.Parent[PlacementView]) -> strawberry.ID:
        return strawberry.ID(root.test.id)

    @strawberry.field(description="IN_PROGRESS or FINISHED.")
    def status(self, root: strawberry.Parent[PlacementView]) -> PlacementStatusType:  # type: ignore[valid-type]
        return root.test.status

    @strawberry.field(description="The skills tested; empty means every published exercise.")
    def skills(self, root: strawberry.Parent[PlacementView]) -> list[str]:
        return root.test.skills

    @strawberry.field(description="Items answered so far.")
    def items_answered(self, root: strawberry.Parent[PlacementView]) -> int:
        return len(root.test.session.get("items", []))

    @strawberry.field(description="Ability estimate in logits (EAP, prior N(0, 1)); null before the first answer.")
    def ability(self, root: strawberry.Parent[PlacementView]) -> float | None:
        return root.test.ability

    @strawberry.field(description=(
        f"Standard error of the ability (logits); the test stops once it is ≤ {SE_TARGET}."))
    def standard_error(self, root: strawberry.Parent[PlacementView]) -> float | None:
        return root.test.standard_error

    @strawberry.field(description="beginner, intermediate or advanced, once finished.")
    def level(self, root: strawberry.Parent[PlacementView]) -> str | None:
        return root.test.level

    @strawberry.field(description=(
        f"Why it finished: se (precise enough), limit ({MAX_ITEMS} items) or bank (no items left)."))
    def stop_reason(self, root: strawberry.Parent[PlacementView]) -> str | None:
        return root.test.stop_reason

    @strawberry.field(description="The item to answer next; null once finished.")
    def next_item(self, root: strawberry.Parent[PlacementView]) -> PracticeExercise | None:
        return root.next_item


@strawberry.type(description=(
    "What startPlacementTest and answerPlacementItem changed: the test, and the learner (a finished test sets "
    "their level and mastery, which recommendations read)."))
class PlacementTestPayload(LearnerPayload):
    test: PlacementTest | None = strawberry.field(default=None, description="The test as stored now; null on errors.")
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
