"""Where learners struggle, per skill: the mastery estimates of the learners counted (mean probability, share at or
above `settings.mastery_threshold`), their `quiz_answer`s (answers, failure rate, hints per answer) and the items
of the skill failed most.

A skill is identified by its key (`field_key` of the skill as written, as `KnowledgeState.skills` is keyed); it is
named by the `Skill` document of that key when there is one. An answer's skill is `properties.skill`; an answer
without one counts for every skill of its exercise (`Exercise.skills`). Every answer counts, retries included.
With `since`, only answers and estimates (`updated_at`) at or after it are read.

Two aggregations, shapes pinned in tests/store/test_analytics_aggregates.py: estimates per skill key
(`$objectToArray` of the skills, `$unwind`, learners and probabilities pushed in aligned arrays) and answers per
(learner, skill, item) after a `$project` of a separated key (answers, failures, hints summed).
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from app.core.documents import Event, Exercise, KnowledgeState, Skill
from app.core.documents.profiles import field_key, label_of
from app.core.settings import Settings
from resolvers.analytics.disclosure import counted_learners, ratio, small
from resolvers.analytics.limits import MAX_FIRST, MAX_ITEMS, utc_since, within

ANSWER = "quiz_answer"
_SEPARATOR = "\x1f"  # user ids hold no control characters (app/core/identifiers.py)


def estimates_pipeline(since: datetime | None) -> list[dict[str, Any]]:
    """Per skill key, the learners with an estimate and their probabilities (aligned arrays)."""
    pipeline: list[dict[str, Any]] = [
        {"$project": {"_id": 0, "user_id": 1, "skill": {"$objectToArray": "$skills"}}}, {"$unwind": "$skill"}]
    if since is not None:
        pipeline.append({"$match": {"skill.v.updated_at": {"$gte": since}}})
    return [*pipeline, {"$group": {"_id": "$skill.k", "users": {"$push": "$user_id"},
                                   "probabilities": {"$push": "$skill.v.probability"}}}]


def answers_pipeline(since: datetime | None) -> list[dict[str, Any]]:
    """Quiz answers per `user \\x1f skill \\x1f item` (an empty skill when the answer names none): answers, failures
    (answers not marked correct) and hints used."""
    match: dict[str, Any] = {"type": ANSWER}
    if since is not None:  # in `$and`, or the embedded store ignores the date bound
        match = {"$and": [match, {"server_timestamp": {"$gte": since}}]}
    key = {"$concat": ["$user_id", _SEPARATOR, {"$ifNull": ["$properties.skill", ""]}, _SEPARATOR,
                       "$properties.item_id"]}
    failed = {"$cond": {"if": {"$eq": ["$properties.correct", True]}, "then": 0, "else": 1}}
    return [{"$match": match},
            {"$project": {"_id": 0, "key": key, "failed": failed,
                          "hints": {"$ifNull": ["$properties.hints_used", 0]}}},
            {"$group": {"_id": "$key", "answers": {"$sum": 1}, "failures": {"$sum": "$failed"},
                        "hints": {"$sum": "$hints"}}}]


@dataclass
class Tally:
    """Answers of a group: who answered, how many answers, failures and hints."""

    learners: set[str] = field(default_factory=set)
    answers: int = 0
    failures: int = 0
    hints: int = 0

    def add(self, user: str, answers: int, failures: int, hints: int) -> None:
        self.learners.add(user)
        self.answers, self.failures, self.hints = self.answers + answers, self.failures + failures, self.hints + hints


@dataclass(frozen=True)
class AnswerRow:
    """One learner's answers to one item under one skill as written ('' when the answer names no skill)."""

    user: str
    skill: str
    item: str
    answers: int
    failures: int
    hints: int


@dataclass(frozen=True)
class ItemStruggle:
    """An item of a skill; numbers None when `suppressed` (fewer learners answered it than the minimum group)."""

    item_id: str
    suppressed: bool
    learners: int | None
    answers: int | None
    failure_rate: float | None
    mean_hints: float | None


@dataclass(frozen=True)
class SkillStruggle:
    """A skill's mastery and answers over the learners counted. `suppressed`: fewer learners than the minimum group
    have an estimate or an answer; every number is None and no item is listed. Otherwise the mastery numbers are
    None when too few have an estimate, the answer numbers when too few answered."""

    skill_id: str
    name: str
    suppressed: bool
    learners: int | None
    mean_mastery: float | None
    mastered_share: float | None
    answering_learners: int | None
    answers: int | None
    failure_rate: float | None
    mean_hints: float | None
    items: tuple[ItemStruggle, ...]


Estimates = dict[str, dict[str, float]]  # skill key -> learner -> probability


async def read_estimates(since: datetime | None) -> Estimates:
    estimates: Estimates = {}
    rows = await KnowledgeState.get_pymongo_collection().aggregate(estimates_pipeline(since), batchSize=1_000)
    async for row in rows:
        users, probabilities = row.get("users") or [], row.get("probabilities") or []
        if isinstance(row["_id"], str) and len(users) == len(probabilities):
            estimates[row["_id"]] = {u: float(p) for u, p in zip(users, probabilities, strict=True)
                                     if isinstance(p, int | float)}
    return estimates


