"""The practice catalog: the skill graph and the item bank. Bulk upsert with per-item checks (known,
acyclic prerequisites; exercises on known skills; well-formed multiple choice), pages, and the
prerequisite closure of skills in topological order."""

import graphlib
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from pydantic import ValidationError
from pymongo import ReplaceOne

from app.core.documents.practice import Exercise, ExerciseFormat, Skill
from app.core.identifiers import id_problem, plain_id
from app.core.timestamps import utcnow
from resolvers.courses.courses import UpsertReport
from resolvers.errors import ErrorCode, Problem, UseCaseError, validation_problems
from resolvers.pages import Page, check_page_size, decode_cursor, encode_cursor

SKILL_FIELDS = ("name", "description", "prerequisites", "topics")
EXERCISE_FIELDS = ("skills", "prompt", "format", "choices", "answers", "difficulty", "discrimination",
                   "expected_seconds", "course_id", "lesson_id", "published")
MAX_IDS = 100  # ids one `skills(ids:)` call may name

Item = TypeVar("Item", Skill, Exercise)
Check = Callable[[Item], list[tuple[str, str]]]  # (field, message)


# --- upsert ------------------------------------------------------------------------------------------------


async def upsert_skills(items: list[dict[str, Any]], max_items: int) -> UpsertReport:
    """Create or update skills by id; fields left out keep their stored values. Prerequisites must be
    skills stored or accepted in this batch, and may not close a cycle; offending items are refused."""
    _check_batch_size(items, max_items, "skills")
    report = UpsertReport()
    existing = await _stored(Skill, items)
    candidates = _candidates(items, existing, Skill, SKILL_FIELDS, _skill_problems, report)
    await _refuse_bad_prerequisites(candidates, existing, report)
    await _write(Skill, _classified(candidates, existing, SKILL_FIELDS, report))
    report.problems.sort(key=lambda p: p.index or 0)
    return report


async def upsert_exercises(items: list[dict[str, Any]], max_items: int) -> UpsertReport:
    """Create or update exercises by id; fields left out keep their stored values. Their skills must exist."""
    _check_batch_size(items, max_items, "exercises")
    report = UpsertReport()
    existing = await _stored(Exercise, items)
    candidates = _candidates(items, existing, Exercise, EXERCISE_FIELDS, _exercise_problems, report)
    await _refuse_unknown_skills(candidates, report)
    await _write(Exercise, _classified(candidates, existing, EXERCISE_FIELDS, report))
    report.problems.sort(key=lambda p: p.index or 0)
    return report


def _check_batch_size(items: list[dict[str, Any]], max_items: int, kind: str) -> None:
    if len(items) > max_items:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {max_items} {kind} per call; got {len(items)}")


async def _stored(model: type[Item], items: list[dict[str, Any]]) -> dict[str, Item]:
    ids = [item_id for item_id in {str(item.get("id") or "").strip() for item in items} if id_problem(item_id) is None]
    return {doc.id: doc for doc in await model.find({"_id": {"$in": ids}}).to_list()}


def _candidates(items: list[dict[str, Any]], existing: dict[str, Item], model: type[Item],
                fields: tuple[str, ...], check: Check[Item], report: UpsertReport) -> dict[int, Item]:
    """Each item merged over its stored version and validated; refused ones become problems."""
    seen: dict[str, int] = {}
    candidates: dict[int, Item] = {}
    for index, item in enumerate(items):
        problems = _item_problems(index, item, fields, seen, model.__name__.lower())
        merged = None if problems else _validated(index, item, existing, model, problems)
        if merged is not None:
            problems = [Problem(ErrorCode.BAD_USER_INPUT, m, f, index) for f, m in check(merged)]
        report.problems.extend(problems)
        if merged is not None and not problems:
            candidates[index] = merged
    return candidates


def _item_problems(index: int, item: dict[str, Any], fields: tuple[str, ...], seen: dict[str, int],
                   kind: str) -> list[Problem]:
    raw_id = item.get("id")
    if raw_id is None:
        return [Problem(ErrorCode.BAD_USER_INPUT, f"every {kind} needs an id", "id", index)]
    item_id = raw_id.strip() if isinstance(raw_id, str) else plain_id(raw_id)
    problem = id_problem(item_id)
    if problem:
        return [Problem(ErrorCode.BAD_USER_INPUT, f"id {problem}", "id", index)]
    if item_id in seen:
        message = f"{kind} {item_id!r} appears twice in this batch (first at index {seen[item_id]})"
        return [Problem(ErrorCode.DUPLICATE, message, "id", index)]
    seen[item_id] = index
    unknown = set(item) - set(fields) - {"id"}
    if unknown:
        return [Problem(ErrorCode.BAD_USER_INPUT, f"unknown fields {sorted(unknown)}", None, index)]
    return []


