"""The query shapes of resolvers.analytics (learning analytics): distinct viewers per course (`$addToSet`, an `$in`
course filter, a date bound in `$and`); enrolments per course in aligned `$push` arrays with `$cond` flags (`$or` of
a status and `$ne` null of `$ifNull`) and the start pushed; mastery estimates per skill key (`$objectToArray`,
`$unwind`, a nested date bound); quiz answers per separated key after `$project` (`$concat` with `$ifNull`, `$cond` on a
boolean, `$sum` of a field); servings per strategy and course between ISO days; sums grouped by a field. And
where the embedded store diverges, which the shapes avoid: date bounds outside `$and`, dates compared in an
expression, `$gt` against null."""

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from app.core.documents import Enrollment, EnrollmentStatus, Event, KnowledgeState, ServedCourse, ServedTally
from app.core.documents.practice import SkillMastery
from resolvers.analytics import funnels, popularity, struggles
from tests.store.nx import nx_diverges

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def event(user: str, n: int, kind: str, course: str | None, hours: float,
          properties: dict[str, Any] | None = None) -> dict[str, Any]:
    document = Event(id=Event.key(user, f"e{n}"), user_id=user, event_id=f"e{n}", type=kind, course_id=course,
                     server_timestamp=T0 + timedelta(hours=hours), properties=properties or {})
    dumped: dict[str, Any] = document.model_dump(by_alias=True)
    return dumped


async def aggregate(collection: Any, pipeline: list[dict[str, Any]]) -> list[dict[str, Any]]:
    rows = await (await collection.aggregate(pipeline)).to_list()
    return sorted(rows, key=lambda row: str(row["_id"]))


async def seed_views() -> None:
    await Event.get_pymongo_collection().insert_many([
        event("u1", 1, "course_view", "c1", 0), event("u1", 2, "course_view", "c1", 1),
        event("u2", 3, "recommendation_click", "c1", 2), event("u3", 4, "course_view", "c2", 30),
        event("u4", 5, "recommendation_impression", "c1", 3), event("u5", 6, "course_view", None, 4)])


async def test_viewers_are_distinct_learners_per_course_of_views_and_clicks() -> None:
    await seed_views()
    rows = await aggregate(Event.get_pymongo_collection(), funnels.viewers_pipeline(None, None))
    assert [(row["_id"], sorted(row["users"])) for row in rows] == [  # a view without a course: a null group
        (None, ["u5"]), ("c1", ["u1", "u2"]), ("c2", ["u3"])]


async def test_viewers_of_named_courses_since_a_date() -> None:
    await seed_views()
    rows = await aggregate(Event.get_pymongo_collection(), funnels.viewers_pipeline(["c1"], None))
    assert [row["_id"] for row in rows] == ["c1"]
    rows = await aggregate(Event.get_pymongo_collection(),
                           funnels.viewers_pipeline(None, T0 + timedelta(hours=1)))
    assert [(row["_id"], sorted(row["users"])) for row in rows] == [
        (None, ["u5"]), ("c1", ["u1", "u2"]), ("c2", ["u3"])]
    rows = await aggregate(Event.get_pymongo_collection(),
                           funnels.viewers_pipeline(["c1", "c2"], T0 + timedelta(hours=2)))
    assert [(row["_id"], sorted(row["users"])) for row in rows] == [("c1", ["u2"]), ("c2", ["u3"])]
    rows = await aggregate(Event.get_pymongo_collection(),
                           funnels.viewers_pipeline(None, T0 + timedelta(hours=5)))
    assert [(row["_id"], sorted(row["users"])) for row in rows] == [("c2", ["u3"])]


def enrolment(user: str, course: str, progress: float, days: float, status: EnrollmentStatus =
              EnrollmentStatus.ACTIVE, completed: bool = False) -> Enrollment:
    return Enrollment(id=Enrollment.key(user, course), user_id=user, course_id=course, status=status,
                      progress=progress, started_at=T0 + timedelta(days=days),
                      completed_at=T0 + timedelta(days=days + 1) if completed else None)


def aligned(row: dict[str, Any], *fields: str) -> list[tuple[Any, ...]]:
    """The row's aligned arrays as sorted tuples: `$push` keeps them aligned, in no promised order."""
    return sorted(zip(*(row[name] for name in fields), strict=True))


