"""Mastery online: quiz answers folded into KnowledgeState, mastery read back with decay, course difficulty
feedback, and the trained model picked up from the artifact store without restart."""

import asyncio
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from app.core.documents import Course, Event, Exercise, KnowledgeState, Skill, SkillMastery, User
from app.core.settings import Settings
from recommenders.artifacts import ArtifactStore
from recommenders.knowledge import LogisticKnowledge
from recommenders.knowledge.loading import TrackerLoader
from recommenders.knowledge.serving import DifficultyFeedback, save_artifact
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.practice import knowledge
from resolvers.practice.knowledge import trackers_for
from tests.conftest import CommandCounter
from tests.recommenders.knowledge_data import learners

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path)


def answer(user: str, number: int, correct: bool, skill: str | None = "algebra", **props: Any) -> Event:
    properties = {"item_id": f"q{number}", "correct": correct, **props} | ({"skill": skill} if skill else {})
    return Event(id=Event.key(user, f"e{number}"), user_id=user, type="quiz_answer", event_id=f"e{number}",
                 client_timestamp=T0 + timedelta(minutes=number), properties=properties)


async def probability(user: str, skill: str, settings: Settings, now: datetime = T0 + timedelta(hours=1)) -> float:
    return (await knowledge.mastery_of(user, [skill], now, settings, trackers_for(settings)))[0].probability


async def test_right_answers_raise_mastery_and_wrong_ones_lower_it(settings: Settings) -> None:
    before = await probability("ana", "algebra", settings)
    await knowledge.record_quiz_answers([answer("ana", n, True) for n in range(5)], settings, trackers_for(settings))
    after_right = await probability("ana", "algebra", settings)
    await knowledge.record_quiz_answers([answer("ana", n, False) for n in range(5, 10)], settings, trackers_for(settings))
    after_wrong = await probability("ana", "algebra", settings)
    assert before == 0.5 and after_right > 0.8 and after_wrong < after_right
    held = (await knowledge.mastery_of("ana", ["algebra"], T0 + timedelta(hours=1), settings, trackers_for(settings)))[0]
    assert (held.attempts, held.correct, held.source) == (10, 5, "practice")
    assert held.practiced_at == T0 + timedelta(minutes=9)


async def test_answers_apply_in_time_order_per_learner_with_one_read_and_one_write_each(
        settings: Settings, command_counter: CommandCounter) -> None:
    events = [answer("bo", 3, True), answer("cy", 1, False), answer("bo", 1, False), answer("bo", 2, False),
              answer("cy", 2, True, skill="geometry"), Event(id="x", user_id="bo", type="enroll", event_id="x")]
    command_counter.commands.clear()
    await knowledge.record_quiz_answers(events, settings, trackers_for(settings))
    assert Counter(command_counter.commands) == Counter({"find": 1, "update": 2})
    state = await KnowledgeState.get("bo")
    assert state is not None
    assert state.model_state["recent"][str(state.skill_numbers["algebra"])] == [0, 0, 1]  # by time, not arrival
    assert set((await KnowledgeState.get("cy")).skill_ids.values()) == {"algebra", "geometry"}  # type: ignore[union-attr]


async def test_an_answer_without_a_skill_takes_its_exercises_first(settings: Settings) -> None:
    await Exercise(id="q1", skills=["Fractions", "Arithmetic"]).insert()
    await knowledge.record_quiz_answers([answer("di", 1, True, skill=None), answer("di", 9, True, skill=None)], settings, trackers_for(settings))
    estimates = await knowledge.mastery_of("di", None, T0, settings, trackers_for(settings))
    assert [(e.skill_id, e.attempts) for e in estimates] == [("Fractions", 1)]  # q9 is no exercise: skipped


async def test_racing_ingestion_calls_lose_no_answer(settings: Settings) -> None:
    batches = [[answer("ed", 10 * b + n, n % 2 == 0) for n in range(3)] for b in range(4)]
    await asyncio.gather(*(knowledge.record_quiz_answers(batch, settings, trackers_for(settings)) for batch in batches))
    state = await KnowledgeState.get("ed")
    assert state is not None
    assert state.model_state["responses"] == 12 and state.skills["algebra"].attempts == 12


async def test_practice_keeps_placement_seeds_of_other_skills(settings: Settings) -> None:
    seeded = SkillMastery(probability=0.7, confidence=0.4, source="placement")
    await KnowledgeState(id="fa", user_id="fa", skills={"geometry": seeded}, skill_ids={"geometry": "Geometry"},
                         level="intermediate").insert()
    await knowledge.record_quiz_answers([answer("fa", 1, True)], settings, trackers_for(settings))
    report = await knowledge.mastery_report("fa", None, T0, settings, trackers_for(settings))
    assert report.level == "intermediate"
    assert {(e.skill_id, e.source) for e in report.skills} == {("Geometry", "placement"), ("algebra", "practice")}


