"""resolvers.practice.catalog: skill and exercise upserts with their checks, pages, and the prerequisite closure."""

from typing import Any

import pytest

from app.core.documents.practice import Exercise, Skill
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.pages import decode_cursor
from resolvers.practice.catalog import (
    exercises_by_id,
    exercises_for_skills,
    list_exercises,
    list_skills,
    prerequisite_closure,
    skills_by_id,
    upsert_exercises,
    upsert_skills,
)

pytestmark = pytest.mark.usefixtures("clean")

MAX = 1_000


def skill(skill_id: str, *prerequisites: str, **fields: Any) -> dict[str, Any]:
    return {"id": skill_id, "name": skill_id.title(), "prerequisites": list(prerequisites), **fields}


def item(exercise_id: str, *skills: str, **fields: Any) -> dict[str, Any]:
    return {"id": exercise_id, "skills": list(skills) or ["py"], "prompt": f"Q {exercise_id}",
            "choices": ["a", "b", "c"], "answers": ["b"], **fields}


async def test_skills_are_created_then_unchanged_then_updated() -> None:
    first = await upsert_skills([skill("py"), skill("pandas", "py", topics=[" Data ", "Data"])], MAX)
    assert (first.created, first.updated, first.unchanged, first.problems) == (["py", "pandas"], [], [], [])
    stored = await Skill.get("pandas")
    assert stored is not None and stored.topics == ["Data"]
    again = await upsert_skills([skill("py"), skill("pandas", "py")], MAX)
    assert again.unchanged == ["py", "pandas"] and again.created == again.updated == []
    assert (await Skill.get("pandas")).updated_at == stored.updated_at  # type: ignore[union-attr]
    changed = await upsert_skills([{"id": "pandas", "description": "Tables"}], MAX)
    assert changed.updated == ["pandas"]
    after = await Skill.get("pandas")
    assert after is not None and after.description == "Tables" and after.prerequisites == ["py"]
    assert after.updated_at > stored.updated_at and after.created_at == stored.created_at


async def test_prerequisites_may_come_later_in_the_same_batch() -> None:
    report = await upsert_skills([skill("ml", "analysis"), skill("analysis", "py"), skill("py")], MAX)
    assert report.problems == [] and report.stored_ids == ["ml", "analysis", "py"]


async def test_unknown_prerequisites_are_named_and_the_rest_is_stored() -> None:
    report = await upsert_skills([skill("py"), skill("ml", "stats", "py", "linalg")], MAX)
    assert report.created == ["py"]
    [problem] = report.problems
    assert (problem.code, problem.field, problem.index) == (ErrorCode.BAD_USER_INPUT, "prerequisites", 1)
    assert "'stats'" in problem.message and "'linalg'" in problem.message and "'py'" not in problem.message
    assert await Skill.get("ml") is None


async def test_a_skill_needing_a_refused_skill_is_refused_too() -> None:
    report = await upsert_skills([skill("a", "b"), skill("b", "missing")], MAX)
    assert sorted(p.index for p in report.problems) == [0, 1]
    assert await Skill.count() == 0


async def test_self_loop_is_refused() -> None:
    report = await upsert_skills([skill("py", "py"), skill("sql")], MAX)
    assert report.created == ["sql"]
    [problem] = report.problems
    assert problem.index == 0 and "its own prerequisite" in problem.message


async def test_cycle_within_the_batch_refuses_its_members_only() -> None:
    report = await upsert_skills([skill("a", "b"), skill("b", "c"), skill("c", "a"), skill("d")], MAX)
    assert report.created == ["d"]
    assert [p.index for p in report.problems] == [0, 1, 2]
    for problem in report.problems:
        assert problem.field == "prerequisites" and "would form a cycle" in problem.message
        assert all(f"{name} → " in problem.message for name in "abc"), problem.message


async def test_cycle_through_stored_skills_is_refused() -> None:
    await upsert_skills([skill("py"), skill("pandas", "py"), skill("analysis", "pandas")], MAX)
    report = await upsert_skills([skill("py", "analysis")], MAX)
    [problem] = report.problems
    assert "cycle" in problem.message and "py → analysis → pandas → py" in problem.message
    assert (await Skill.get("py")).prerequisites == []  # type: ignore[union-attr]