async def test_enrolments_push_progress_a_completion_flag_by_status_or_date_and_the_start() -> None:
    await Enrollment.insert_many([
        enrolment("u1", "c1", 0.3, 0), enrolment("u2", "c1", 1.0, 1, EnrollmentStatus.COMPLETED),
        enrolment("u3", "c1", 0.6, 2, completed=True), enrolment("u4", "c2", 0.0, 0)])
    rows = await aggregate(Enrollment.get_pymongo_collection(), funnels.enrolments_pipeline(None))
    assert [(row["_id"], aligned(row, "users", "progress", "done")) for row in rows] == [
        ("c1", [("u1", 0.3, 0), ("u2", 1.0, 1), ("u3", 0.6, 1)]), ("c2", [("u4", 0.0, 0)])]
    assert all(type(flag) is int for row in rows for flag in row["done"])
    assert aligned(rows[0], "users", "started") == [("u1", T0), ("u2", T0 + timedelta(days=1)),
                                                    ("u3", T0 + timedelta(days=2))]


async def test_enrolments_of_named_courses() -> None:
    await Enrollment.insert_many([enrolment("u1", "c1", 0.3, 0), enrolment("u4", "c2", 0.0, 3)])
    rows = await aggregate(Enrollment.get_pymongo_collection(), funnels.enrolments_pipeline(["c1"]))
    assert [(row["_id"], row["users"]) for row in rows] == [("c1", ["u1"])]


async def test_a_missing_completion_date_is_not_completed() -> None:
    await Enrollment.get_pymongo_collection().insert_one(
        {"_id": "u9:c1", "user_id": "u9", "course_id": "c1", "status": "active", "progress": 0.1})
    rows = await aggregate(Enrollment.get_pymongo_collection(), funnels.enrolments_pipeline(None))
    assert [(row["_id"], row["done"]) for row in rows] == [("c1", [0])]


@nx_diverges("a `$match` of a date bound written field by field (not in `$and`) keeps every document")
async def test_a_date_bound_beside_another_field_in_match() -> None:
    await seed_views()
    pipeline = [{"$match": {"type": "course_view", "server_timestamp": {"$gte": T0 + timedelta(hours=2)}}}]
    assert [row["_id"] for row in await aggregate(Event.get_pymongo_collection(), pipeline)] == ["u3:e4"]


@nx_diverges("a date compared with `$gte` inside an expression is always true (funnels compare starts in Python)")
async def test_a_date_compared_inside_an_expression() -> None:
    await Enrollment.insert_many([enrolment("u1", "c1", 0.3, 0), enrolment("u2", "c1", 0.5, 2)])
    recent = {"$cond": {"if": {"$gte": ["$started_at", T0 + timedelta(days=1)]}, "then": 1, "else": 0}}
    rows = await aggregate(Enrollment.get_pymongo_collection(), [{"$project": {"recent": recent}}])
    assert [row["recent"] for row in rows] == [0, 1]


@nx_diverges("`$gt` of a date and null is false (funnels test `$ne` of `$ifNull` instead)")
async def test_a_date_is_greater_than_null() -> None:
    await Enrollment.insert_many([enrolment("u1", "c1", 0.3, 0, completed=True)])
    flag = {"$cond": {"if": {"$gt": ["$completed_at", None]}, "then": 1, "else": 0}}
    rows = await aggregate(Enrollment.get_pymongo_collection(), [{"$project": {"flag": flag}}])
    assert [row["flag"] for row in rows] == [1]


async def seed_states() -> None:
    def mastery(probability: float, days: float) -> SkillMastery:
        return SkillMastery(probability=probability, updated_at=T0 + timedelta(days=days))

    await KnowledgeState.insert_many([
        KnowledgeState(id="u1", user_id="u1", skills={"algebra": mastery(0.3, 0), "geometry": mastery(0.9, 2)}),
        KnowledgeState(id="u2", user_id="u2", skills={"algebra": mastery(0.5, 3)}),
        KnowledgeState(id="u3", user_id="u3")])


async def test_estimates_per_skill_key_push_learners_and_probabilities() -> None:
    await seed_states()
    rows = await aggregate(KnowledgeState.get_pymongo_collection(), struggles.estimates_pipeline(None))
    assert [(row["_id"], aligned(row, "users", "probabilities")) for row in rows] == [
        ("algebra", [("u1", 0.3), ("u2", 0.5)]), ("geometry", [("u1", 0.9)])]


