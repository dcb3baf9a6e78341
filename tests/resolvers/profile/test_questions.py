"""resolvers.profile.questions: the rule table, the 30-day cooldown, and storing answers and skips."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import Course, User
from app.core.documents.profiles import Insights, Onboarding, QuizTally, field_key
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.profile.questions import (
    COOLDOWN,
    RULES,
    QuestionKind,
    answer_profile_question,
    next_profile_question,
    rule_of,
    skip_profile_question,
)

pytestmark = pytest.mark.usefixtures("database")  # User documents need Beanie bound, even unsaved
NOW = datetime(2026, 5, 1, 12, tzinfo=UTC)
SIGNED_UP = NOW - timedelta(days=40)


def learner(onboarded: bool = True, **insights: object) -> User:
    onboarding = Onboarding(completed_at=SIGNED_UP if onboarded else None)
    return User(id="u1", created_at=SIGNED_UP, onboarding=onboarding, insights=Insights.model_validate(insights))


def test_every_rule_says_why_it_fires() -> None:
    assert [rule.id for rule in RULES] == ["onboarding", "career_goal", "weekly_time", "skill_level",
                                           "session_length"]
    assert all(rule.reason for rule in RULES)


def test_a_learner_not_onboarded_is_asked_to_onboard() -> None:
    question = next_profile_question(learner(onboarded=False), NOW)
    assert question is not None
    assert (question.id, question.kind, question.field) == ("onboarding", QuestionKind.FORM, "onboarding")


def test_nothing_else_on_the_first_day() -> None:
    busy = learner(completed=5, current_streak=4)
    busy.onboarding.completed_at = NOW - timedelta(hours=3)
    assert next_profile_question(busy, NOW) is None
    assert next_profile_question(busy, NOW + timedelta(days=1)) is not None


def test_a_fresh_onboarded_learner_gets_no_question() -> None:
    assert next_profile_question(learner(), NOW) is None


def test_career_goal_after_three_completions_without_a_job_title() -> None:
    assert next_profile_question(learner(completed=2), NOW) is None
    question = next_profile_question(learner(completed=3), NOW)
    assert question is not None
    assert (question.id, question.kind, question.field) == ("career_goal", QuestionKind.FREE_TEXT, "career_goal")
    assert "3 courses" in question.text
    employed = learner(completed=3)
    employed.job_title = "Analyst"
    assert next_profile_question(employed, NOW) is None


def test_weekly_time_after_a_streak_without_a_target() -> None:
    question = next_profile_question(learner(current_streak=3), NOW)
    assert question is not None
    assert (question.id, question.kind, question.field) == ("weekly_time", QuestionKind.NUMBER,
                                                            "weekly_minutes_target")
    assert question.options
    planned = learner(current_streak=3)
    planned.weekly_minutes_target = 90
    assert next_profile_question(planned, NOW) is None


def test_level_after_five_quiz_answers_in_a_skill() -> None:
    few = learner(quiz={field_key("SQL"): QuizTally(attempts=4)})
    assert next_profile_question(few, NOW) is None
    many = learner(quiz={field_key("SQL"): QuizTally(attempts=4), field_key("Python"): QuizTally(attempts=7)})
    question = next_profile_question(many, NOW)
    assert question is not None
    assert (question.id, question.kind, question.options) == ("level:python", QuestionKind.CHOICE,
                                                              ("beginner", "intermediate", "advanced"))
    many.onboarding.skill_levels["python"] = "beginner"
    assert next_profile_question(many, NOW) is None


def test_session_length_after_five_sessions() -> None:
    assert next_profile_question(learner(session_lengths_ms=[600_000] * 4), NOW) is None
    question = next_profile_question(learner(session_lengths_ms=[1_200_000, 1_500_000, 1_500_000, 1_800_000,
                                                                 60_000]), NOW)
    assert question is not None
    assert (question.id, question.field) == ("session_length", "preferred_session_minutes")
    assert "about 25 minutes" in question.text


def test_rules_fire_in_priority_order() -> None:
    everything = learner(completed=3, current_streak=5, session_lengths_ms=[60_000] * 5)
    ids = []
    for _ in RULES:
        question = next_profile_question(everything, NOW)
        if question is None:
            break
        ids.append(question.id)
        everything.onboarding.skipped_at[question.id] = NOW
    assert ids == ["career_goal", "weekly_time", "session_length"]


def test_a_question_handled_within_30_days_is_not_asked() -> None:
    user = learner(completed=3)
    user.onboarding.skipped_at["career_goal"] = NOW - COOLDOWN + timedelta(minutes=1)
    assert next_profile_question(user, NOW) is None
    user.onboarding.skipped_at["career_goal"] = NOW - COOLDOWN
    assert next_profile_question(user, NOW) is not None
    user.onboarding.answered_at["career_goal"] = NOW - timedelta(days=2)
    assert next_profile_question(user, NOW) is None


def test_a_skipped_onboarding_lets_other_questions_through() -> None:
    user = learner(onboarded=False, current_streak=3)
    user.onboarding.skipped_at["onboarding"] = NOW - timedelta(days=3)
    question = next_profile_question(user, NOW)
    assert question is not None and question.id == "weekly_time"


def test_dates_without_a_zone_are_read_as_utc() -> None:
    user = learner(current_streak=3)
    user.created_at = SIGNED_UP.replace(tzinfo=None)
    user.onboarding.completed_at = None
    user.onboarding.skipped_at = {"onboarding": (NOW - timedelta(days=1)).replace(tzinfo=None)}
    question = next_profile_question(user, NOW)
    assert question is not None and question.id == "weekly_time"


def test_question_ids_map_to_rules() -> None:
    assert rule_of("weekly_time") is RULES[2]
    assert rule_of("level:python") is RULES[3]
    assert rule_of("level:") is None
    assert rule_of("level:Has.Dot") is None
    assert rule_of("skill_level") is None
    assert rule_of("nope") is None


@pytest.mark.usefixtures("clean")
class TestAnswers:
    async def test_weekly_time_answer_is_stored_with_provenance(self) -> None:
        user = await answer_profile_question("u1", "weekly_time", " 150 ", now=NOW)
        assert user.weekly_minutes_target == 150
        assert user.provenance["weekly_minutes_target"].source == "learner"
        assert (user.onboarding.answered_questions, user.onboarding.answered_at) == (["weekly_time"],
                                                                                    {"weekly_time": NOW})
        assert await User.get("u1") == user

    async def test_session_length_and_level_answers(self) -> None:
        await answer_profile_question("u1", "session_length", "30", now=NOW)
        user = await answer_profile_question("u1", "level:python", "Advanced", now=NOW)
        assert user.preferred_session_minutes == 30
        assert user.onboarding.skill_levels == {"python": "advanced"}
        assert user.provenance["skill_levels:python"].source == "learner"
        assert user.onboarding.answered_questions == ["session_length", "level:python"]

    async def test_career_goal_answer_adds_the_catalog_skills_it_names_to_goals(self) -> None:
        await Course(id="c1", title="Data", skills=["Data Analysis", "Baking"]).insert()
        await User(id="u1", goals=["Baking"]).insert()
        user = await answer_profile_question("u1", "career_goal", "data analyst", now=NOW)
        assert user.onboarding.career_goal == "data analyst"
        assert user.goals == ["Baking", "Data Analysis"]
        assert {user.provenance["career_goal"].source, user.provenance["goals"].source} == {"learner"}

    @pytest.mark.parametrize(("question_id", "answer"), [
        ("weekly_time", "lots"), ("weekly_time", "-5"), ("weekly_time", "10081"), ("session_length", "0"),
        ("level:python", "expert"), ("career_goal", ""), ("career_goal", "x" * 201),
    ])
    async def test_bad_answers_are_refused_and_nothing_is_stored(self, question_id: str, answer: str) -> None:
        with pytest.raises(UseCaseError) as raised:
            await answer_profile_question("u1", question_id, answer)
        assert [(p.code, p.field) for p in raised.value.problems] == [(ErrorCode.BAD_USER_INPUT, "answer")]
        assert await User.get("u1") is None

    async def test_unknown_questions_are_not_found_and_onboarding_is_answered_elsewhere(self) -> None:
        with pytest.raises(UseCaseError) as raised:
            await answer_profile_question("u1", "favourite_colour", "blue")
        assert raised.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(UseCaseError) as raised:
            await skip_profile_question("u1", "favourite_colour")
        assert raised.value.code == ErrorCode.NOT_FOUND
        with pytest.raises(UseCaseError) as raised:
            await answer_profile_question("u1", "onboarding", "yes")
        assert raised.value.problems[0].field == "questionId"

    async def test_skip_is_remembered_and_idempotent(self) -> None:
        await skip_profile_question("u1", "onboarding", now=NOW - timedelta(days=1))
        user = await skip_profile_question("u1", "onboarding", now=NOW)
        assert user.onboarding.skipped_questions == ["onboarding"]
        assert user.onboarding.skipped_at == {"onboarding": NOW}
        assert user.onboarding.completed_at is None

    async def test_answering_keeps_the_question_away(self) -> None:
        await User(id="u1", created_at=SIGNED_UP, onboarding=Onboarding(completed_at=SIGNED_UP),
                   insights=Insights(current_streak=4)).insert()
        asked = next_profile_question(await self._stored(), NOW)
        assert asked is not None and asked.id == "weekly_time"
        await answer_profile_question("u1", asked.id, "120", now=NOW)
        assert next_profile_question(await self._stored(), NOW) is None

    @staticmethod
    async def _stored() -> User:
        user = await User.get("u1")
        assert user is not None
        return user
