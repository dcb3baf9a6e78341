"""Practice: the spaced-repetition review queue and adaptive placement tests."""

from collections.abc import Awaitable
from datetime import UTC, datetime
from typing import Annotated

import strawberry

from resolvers.pages import MAX_PAGE_SIZE
from resolvers.practice import placement_tests
from resolvers.practice import review_queue as reviews
from resolvers.practice.placement_tests import MAX_SKILLS, PlacementView
from schema.arguments import LearnerIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsAuthenticated, SelfOrPlatform, acting_user, is_platform
from schema.practice.types import PlacementTestPayload, ReviewItem

_FOR = "For the caller, or any learner for partners and admins (userId)."


async def _payload(change: Awaitable[PlacementView]) -> PlacementTestPayload:
    view = await change
    return PlacementTestPayload(owner=view.test.user_id, test=view, errors=[])  # type: ignore[arg-type]


def _id(value: strawberry.ID | None) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SelfOrPlatform], extensions=[ExpectedErrors()], description=(
        f"The learner's due exercises (due now or earlier), least likely remembered first; `first` is 1–"
        f"{MAX_PAGE_SIZE}. {_FOR}"))
    async def review_queue(
        self, info: Info, user_id: LearnerIdArg = None,
        first: Annotated[int, strawberry.argument(description=f"How many items, 1–{MAX_PAGE_SIZE}.")] = 20,
    ) -> list[ReviewItem]:
        settings = info.context.settings
        found = await reviews.review_queue(acting_user(info, _id(user_id)), first, datetime.now(UTC),
                                           settings.review_retention)
        return found  # type: ignore[return-value]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrPlatform], extensions=[ExpectedErrors()], description=(
        f"Start an adaptive placement test over the published exercises of ≤ {MAX_SKILLS} skills (all when "
        f"omitted); NOT_FOUND when there are none. {_FOR}"))
    async def start_placement_test(
        self, info: Info, skills: Annotated[list[strawberry.ID] | None, strawberry.argument(
            description=f"≤ {MAX_SKILLS} skill ids to test; null or empty for every published exercise.")] = None,
        user_id: LearnerIdArg = None,
    ) -> PlacementTestPayload:
        wanted = [str(skill) for skill in skills or []]
        return await _payload(placement_tests.start_placement_test(acting_user(info, _id(user_id)), wanted))

    @strawberry.mutation(permission_classes=[IsAuthenticated], extensions=[ExpectedErrors()], description=(
        "Answer the test's current item: `answer` is matched ignoring case and whitespace. `correct` grades it "
        "instead and only partners and admins may pass it (FORBIDDEN otherwise); OPEN items need it. Answering "
        "an item that is not current (e.g. twice) is BAD_USER_INPUT; another learner's test is NOT_FOUND."))
    async def answer_placement_item(
        self, info: Info,
        test_id: Annotated[strawberry.ID, strawberry.argument(description="The test's id (startPlacementTest).")],
        item_id: Annotated[strawberry.ID, strawberry.argument(description="The current item's id (`nextItem.id`).")],
        answer: Annotated[str | None, strawberry.argument(
            description="The learner's answer, matched ignoring case and whitespace.")] = None,
        correct: Annotated[bool | None, strawberry.argument(
            description="The grade, for OPEN items or platform grading; partners and admins only.")] = None,
    ) -> PlacementTestPayload:
        principal = info.context.principal
        assert principal is not None
        platform = is_platform(principal)
        owner = None if platform else principal.user_id
        return await _payload(placement_tests.answer_placement_item(
            owner, str(test_id), str(item_id), answer, correct, graded_by_partner=platform))