async def test_estimates_since_a_date_keep_those_updated_at_or_after_it() -> None:
    await seed_states()
    rows = await aggregate(KnowledgeState.get_pymongo_collection(),
                           struggles.estimates_pipeline(T0 + timedelta(days=2)))
    assert [(row["_id"], aligned(row, "users", "probabilities")) for row in rows] == [
        ("algebra", [("u2", 0.5)]), ("geometry", [("u1", 0.9)])]


async def seed_answers() -> None:
    def answer(user: str, n: int, hours: float, **properties: Any) -> dict[str, Any]:
        return event(user, n, "quiz_answer", None, hours, properties)

    await Event.get_pymongo_collection().insert_many([
        answer("u1", 1, 0, item_id="i1", skill="Algebra", correct=False, hints_used=2),
        answer("u1", 2, 1, item_id="i1", skill="Algebra", correct=True, hints_used=0, attempt=2),
        answer("u1", 3, 2, item_id="i1", skill="Algebra", correct=False),
        answer("u2", 4, 3, item_id="i2", correct=False, hints_used=1),
        answer("u2", 5, 30, item_id="i2", correct=True, hints_used=4),
        event("u2", 6, "course_view", "c1", 4)])


async def test_answers_per_learner_skill_and_item_sum_answers_failures_and_hints() -> None:
    await seed_answers()
    rows = await aggregate(Event.get_pymongo_collection(), struggles.answers_pipeline(None))
    assert [(row["_id"], row["answers"], row["failures"], row["hints"]) for row in rows] == [
        ("u1\x1fAlgebra\x1fi1", 3, 2, 2), ("u2\x1f\x1fi2", 2, 1, 5)]


async def test_answers_since_a_date() -> None:
    await seed_answers()
    rows = await aggregate(Event.get_pymongo_collection(), struggles.answers_pipeline(T0 + timedelta(hours=3)))
    assert [(row["_id"], row["answers"], row["failures"], row["hints"]) for row in rows] == [
        ("u2\x1f\x1fi2", 2, 1, 5)]


def served(day: str, strategy: str, course: str, answers: int) -> ServedCourse:
    return ServedCourse(id=f"{day}|{strategy}|{course}", day=day, strategy=strategy, course_id=course,
                        answers=answers)


async def test_servings_per_strategy_and_course_between_two_days() -> None:
    await ServedCourse.insert_many([
        served("2026-03-01", "popular", "c1", 5), served("2026-03-02", "popular", "c1", 7),
        served("2026-03-02", "popular", "c2", 1), served("2026-03-02", "hybrid", "c2", 4),
        served("2026-02-28", "popular", "c3", 9), served("2026-03-03", "popular", "c3", 9)])
    rows = await aggregate(ServedCourse.get_pymongo_collection(),
                           popularity.servings_pipeline("2026-03-01", "2026-03-02"))
    assert [(row["_id"], row["servings"]) for row in rows] == [
        ("hybrid\x1fc2", 4), ("popular\x1fc1", 12), ("popular\x1fc2", 1)]


async def test_answers_per_strategy_between_two_days_and_enrolments_per_course() -> None:
    await ServedTally.insert_many([
        ServedTally(id="2026-03-01|popular||", day="2026-03-01", strategy="popular", answers=3),
        ServedTally(id="2026-03-02|popular|exp|a", day="2026-03-02", strategy="popular", experiment="exp",
                    variant="a", answers=4),
        ServedTally(id="2026-03-05|popular||", day="2026-03-05", strategy="popular", answers=50)])
    rows = await aggregate(ServedTally.get_pymongo_collection(),
                           popularity.answers_pipeline("2026-03-01", "2026-03-02"))
    assert [(row["_id"], row["answers"]) for row in rows] == [("popular", 7)]
    await Enrollment.insert_many([enrolment("u1", "c1", 0, 0), enrolment("u2", "c1", 0, 0),
                                  enrolment("u1", "c2", 0, 0)])
    rows = await aggregate(Enrollment.get_pymongo_collection(), popularity.enrolments_pipeline())
    assert [(row["_id"], row["enrolments"]) for row in rows] == [("c1", 2), ("c2", 1)]
