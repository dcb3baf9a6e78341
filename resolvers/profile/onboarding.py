"""Onboarding: the learner's first statement of goals, interests, time, level and formats."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.core.documents import CourseFormat, User
from app.core.timestamps import utcnow
from resolvers.courses.taxonomy import (
    CatalogTaxonomy,
    catalog_labels,
    catalog_taxonomy,
    label_problems,
    match_free_text,
)
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.profile.writes import (
    LEARNER,
    item_keys_of,
    load_profile,
    provenance_changes,
    unique_labels,
    update_profile,
)

SELF_ASSESSED_LEVELS = ("beginner", "intermediate", "advanced")
MAX_GOALS = 100
MAX_INTERESTS = 200
MAX_OTHER_CHARS = 2_000
MAX_WEEKLY_MINUTES = 10_080
FORMATS = tuple(item.value for item in CourseFormat)


@dataclass(frozen=True)
class OnboardingAnswers:
    """What the onboarding form sends; None leaves a field as it is. Labels name skills or topics of
    the catalog (any case); a list given replaces the stored one."""

    goals: list[str] | None = None
    interests: list[str] | None = None
    other: str | None = None  # free text, mapped to catalog skills and topics, added to interests
    weekly_minutes: int | None = None
    level: str | None = None  # one of SELF_ASSESSED_LEVELS
    preferred_formats: list[str] | None = None  # CourseFormat values


async def submit_onboarding(user_id: str, answers: OnboardingAnswers, now: datetime | None = None) -> User:
    """Validate and store the answers, and mark the learner onboarded (again is allowed)."""
    taxonomy = await catalog_taxonomy()
    problems = answer_problems(answers, taxonomy)
    if problems:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "invalid onboarding answers", problems)
    other_skills = await match_free_text(answers.other or "", taxonomy.labels)
    user = await load_profile(user_id)
    at = now or utcnow()
    changes = _stated(answers, taxonomy, user, other_skills)
    stated = [*changes, *(["self_assessed_level"] if answers.level is not None else [])]
    changes |= {"onboarding": _onboarding_part(user, answers, other_skills, at)}
    changes |= provenance_changes(stated, LEARNER, at)
    return await update_profile(user_id, changes, removed=_replaced_item_provenance(user, answers))


def answer_problems(answers: OnboardingAnswers, taxonomy: CatalogTaxonomy) -> list[Problem]:
    """Everything wrong with the answers, each with its field (and index for list items)."""
    goals, interests = answers.goals or [], answers.interests or []
    problems = label_problems(goals, taxonomy, "goals") + label_problems(interests, taxonomy, "interests")
    problems += _count_problem(goals, MAX_GOALS, "goals") + _count_problem(interests, MAX_INTERESTS, "interests")
    if answers.other is not None and len(answers.other) > MAX_OTHER_CHARS:
        problems.append(_bad(f"must be at most {MAX_OTHER_CHARS} characters", "other"))
    if answers.weekly_minutes is not None and not 0 <= answers.weekly_minutes <= MAX_WEEKLY_MINUTES:
        problems.append(_bad(f"must be between 0 and {MAX_WEEKLY_MINUTES}", "weeklyMinutes"))
    if answers.level is not None and answers.level not in SELF_ASSESSED_LEVELS:
        problems.append(_bad(f"must be one of {', '.join(SELF_ASSESSED_LEVELS)}", "level"))
    problems += [_bad(f"{value!r} is not a course format", "preferredFormats", index)
                 for index, value in enumerate(answers.preferred_formats or []) if value not in FORMATS]
    return problems


def _bad(message: str, field_name: str, index: int | None = None) -> Problem:
    return Problem(ErrorCode.BAD_USER_INPUT, message, field_name, index)


def _count_problem(labels: list[str], limit: int, field_name: str) -> list[Problem]:
    return [_bad(f"at most {limit} are allowed", field_name)] if len(labels) > limit else []


def _stated(answers: OnboardingAnswers, taxonomy: CatalogTaxonomy, user: User,
            other_skills: list[str]) -> dict[str, Any]:
    """The fields the learner stated: path -> value."""
    changes: dict[str, Any] = {}
    if answers.goals is not None:
        changes["goals"] = catalog_labels(answers.goals, taxonomy)
    if answers.interests is not None or other_skills:
        chosen = catalog_labels(answers.interests, taxonomy) if answers.interests is not None else user.interests
        changes["interests"] = unique_labels(chosen + other_skills)[:MAX_INTERESTS]
    if answers.preferred_formats is not None:
        changes["preferred_formats"] = list(dict.fromkeys(answers.preferred_formats))
    optional = {"other_interests": answers.other, "weekly_minutes_target": answers.weekly_minutes}
    return changes | {name: value for name, value in optional.items() if value is not None}


def _onboarding_part(user: User, answers: OnboardingAnswers, other_skills: list[str], at: datetime) -> dict[str, Any]:
    """The whole `onboarding` object (it holds a date: see update_profile), marked completed at `at`."""
    level = answers.level or user.onboarding.self_assessed_level
    update = {"other_skills": other_skills, "completed_at": at, "self_assessed_level": level}
    return user.onboarding.model_copy(update=update).model_dump()


def _replaced_item_provenance(user: User, answers: OnboardingAnswers) -> list[str]:
    """Item-level provenance (e.g. skills a connected account added) of the lists the learner replaced."""
    replaced = [name for name in ("goals", "interests") if getattr(answers, name) is not None]
    return [f"provenance.{key}" for name in replaced for key in item_keys_of(user, name)]