def _validated(index: int, item: dict[str, Any], existing: dict[str, Item], model: type[Item],
               problems: list[Problem]) -> Item | None:
    stored = existing.get(str(item["id"]).strip())
    data = stored.model_dump() if stored else {}
    data.update({key: _cleaned(key, value) for key, value in item.items()})
    try:
        merged: Item = model.model_validate(data)
    except ValidationError as error:
        problems.extend(validation_problems(error, index))
        return None
    return merged


def _cleaned(key: str, value: Any) -> Any:
    """Ids and labels without surrounding blanks; id lists without blanks or repeats."""
    if isinstance(value, str) and key not in {"prompt", "description"}:
        return value.strip()
    if isinstance(value, list) and key in {"prerequisites", "topics", "skills"}:
        return list(dict.fromkeys(str(v).strip() for v in value if str(v).strip()))
    if isinstance(value, list) and key in {"choices", "answers"}:
        return [v.strip() if isinstance(v, str) else v for v in value]
    return value


def _skill_problems(skill: Skill) -> list[tuple[str, str]]:
    if skill.id in skill.prerequisites:
        return [("prerequisites", f"skill {skill.id!r} cannot be its own prerequisite")]
    return []


def _exercise_problems(exercise: Exercise) -> list[tuple[str, str]]:
    if exercise.format is not ExerciseFormat.MULTIPLE_CHOICE:
        return []
    problems = []
    if len(exercise.choices) < 2:
        problems.append(("choices", "a multiple_choice exercise needs at least 2 choices"))
    if len(set(exercise.choices)) < len(exercise.choices):
        problems.append(("choices", "every choice must differ from the others"))
    if not exercise.answers:
        problems.append(("answers", "a multiple_choice exercise needs at least one accepted answer"))
    strays = [answer for answer in exercise.answers if answer not in exercise.choices]
    if strays:
        problems.append(("answers", f"every accepted answer must be one of the choices; not a choice: {strays}"))
    return problems


async def _refuse_bad_prerequisites(candidates: dict[int, Skill], existing: dict[str, Skill],
                                    report: UpsertReport) -> None:
    """Refuse skills whose prerequisites are unknown or close a cycle, until the rest is consistent."""
    start = {p for skill in [*candidates.values(), *existing.values()] for p in skill.prerequisites}
    stored = {s.id: s.prerequisites for s in (await _reachable(start, existing)).values()}
    while True:
        graph = stored | {skill.id: skill.prerequisites for skill in candidates.values()}
        refused = _unknown_prerequisites(candidates, graph, report) or _cycle(candidates, graph, report)
        if not refused:
            return
        for index in refused:
            del candidates[index]


def _unknown_prerequisites(candidates: dict[int, Skill], graph: dict[str, list[str]],
                           report: UpsertReport) -> list[int]:
    refused = []
    for index, skill in candidates.items():
        unknown = [p for p in skill.prerequisites if p not in graph]
        if unknown:
            message = f"unknown prerequisite skills {unknown}: neither stored nor accepted in this batch"
            report.problems.append(Problem(ErrorCode.BAD_USER_INPUT, message, "prerequisites", index))
            refused.append(index)
    return refused


def _cycle(candidates: dict[int, Skill], graph: dict[str, list[str]], report: UpsertReport) -> list[int]:
    """Refuse the batch's skills on one prerequisite cycle, if there is one."""
    try:
        graphlib.TopologicalSorter(graph).prepare()
        return []
    except graphlib.CycleError as error:
        cycle: list[str] = list(error.args[1])
    in_batch = {skill.id: index for index, skill in candidates.items()}
    refused = [in_batch[node] for node in dict.fromkeys(cycle) if node in in_batch]
    # each named skill needs the next one; a cycle of stored skills alone predates this batch and is left be
    message = "prerequisites would form a cycle: " + " → ".join(reversed(cycle)) + " (each needs the next)"
    for index in refused:
        report.problems.append(Problem(ErrorCode.BAD_USER_INPUT, message, "prerequisites", index))
    return refused


async def _refuse_unknown_skills(candidates: dict[int, Exercise], report: UpsertReport) -> None:
    wanted = list({skill for exercise in candidates.values() for skill in exercise.skills})
    known = {raw["_id"] for raw in await Skill.get_pymongo_collection().find(
        {"_id": {"$in": wanted}}, {"_id": 1}).to_list()}
    for index, exercise in list(candidates.items()):
        unknown = [skill for skill in exercise.skills if skill not in known]
        if unknown:
            message = f"unknown skills {unknown}: import them first"
            report.problems.append(Problem(ErrorCode.BAD_USER_INPUT, message, "skills", index))
            del candidates[index]