async def test_duplicate_ids_unknown_fields_and_bad_values() -> None:
    report = await upsert_skills([skill("a"), skill("a"), {"id": "b", "name": "B", "level": 3}, {"id": "c"},
                                  {"name": "no id"}], MAX)
    codes = {p.index: p.code for p in report.problems}
    assert codes == {1: ErrorCode.DUPLICATE, 2: ErrorCode.BAD_USER_INPUT, 3: ErrorCode.BAD_USER_INPUT,
                     4: ErrorCode.BAD_USER_INPUT}
    assert report.created == ["a"]


async def test_batches_are_limited() -> None:
    with pytest.raises(UseCaseError) as error:
        await upsert_skills([skill("a"), skill("b")], 1)
    assert error.value.code is ErrorCode.BAD_USER_INPUT and "at most 1" in error.value.message


async def test_exercises_need_known_skills_and_good_choices() -> None:
    await upsert_skills([skill("py")], MAX)
    report = await upsert_exercises([
        item("e1"), item("e2", "py", "nope"), item("e3", choices=["only"], answers=["only"]),
        item("e4", answers=["z"]), item("e5", answers=[]), item("e6", choices=["a", "a"], answers=["a"]),
        item("e7", format="open", choices=[], answers=[]),
    ], MAX)
    assert report.created == ["e1", "e7"]
    by_index = {p.index: p for p in report.problems}
    assert by_index[1].field == "skills" and "'nope'" in by_index[1].message
    assert by_index[2].field == "choices" and "at least 2" in by_index[2].message
    assert by_index[3].field == "answers" and "'z'" in by_index[3].message
    assert by_index[4].field == "answers" and set(by_index) == {1, 2, 3, 4, 5}


async def test_exercises_unchanged_keep_updated_at() -> None:
    await upsert_skills([skill("py")], MAX)
    await upsert_exercises([item("e1")], MAX)
    before = await Exercise.get("e1")
    again = await upsert_exercises([item("e1")], MAX)
    assert again.unchanged == ["e1"]
    assert (await Exercise.get("e1")).updated_at == before.updated_at  # type: ignore[union-attr]
    moved = await upsert_exercises([{"id": "e1", "difficulty": 1.5}], MAX)
    assert moved.updated == ["e1"]
    after = await Exercise.get("e1")
    assert after is not None and after.difficulty == 1.5 and after.answers == ["b"]


async def test_skill_pages_follow_cursors_and_ids_filter() -> None:
    await upsert_skills([skill(f"s{i}") for i in range(5)], MAX)
    first = await list_skills(2, None)
    assert [s.id for s in first.items] == ["s0", "s1"] and first.total_count == 5 and first.has_next_page
    second = await list_skills(2, first.cursors[-1])
    assert [s.id for s in second.items] == ["s2", "s3"] and decode_cursor(second.cursors[0], "id") == "s2"
    named = await list_skills(10, None, ["s4", "s1", "zz"])
    assert [s.id for s in named.items] == ["s1", "s4"] and named.total_count == 2
    with pytest.raises(UseCaseError):
        await list_skills(10, None, [f"x{i}" for i in range(101)])
    with pytest.raises(UseCaseError):
        await list_skills(0, None)


async def test_exercise_reads() -> None:
    await upsert_skills([skill("py"), skill("sql")], MAX)
    await upsert_exercises([item("e2", "py"), item("e1", "py", "sql"), item("e3", "sql", published=False)], MAX)
    assert [e.id for e in await exercises_for_skills(["sql"])] == ["e1"]
    assert [e.id for e in await exercises_for_skills(["sql"], published_only=False)] == ["e1", "e3"]
    assert [e.id for e in (await list_exercises("py", 1, None)).items] == ["e1"]
    assert [e.id for e in await exercises_by_id(["e3", "nope", "e1"])] == ["e3", "e1"]
    assert set(await skills_by_id(["py", "nope"])) == {"py"}


async def test_prerequisite_closure_is_topological() -> None:
    await upsert_skills([skill("py"), skill("stats"), skill("linalg"), skill("pandas", "py"),
                         skill("analysis", "pandas", "stats"), skill("ml", "analysis", "linalg", "stats"),
                         skill("unrelated")], MAX)
    closure = [s.id for s in await prerequisite_closure(["ml", "nope"])]
    assert set(closure) == {"py", "stats", "linalg", "pandas", "analysis", "ml"}
    position = {skill_id: n for n, skill_id in enumerate(closure)}
    for node in await Skill.find({"_id": {"$in": closure}}).to_list():
        assert all(position[p] < position[node.id] for p in node.prerequisites), closure
    assert closure == ["linalg", "py", "stats", "pandas", "analysis", "ml"]  # ties broken by id
    assert await prerequisite_closure([]) == []
