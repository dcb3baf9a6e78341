"""Onboarding, progressive profiling questions, and the catalog taxonomy."""

from typing import Annotated

import strawberry

from app.core.documents import CourseFormat
from app.core.documents import User as UserDocument
from app.core.timestamps import utcnow
from resolvers.courses.taxonomy import catalog_taxonomy
from resolvers.profile import onboarding
from resolvers.profile import questions as profile_questions
from schema.arguments import UserIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsAuthenticated, SelfOrAdmin, acting_user
from schema.profile.onboarding.types import OnboardingInput, ProfileQuestion, ProfileQuestionPayload, Taxonomy
from schema.profile.preferences.schema import profile_payload
from schema.profile.preferences.types import ProfilePayload

_QuestionId = Annotated[strawberry.ID, strawberry.argument(description="The question's id (ProfileQuestion.id).")]


def answers_of(input: OnboardingInput) -> onboarding.OnboardingAnswers:
    given = input.preferred_formats
    formats = None if given is None else [CourseFormat(item).value for item in given]
    return onboarding.OnboardingAnswers(
        goals=input.goals, interests=input.interests, other=input.other, weekly_minutes=input.weekly_minutes,
        level=input.level.value if input.level is not None else None, preferred_formats=formats)


def question_payload(user: UserDocument) -> ProfileQuestionPayload:
    question = profile_questions.next_profile_question(user, utcnow())
    return ProfileQuestionPayload(user=user, next_question=question, errors=[])  # type: ignore[arg-type]


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SelfOrAdmin], description=(
        "The single most useful question to ask the learner now (the caller, or any for admins), or null."))
    async def next_profile_question(self, info: Info, user_id: UserIdArg = None) -> ProfileQuestion | None:
        owner = acting_user(info, user_id)
        user = await info.context.loaders.user_by_id.load(owner) or UserDocument(id=owner)
        return profile_questions.next_profile_question(user, utcnow())  # type: ignore[return-value]

    @strawberry.field(permission_classes=[IsAuthenticated], description=(
        "Skills and topics of the published catalog (each once, ignoring case), for onboarding UIs."))
    async def taxonomy(self) -> Taxonomy:
        found = await catalog_taxonomy()
        return Taxonomy(skills=found.skills, topics=found.topics)


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Store the learner's onboarding answers (the caller, or any for admins). Unknown skills or topics are "
        "errors with their index; nothing is stored then. Returns the learner, whose recommendations change."))
    async def submit_onboarding(
        self, info: Info, input: Annotated[OnboardingInput, strawberry.argument(description="The answers.")],
        user_id: UserIdArg = None,
    ) -> ProfilePayload:
        owner = acting_user(info, user_id)
        return await profile_payload(onboarding.submit_onboarding(owner, answers_of(input)))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Answer a profile question (a number as digits, a choice as one of its options, free text ≤ 200 "
        "characters); returns the next question."))
    async def answer_profile_question(
        self, info: Info, question_id: _QuestionId,
        answer: Annotated[str, strawberry.argument(
            description="A number as digits, a choice as one of its options, or free text (≤ 200 characters).")],
        user_id: UserIdArg = None,
    ) -> ProfileQuestionPayload:
        owner = acting_user(info, user_id)
        return question_payload(await profile_questions.answer_profile_question(owner, str(question_id), answer))

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Skip a profile question: it is not asked again for 30 days. Returns the next question."))
    async def skip_profile_question(
        self, info: Info, question_id: _QuestionId, user_id: UserIdArg = None
    ) -> ProfileQuestionPayload:
        owner = acting_user(info, user_id)
        return question_payload(await profile_questions.skip_profile_question(owner, str(question_id)))