def _classified(candidates: dict[int, Item], existing: dict[str, Item], fields: tuple[str, ...],
                report: UpsertReport) -> list[ReplaceOne[Any]]:
    """Count created/updated/unchanged; only changed items are written, with a new `updated_at`."""
    writes: list[ReplaceOne[Any]] = []
    for index in sorted(candidates):
        item, stored = candidates[index], existing.get(candidates[index].id)
        report.stored_ids.append(item.id)
        if stored is not None and stored.model_dump(include=set(fields)) == item.model_dump(include=set(fields)):
            report.unchanged.append(item.id)
            continue
        item.updated_at = utcnow()
        (report.updated if stored else report.created).append(item.id)
        writes.append(ReplaceOne({"_id": item.id}, item.model_dump(by_alias=True), upsert=True))
    return writes


async def _write(model: type[Skill] | type[Exercise], writes: list[ReplaceOne[Any]]) -> None:
    if writes:
        await model.get_pymongo_collection().bulk_write(writes, ordered=False)


# --- reads -------------------------------------------------------------------------------------------------


async def skills_by_id(ids: Iterable[str]) -> dict[str, Skill]:
    return {skill.id: skill for skill in await Skill.find({"_id": {"$in": list(set(ids))}}).to_list()}


async def exercises_by_id(ids: Sequence[str]) -> list[Exercise]:
    """The stored exercises among `ids`, in that order."""
    found = {e.id: e for e in await Exercise.find({"_id": {"$in": list(set(ids))}}).to_list()}
    return [found[exercise_id] for exercise_id in ids if exercise_id in found]


async def list_skills(first: int, after: str | None, ids: Sequence[str] | None = None) -> Page[Skill]:
    """A page of skills by id, optionally only those named (at most MAX_IDS)."""
    if ids is not None and len(ids) > MAX_IDS:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"`ids` may name at most {MAX_IDS} skills")
    query: dict[str, Any] = {} if ids is None else {"_id": {"$in": list(set(ids))}}
    return await _page_by_id(Skill, query, first, after)


async def list_exercises(skill_id: str, first: int, after: str | None) -> Page[Exercise]:
    """A page of the exercises of one skill, by id, published or not."""
    # `$in`, not equality: the embedded store matches no element of an indexed array by equality
    return await _page_by_id(Exercise, {"skills": {"$in": [skill_id]}}, first, after)


async def exercises_for_skills(skill_ids: Iterable[str], published_only: bool = True) -> list[Exercise]:
    """Every exercise on any of `skill_ids`, by id."""
    query: dict[str, Any] = {"skills": {"$in": list(set(skill_ids))}}
    if published_only:
        query["published"] = True
    return await Exercise.find(query).sort("_id").to_list()


async def prerequisite_closure(skill_ids: Iterable[str]) -> list[Skill]:
    """The stored skills among `skill_ids` and everything they need, prerequisites first (ties by id);
    unknown ids are left out. One query per level of the graph."""
    return _topological(await _reachable(skill_ids))


async def _page_by_id(model: type[Item], query: dict[str, Any], first: int, after: str | None) -> Page[Item]:
    check_page_size(first)
    total = await model.find(query).count()
    if after is not None:
        query = {**query, "_id": {**query.get("_id", {}), "$gt": decode_cursor(after, "id")}}
    found = await model.find(query).sort("_id").limit(first + 1).to_list()
    items = found[:first]
    return Page(items, [encode_cursor("id", i.id) for i in items], total, len(found) > first, after is not None)


async def _reachable(start: Iterable[str], known: dict[str, Skill] | None = None) -> dict[str, Skill]:
    """`known` and the stored skills reachable from `start` along prerequisites."""
    found = dict(known or {})
    asked = set(found)
    frontier = set(start) - asked
    while frontier:
        asked |= frontier
        fetched = await Skill.find({"_id": {"$in": sorted(frontier)}}).to_list()
        found |= {skill.id: skill for skill in fetched}
        frontier = {p for skill in fetched for p in skill.prerequisites} - asked
    return found


def _topological(skills: dict[str, Skill]) -> list[Skill]:
    sorter = graphlib.TopologicalSorter(
        {s.id: [p for p in s.prerequisites if p in skills] for s in skills.values()}
    )
    sorter.prepare()  # the upserts keep the stored graph acyclic
    ordered: list[Skill] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        ordered.extend(skills[skill_id] for skill_id in ready)
        sorter.done(*ready)
    return ordered


def checked_skill_ids(skills: Sequence[str], max_skills: int) -> list[str]:
    """Skill ids as asked for: stripped, de-duplicated, at most `max_skills`, each 1–200 characters."""
    cleaned = list(dict.fromkeys(skill.strip() for skill in skills))
    if len(cleaned) > max_skills:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"at most {max_skills} skills at a time")
    if any(not skill or len(skill) > 200 for skill in cleaned):
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "each skill id must be 1–200 characters")
    return cleaned
