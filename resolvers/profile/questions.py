"""Progressive profiling: the single most useful question to ask a learner now, and its answers.

The rule table below is in priority order; the first rule that fires with a question the learner has
not answered or skipped in the last COOLDOWN wins. Besides onboarding, nothing is asked on a learner's
first day: the other rules need a history first."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from statistics import median
from typing import Any

from app.core.documents import User
from app.core.documents.profiles import Onboarding, field_key, label_of
from app.core.timestamps import as_utc, utcnow
from resolvers.courses.taxonomy import catalog_taxonomy, match_free_text
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.profile.onboarding import MAX_GOALS, MAX_WEEKLY_MINUTES
from resolvers.profile.writes import LEARNER, load_profile, provenance_changes, unique_labels, update_profile

COOLDOWN = timedelta(days=30)
FIRST_DAY = timedelta(days=1)
CAREER_GOAL_AFTER_COMPLETIONS = 3
WEEKLY_TIME_AFTER_STREAK_DAYS = 3
LEVEL_AFTER_QUIZ_ANSWERS = 5
SESSION_LENGTH_AFTER_SESSIONS = 5
LEVELS = ("beginner", "intermediate", "advanced")
LEVEL_PREFIX = "level:"


class QuestionKind(StrEnum):
    CHOICE = "choice"  # answer with one of `options`
    FREE_TEXT = "free_text"
    NUMBER = "number"  # a whole number; `options` suggests some
    FORM = "form"  # show the onboarding form (answered through submitOnboarding)


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    field: str  # the profile field the answer fills
    kind: QuestionKind
    reason: str  # why it is asked now
    options: tuple[str, ...] = ()


@dataclass(frozen=True)
class Rule:
    id: str
    reason: str
    questions: Callable[[User], list[Question]]  # empty when the rule does not fire
    waits_for_first_day: bool = True


def _onboarding(user: User) -> list[Question]:
    if user.onboarding.completed_at is not None:
        return []
    return [Question("onboarding", "What would you like to learn, and how much time do you have?", "onboarding",
                     QuestionKind.FORM, RULES_BY_ID["onboarding"].reason)]


def _career_goal(user: User) -> list[Question]:
    done = user.insights.completed
    if done < CAREER_GOAL_AFTER_COMPLETIONS or user.job_title or user.onboarding.career_goal:
        return []
    text = f"You have completed {done} courses. What role are you working towards?"
    return [Question("career_goal", text, "career_goal", QuestionKind.FREE_TEXT, RULES_BY_ID["career_goal"].reason)]


def _weekly_time(user: User) -> list[Question]:
    streak = user.insights.current_streak
    if streak < WEEKLY_TIME_AFTER_STREAK_DAYS or user.weekly_minutes_target is not None:
        return []
    text = f"You have learned {streak} days in a row. How many minutes a week would you like to spend?"
    return [Question("weekly_time", text, "weekly_minutes_target", QuestionKind.NUMBER,
                     RULES_BY_ID["weekly_time"].reason, ("60", "120", "180", "300", "600"))]


def _skill_level(user: User) -> list[Question]:
    practised = sorted(user.insights.quiz.items(), key=lambda item: (-item[1].attempts, item[0]))
    return [Question(f"{LEVEL_PREFIX}{key}", f"How would you rate your level in {label_of(key)}?", "skill_levels",
                     QuestionKind.CHOICE, RULES_BY_ID["skill_level"].reason, LEVELS)
            for key, tally in practised
            if tally.attempts >= LEVEL_AFTER_QUIZ_ANSWERS and key not in user.onboarding.skill_levels]


def _session_length(user: User) -> list[Question]:
    sessions = user.insights.session_lengths_ms
    if user.preferred_session_minutes is not None or len(sessions) < SESSION_LENGTH_AFTER_SESSIONS:
        return []
    typical = max(1, round(median(sessions) / 60_000))
    text = f"Your sessions last about {typical} minutes. How long would you like a study session to be?"
    return [Question("session_length", text, "preferred_session_minutes", QuestionKind.NUMBER,
                     RULES_BY_ID["session_length"].reason, ("10", "15", "20", "30", "45", "60"))]


RULES: tuple[Rule, ...] = (
    Rule("onboarding", "the learner has not onboarded yet", _onboarding, waits_for_first_day=False),
    Rule("career_goal", f"≥ {CAREER_GOAL_AFTER_COMPLETIONS} completed courses and no job title or career goal",
         _career_goal),
    Rule("weekly_time", f"a streak of ≥ {WEEKLY_TIME_AFTER_STREAK_DAYS} days and no weekly time goal", _weekly_time),
    Rule("skill_level", f"≥ {LEVEL_AFTER_QUIZ_ANSWERS} quiz answers in a skill and no self-assessed level for it",
         _skill_level),
    Rule("session_length", f"≥ {SESSION_LENGTH_AFTER_SESSIONS} sessions and no preferred session length",
         _session_length),
)
RULES_BY_ID = {rule.id: rule for rule in RULES}


def next_profile_question(user: User, now: datetime) -> Question | None:
    """The question to ask now, or None: the first rule that fires with a question not handled lately."""
    first_day = now - _started(user) < FIRST_DAY
    for rule in RULES:
        if rule.waits_for_first_day and first_day:
            continue
        for question in rule.questions(user):
            if not recently_handled(user, question.id, now):
                return question
    return None


def recently_handled(user: User, question_id: str, now: datetime) -> bool:
    """Whether the learner answered or skipped the question within COOLDOWN."""
    onboarding = user.onboarding
    times = [onboarding.answered_at.get(question_id), onboarding.skipped_at.get(question_id)]
    return any(at is not None and now - as_utc(at) < COOLDOWN for at in times)


def _started(user: User) -> datetime:
    return as_utc(user.onboarding.completed_at or user.created_at)


def rule_of(question_id: str) -> Rule | None:
    """The rule a question id belongs to (`level:<skill key>` ids to `skill_level`)."""
    if question_id.startswith(LEVEL_PREFIX):
        key = question_id.removeprefix(LEVEL_PREFIX)
        return RULES_BY_ID["skill_level"] if key and key == field_key(label_of(key)) else None
    return RULES_BY_ID.get(question_id) if question_id != "skill_level" else None


MAX_CAREER_GOAL_CHARS = 200
MAX_SESSION_MINUTES = 1_440


async def answer_profile_question(user_id: str, question_id: str, answer: str, now: datetime | None = None) -> User:
    """Store the answer in the field the question fills (provenance: the learner) and remember it was answered."""
    rule = _known(question_id)
    if rule.id == "onboarding":
        raise _bad("the onboarding question is answered with submitOnboarding", "questionId")
    at = now or utcnow()
    user = await load_profile(user_id)
    changes, stated = await _answer_changes(rule.id, question_id, answer.strip(), user)
    changes |= provenance_changes(stated, LEARNER, at)
    onboarding = Onboarding.model_validate(changes.get("onboarding", user.onboarding.model_dump()))
    changes["onboarding"] = _handled(onboarding, question_id, at, "answered")
    return await update_profile(user_id, changes)


async def skip_profile_question(user_id: str, question_id: str, now: datetime | None = None) -> User:
    """Remember that the learner skipped the question: it is not asked again within COOLDOWN."""
    _known(question_id)
    user = await load_profile(user_id)
    return await update_profile(user_id, {"onboarding": _handled(user.onboarding, question_id, now or utcnow(),
                                                                  "skipped")})


def _known(question_id: str) -> Rule:
    rule = rule_of(question_id)
    if rule is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no profile question {question_id!r}",
                           [Problem(ErrorCode.NOT_FOUND, f"no profile question {question_id!r}", "questionId")])
    return rule


def _handled(onboarding: Onboarding, question_id: str, at: datetime, how: str) -> dict[str, Any]:
    """The onboarding part (a whole object: see update_profile) noting that the question was answered or skipped."""
    listed: list[str] = getattr(onboarding, f"{how}_questions")
    times: dict[str, datetime] = getattr(onboarding, f"{how}_at")
    update = {f"{how}_questions": listed if question_id in listed else [*listed, question_id],
              f"{how}_at": {**times, question_id: at}}
    return onboarding.model_copy(update=update).model_dump()


async def _answer_changes(rule_id: str, question_id: str, answer: str, user: User) -> tuple[dict[str, Any], list[str]]:
    """The `$set` changes the answer makes, and the provenance keys of what the learner stated."""
    if rule_id == "career_goal":
        return await _career_goal_changes(answer, user)
    if rule_id == "weekly_time":
        return {"weekly_minutes_target": _whole_number(answer, 0, MAX_WEEKLY_MINUTES)}, ["weekly_minutes_target"]
    if rule_id == "session_length":
        minutes = _whole_number(answer, 1, MAX_SESSION_MINUTES)
        return {"preferred_session_minutes": minutes}, ["preferred_session_minutes"]
    if answer.casefold() not in LEVELS:
        raise _bad(f"must be one of {', '.join(LEVELS)}", "answer")
    key = question_id.removeprefix(LEVEL_PREFIX)
    levels = {**user.onboarding.skill_levels, key: answer.casefold()}
    return {"onboarding": user.onboarding.model_copy(update={"skill_levels": levels}).model_dump()}, [
        f"skill_levels:{key}"]


async def _career_goal_changes(answer: str, user: User) -> tuple[dict[str, Any], list[str]]:
    """The goal in the learner's words, and the catalog skills it names added to their goals."""
    if not answer or len(answer) > MAX_CAREER_GOAL_CHARS:
        raise _bad(f"must be 1 to {MAX_CAREER_GOAL_CHARS} characters", "answer")
    taxonomy = await catalog_taxonomy()
    matched = await match_free_text(answer, taxonomy.labels)
    changes: dict[str, Any] = {"onboarding": user.onboarding.model_copy(update={"career_goal": answer}).model_dump()}
    if matched:
        changes["goals"] = unique_labels(user.goals + matched)[:MAX_GOALS]
    return changes, ["career_goal", *(["goals"] if matched else [])]


def _whole_number(answer: str, low: int, high: int) -> int:
    try:
        value = int(answer)
    except ValueError:
        raise _bad("must be a whole number", "answer") from None
    if not low <= value <= high:
        raise _bad(f"must be between {low} and {high}", "answer")
    return value


def _bad(message: str, field_name: str) -> UseCaseError:
    return UseCaseError(ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, field_name)])
