"""Mastery gained on the skills of the courses an experiment showed, per learner.

A course's skills are the skills of its practice items (`Exercise.course_id`). For each learner and each skill of
a course shown to them, the gain is `max(0, mastery - prior)` when the learner practised the skill after the
first impression of a course with it (`SkillMastery.practiced_at`), else 0: mastery now above what the knowledge
model assumes of someone who never practised, earned since the recommendation. The learner's sample pair is
(sum of gains, skills counted), so the rate is the mean gain per shown skill, and learners are compared with the
delta method like every other ratio.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from app.core.documents import Exercise, KnowledgeState
from app.core.documents.profiles import field_key
from recommenders.knowledge.loading import TrackerLoader
from resolvers.experiments.outcomes import stored_date

_CHUNK = 1_000


async def course_skills(course_ids: Iterable[str]) -> dict[str, set[str]]:
    """course -> the skills of its published practice items."""
    wanted = sorted(set(course_ids))
    skills: dict[str, set[str]] = defaultdict(set)
    for start in range(0, len(wanted), _CHUNK):
        found = Exercise.get_pymongo_collection().find(
            {"course_id": {"$in": wanted[start:start + _CHUNK]}, "published": True}, {"course_id": 1, "skills": 1})
        async for row in found:
            skills[row["course_id"]].update(skill for skill in row.get("skills") or [] if isinstance(skill, str))
    return dict(skills)


async def mastery_gains(firsts: Mapping[tuple[str, str], datetime], learners: Iterable[str],
                        trackers: TrackerLoader) -> dict[str, tuple[float, int]]:
    """learner -> (sum of mastery gains, skills counted) over the skills of the courses shown to them."""
    wanted = set(learners)
    shown: dict[str, dict[str, datetime]] = defaultdict(dict)  # learner -> skill -> first impression
    skills_of = await course_skills(course for (user, course) in firsts if user in wanted)
    for (user, course), first in firsts.items():
        for skill in skills_of.get(course, ()) if user in wanted else ():
            earlier = shown[user].get(skill)
            shown[user][skill] = first if earlier is None else min(earlier, first)
    states = await _knowledge_states(shown)
    tracker = trackers.tracker()
    gains: dict[str, tuple[float, int]] = {}
    for user, skills in shown.items():
        held = states.get(user, {})
        total = 0.0
        for skill, first in skills.items():
            state = held.get(field_key(skill))
            practised = stored_date(state.get("practiced_at")) if state else None
            if state is not None and practised is not None and practised >= first:
                total += max(0.0, float(state.get("probability", 0.0)) - tracker.prior(skill))
        gains[user] = (total, len(skills))
    return gains


async def _knowledge_states(shown: Mapping[str, object]) -> dict[str, dict[str, dict[str, Any]]]:
    """learner -> their stored skills (raw), for the learners in `shown`; one query per thousand learners."""
    users = sorted(shown)
    states: dict[str, dict[str, dict[str, Any]]] = {}
    for start in range(0, len(users), _CHUNK):
        found = KnowledgeState.get_pymongo_collection().find({"_id": {"$in": users[start:start + _CHUNK]}},
                                                             {"skills": 1})
        async for row in found:
            states[row["_id"]] = {key: value for key, value in (row.get("skills") or {}).items()
                                  if isinstance(value, dict)}
    return states