async def test_mastery_decays_toward_the_prior_without_practice(settings: Settings) -> None:
    await knowledge.record_quiz_answers([answer("gi", n, True) for n in range(6)], settings, trackers_for(settings))
    fresh = await probability("gi", "algebra", settings, T0 + timedelta(hours=1))
    half = await probability("gi", "algebra", settings, T0 + timedelta(days=90, minutes=5))
    gone = await probability("gi", "algebra", settings, T0 + timedelta(days=3650))
    assert fresh > half > gone > 0.5
    assert half == pytest.approx(0.5 + (fresh - 0.5) / 2, abs=1e-3)


async def test_an_unpractised_skill_is_the_prior_with_its_name(settings: Settings) -> None:
    await Skill(id="sk-1", name="Linear equations").insert()
    estimates = await knowledge.mastery_of("hu", ["sk-1", "nothing"], T0, settings, trackers_for(settings))
    assert [(e.skill_id, e.skill_name, e.probability, e.confidence, e.source, e.mastered) for e in estimates] == [
        ("sk-1", "Linear equations", 0.5, 0.0, "prior", False), ("nothing", None, 0.5, 0.0, "prior", False)]
    assert await knowledge.mastery_of("hu", None, T0, settings, trackers_for(settings)) == []


async def test_at_most_200_skills_at_a_time(settings: Settings) -> None:
    with pytest.raises(UseCaseError) as raised:
        await knowledge.mastery_of("hu", [f"s{i}" for i in range(201)], T0, settings, trackers_for(settings))
    assert raised.value.code is ErrorCode.BAD_USER_INPUT


async def test_course_feedback_moves_the_courses_skills_and_is_kept_in_preferences(settings: Settings) -> None:
    await Skill(id="sk-py", name="Python").insert()
    await Course(id="c1", title="Python basics", skills=["python", "Loops"]).insert()
    known = await knowledge.course_difficulty_feedback("ivy", "c1", DifficultyFeedback.ALREADY_KNOW, T0, settings, trackers_for(settings))
    assert [(e.skill_id, e.source, e.mastered) for e in known] == [("sk-py", "feedback", True), ("Loops", "feedback",
                                                                                                  True)]
    assert all(e.probability >= 0.9 for e in known)
    hard = await knowledge.course_difficulty_feedback("ivy", "c1", DifficultyFeedback.TOO_HARD, T0, settings, trackers_for(settings))
    assert all(h.probability < k.probability for h, k in zip(hard, known, strict=True))
    easy = await knowledge.apply_course_feedback("ivy", ["Loops"], DifficultyFeedback.TOO_EASY, T0, settings, trackers_for(settings))
    assert easy[0].probability > hard[1].probability
    user = await User.get("ivy")
    assert user is not None and user.preferences.difficulty_feedback == {"c1": "too_hard"}


async def test_feedback_on_an_unknown_course_is_not_found(settings: Settings) -> None:
    with pytest.raises(UseCaseError) as raised:
        await knowledge.course_difficulty_feedback("ivy", "nope", DifficultyFeedback.TOO_EASY, T0, settings, trackers_for(settings))
    assert raised.value.code is ErrorCode.NOT_FOUND


def publish(settings: Settings, skills: dict[str, int]) -> None:
    model = LogisticKnowledge().fit(learners(60))
    ArtifactStore(settings.data_dir / "artifacts").publish(
        "knowledge", "logistic-1", {"n": len(skills)}, lambda path: save_artifact(path, model, skills))


async def test_mastery_uses_the_published_model(settings: Settings) -> None:
    publish(settings, {"algebra": 1})
    assert await probability("jo", "algebra", settings) != 0.5  # the trained model's prior, not Laplace's


async def test_mastery_uses_the_loader_it_is_given(settings: Settings) -> None:
    trackers = TrackerLoader(ArtifactStore(settings.data_dir / "artifacts"), 90)
    assert not trackers.tracker().trained  # read once: the app's loader looks again only after a while
    publish(settings, {"algebra": 1})
    found = await knowledge.mastery_of("jo", ["algebra"], T0, settings, trackers)
    assert found[0].probability == 0.5  # the cold-start prior of the tracker being served
    assert await probability("jo", "algebra", settings) != 0.5  # without a loader: the current artifact