async def read_answers(since: datetime | None) -> list[AnswerRow]:
    found = []
    async for row in await Event.get_pymongo_collection().aggregate(answers_pipeline(since), batchSize=10_000):
        user, _, rest = str(row["_id"] or "").partition(_SEPARATOR)
        skill, separator, item = rest.rpartition(_SEPARATOR)
        if user and separator and item:
            found.append(AnswerRow(user, skill, item, int(row["answers"]), int(row["failures"]), int(row["hints"])))
    return found


async def exercise_skills(items: Iterable[str]) -> dict[str, list[str]]:
    """item -> the skills of its exercise, for the items given."""
    query = {"_id": {"$in": sorted(set(items))}}
    return {row["_id"]: [str(s) for s in row.get("skills") or []]
            async for row in Exercise.get_pymongo_collection().find(query, {"skills": 1})}


def answer_tallies(rows: Iterable[AnswerRow], skills_of: dict[str, list[str]], counted: set[str]
                   ) -> tuple[dict[str, Tally], dict[str, dict[str, Tally]]]:
    """Per skill key, and per skill key and item, the counted learners' answers."""
    by_skill: dict[str, Tally] = {}
    by_item: dict[str, dict[str, Tally]] = {}
    for row in rows:
        if row.user not in counted:
            continue
        for key in {field_key(skill) for skill in ([row.skill] if row.skill else skills_of.get(row.item, []))}:
            by_skill.setdefault(key, Tally()).add(row.user, row.answers, row.failures, row.hints)
            by_item.setdefault(key, {}).setdefault(row.item, Tally()).add(row.user, row.answers, row.failures,
                                                                            row.hints)
    return by_skill, by_item


def item_struggles(tallies: dict[str, Tally], limit: int, settings: Settings) -> tuple[ItemStruggle, ...]:
    """The items failed most (failure rate, then answers), then the suppressed ones by id; at most `limit`."""
    shown = [ItemStruggle(item, False, len(t.learners), t.answers, ratio(t.failures, t.answers),
                          ratio(t.hints, t.answers))
             for item, t in tallies.items() if not small(len(t.learners), settings)]
    hidden = [ItemStruggle(item, True, None, None, None, None)
              for item, t in tallies.items() if small(len(t.learners), settings)]
    shown.sort(key=lambda row: (-(row.failure_rate or 0.0), -(row.answers or 0), row.item_id))
    return tuple((shown + sorted(hidden, key=lambda row: row.item_id))[:limit])


def skill_struggle(skill: tuple[str, str], estimates: dict[str, float], tally: Tally,
                   items: tuple[ItemStruggle, ...], settings: Settings) -> SkillStruggle:
    """One skill's row from its counted learners' estimates and answers."""
    skill_id, name = skill
    if small(len(set(estimates) | tally.learners), settings):
        return SkillStruggle(skill_id, name, True, None, None, None, None, None, None, None, ())
    probabilities = np.fromiter(estimates.values(), dtype=np.float64, count=len(estimates))
    mastery = not small(len(estimates), settings)
    answered = not small(len(tally.learners), settings)
    return SkillStruggle(
        skill_id, name, False, len(estimates) if mastery else None,
        float(probabilities.mean()) if mastery else None,
        float((probabilities >= settings.mastery_threshold).mean()) if mastery else None,
        len(tally.learners) if answered else None, tally.answers if answered else None,
        ratio(tally.failures, tally.answers) if answered else None,
        ratio(tally.hints, tally.answers) if answered else None, items)


def struggle_order(row: SkillStruggle) -> tuple[bool, bool, float, bool, float, str]:
    """Shown rows first, lowest mean mastery first (rows without it after), then highest failure rate."""
    return (row.suppressed, row.mean_mastery is None, row.mean_mastery or 0.0, row.failure_rate is None,
            -(row.failure_rate or 0.0), row.skill_id)


async def skill_names(keys: Iterable[str]) -> dict[str, tuple[str, str]]:
    """skill key -> (id, name): the `Skill` document's when there is one, else the key read back as a label."""
    named = {field_key(row["_id"]): (str(row["_id"]), str(row.get("name") or row["_id"]))
             async for row in Skill.get_pymongo_collection().find({}, {"name": 1})}
    return {key: named.get(key, (label_of(key), label_of(key))) for key in keys}


async def skill_struggles(first: int, items: int, since: datetime | None,
                          settings: Settings) -> list[SkillStruggle]:
    """The `first` skills where the counted learners struggle most (`struggle_order`), each with at most `items`
    of its items failed most."""
    within("first", first, 1, MAX_FIRST)
    within("items", items, 1, MAX_ITEMS)
    since = utc_since(since)
    estimates, answers = await read_estimates(since), await read_answers(since)
    counted = await counted_learners({u for by_user in estimates.values() for u in by_user}
                                     | {row.user for row in answers}, settings)
    skills_of = await exercise_skills(row.item for row in answers if not row.skill)
    by_skill, by_item = answer_tallies(answers, skills_of, counted)
    counted_estimates = {key: {u: p for u, p in by_user.items() if u in counted} for key, by_user in estimates.items()}
    keys = {key for key, by_user in counted_estimates.items() if by_user} | set(by_skill)
    names = await skill_names(keys)
    rows = [skill_struggle(names[key], counted_estimates.get(key, {}), by_skill.get(key, Tally()),
                           item_struggles(by_item.get(key, {}), items, settings), settings) for key in keys]
    return sorted(rows, key=struggle_order)[:first]
