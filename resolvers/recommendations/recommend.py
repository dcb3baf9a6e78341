"""Use cases: course recommendations for a learner, and courses similar to a course.

A repeated question is answered from the service's cache while nothing it depends on has changed
(`resolvers.recommendations.cache`). Otherwise the answer is made from the learner's serving state (their history,
interests, goals, exclusions and knowledge, read once and kept while nothing of theirs changes: `keeping`,
`states`): the strategy's recommender gives more candidates than needed (once per state and question), then
the candidates are fitted to the context (a phone with little time favours short courses), optionally
diversified (MMR), and cut to `first`.
Enrolled, completed, dismissed and not-interested courses, and courses of not-interested topics, are never
returned, whatever the recommender does.
An `auto` question of a learner in a running experiment (`resolvers.experiments.assignment`) is answered as
their variant asks (its strategy, diversity and `first`), and the list names the experiment and the variant; the
variant is part of the cache key, so a list made for a variant is never served once it no longer applies. In an
interleaving experiment both variants' lists are made and merged by team draft (`recommenders.interleaving`); the
list's variant is `interleaved` and each item names the variant that placed it.
Every answer is counted in the service's serving tallies (strategy, experiment arm, fallback, latency, courses).
"""

import asyncio
import hashlib
import time
from collections.abc import Awaitable, Callable, Hashable
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum

from app.core import metrics
from app.core.documents import Course, Purpose, User
from app.core.http.request_ids import new_id
from recommenders import readiness, reranking
from recommenders.base import Learner, Reason, Recommendation, RecommendationRequest
from recommenders.interleaving import team_draft
from recommenders.postprocessing import by_rank, padded, similarity
from resolvers.courses.snapshot import CourseFilters
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.experiments.assignment import (
    INTERLEAVED,
    RUNNING_EXPERIMENTS,
    Assignment,
    RunningExperiments,
    assignment_for,
)
from resolvers.recommendations.cache import Kept
from resolvers.recommendations.keeping import candidates, candidates_wanted, serving_state
from resolvers.recommendations.learners import excluded_courses
from resolvers.recommendations.preparation import LearnerRecords, Prepared, prepare
from resolvers.recommendations.service import AUTO, FALLBACK, RecommendationService
from resolvers.recommendations.tallies import Served


@dataclass(frozen=True)
class RequestContext:
    device: str | None = None
    available_minutes: int | None = None


@dataclass(frozen=True)
class RecommendedCourse:
    course: Course
    score: float
    source: str
    reasons: tuple[Reason, ...]
    variant: str | None = None  # in an interleaved list: the variant (ranker) that placed it


class Basis(StrEnum):
    """What a list was made from: the learner's own data, or why not."""

    PERSONALIZED = "PERSONALIZED"
    NOT_CONSENTED = "NOT_CONSENTED"  # the learner has not granted the `personalization` purpose
    SWITCHED_OFF = "SWITCHED_OFF"  # the learner turned personalization off
    NOTHING_KNOWN_YET = "NOTHING_KNOWN_YET"  # no goals, interests or history to go on: what is popular
    FALLBACK = "FALLBACK"  # the asked recommender failed, was late, is not trained or had nothing


@dataclass(frozen=True)
class RecommendationList:
    items: list[RecommendedCourse]
    request_id: str
    strategy: str
    fallback: bool
    basis: Basis = Basis.PERSONALIZED
    provisional: bool = False  # made before the learner's new profile was embedded: never cached
    experiment: str | None = None  # the experiment the learner's variant of which answered, if any
    variant: str | None = None
    teams: tuple[tuple[str, str], ...] = ()  # interleaved: each variant's name and the strategy that answered for it
    kept: Kept["RecommendationList"] | None = field(default=None, compare=False, repr=False)  # its cache entry


@dataclass(frozen=True)
class Ask:
    """What the caller asked for."""

    strategy: str = "auto"
    first: int = 10
    filters: CourseFilters = field(default_factory=CourseFilters)
    context: RequestContext = field(default_factory=RequestContext)
    diversity: float = 0.0


async def cached_recommendations(service: RecommendationService, user_id: str, ask: Ask,
                                 records: Callable[[], Awaitable[LearnerRecords]], now: datetime,
                                 half_life_days: float, defaults: set[Purpose],
                                 running: RunningExperiments = RUNNING_EXPERIMENTS) -> RecommendationList:
    """`recommend_courses` for the learner, answered from the service's cache (with a new request id) while
    nothing it was computed from has changed; `records` reads the learner's documents on a miss (and first, to
    see whether an experiment applies, while one runs). The list's `kept` names the cache entry holding it (for
    `keep_rendering`), if one does."""
    started = time.perf_counter()
    found, cached = await _answered(service, user_id, ask, records, now, half_life_days, defaults, running)
    _count_served(service, found, cached, started, now)
    return found


async def replayed(service: RecommendationService, user_id: str, ask: Ask, key: Hashable,
                   records: Callable[[], Awaitable[LearnerRecords]], now: datetime, half_life_days: float,
                   defaults: set[Purpose], running: RunningExperiments = RUNNING_EXPERIMENTS
                   ) -> tuple[RecommendationList, object] | None:
    """The learner's cached answer to `ask` (as `cached_recommendations` would give it: the same question, with a
    new request id, counted as served) with its rendering kept under `key` (`keep_rendering`); None when the cache
    holds no such rendering of a fresh answer, or the question is refused (then `cached_recommendations` says
    why)."""
    started = time.perf_counter()
    try:
        question, _ = await _question(service, user_id, ask, records, now, half_life_days, defaults, running)
    except UseCaseError:
        return None
    found = service.cache.rendering(user_id, question, key)
    if found is None:
        return None
    answer = replace(found[0], request_id=new_id())
    _count_served(service, answer, True, started, now)
    return answer, found[1]


def keep_rendering(service: RecommendationService, user_id: str, found: RecommendationList, key: Hashable,
                   rendering: object) -> None:
    """Keep `rendering` (what the caller made of `found`, under its own `key`) with the cache entry holding
    `found`, while it does: `replayed` gives it back until the entry goes."""
    if found.kept is not None:
        service.cache.render(user_id, found.kept, key, rendering)


def _count_served(service: RecommendationService, found: RecommendationList, cached: bool, started: float,
                  now: datetime) -> None:
    service.tallies.record(_served(found, cached, time.perf_counter() - started), now)
    metrics.recommendation_served(found.strategy, found.basis, found.fallback)


Question = tuple[str, "Ask", tuple[str, str] | None]


async def _question(service: RecommendationService, user_id: str, ask: Ask,
                    records: Callable[[], Awaitable[LearnerRecords]], now: datetime, half_life_days: float,
                    defaults: set[Purpose], running: RunningExperiments
                    ) -> tuple[Question, tuple[Prepared | None, Assignment | None]]:
    """The question as the cache keys it (the learner's variant's, while an experiment applies to them), and
    the serving state and assignment read to find it out (None, None when no experiment runs)."""
    _checked(service, ask)
    state, assignment = None, None
    if ask.strategy == AUTO and (experiments := await running.current()):
        state = await serving_state(service, user_id, records, now, half_life_days, defaults)
        assignment = _servable(service, assignment_for(experiments, state.user, defaults, now, half_life_days))
    asked = _as_variant(service, ask, assignment)
    return (_checked(service, asked), asked, _named(assignment)), (state, assignment)


async def _answered(service: RecommendationService, user_id: str, ask: Ask,
                    records: Callable[[], Awaitable[LearnerRecords]], now: datetime, half_life_days: float,
                    defaults: set[Purpose], running: RunningExperiments) -> tuple[RecommendationList, bool]:
    """The answer, and whether it came from the cache."""
    read_at = service.cache.clock()  # before the learner's data is read
    question, (state, assignment) = await _question(service, user_id, ask, records, now, half_life_days, defaults,
                                                    running)
    asked = question[1]
    cached = service.cache.kept(user_id, question)
    if cached is not None:
        return replace(cached.value, request_id=new_id(), kept=cached), True
    if state is None:
        read_at = service.cache.clock()
        state = await serving_state(service, user_id, records, now, half_life_days, defaults)
    if assignment is not None and assignment.rival is not None:
        found = await _interleaved(service, state, ask, assignment, now)
    else:
        found = await recommend_prepared(service, state, asked, now)
    if assignment is not None:
        found = replace(found, experiment=assignment.experiment_id, variant=assignment.label)
    if not found.fallback and not found.provisional:
        kept = service.cache.put(user_id, question, found, read_at)
        found = found if kept is None else replace(found, kept=kept)
    return found, False


async def _interleaved(service: RecommendationService, state: Prepared, ask: Ask, assignment: Assignment,
                       now: datetime) -> RecommendationList:
    """Both rankers' lists for the learner merged by team draft (fresh coins for each list computed; a cached list
    keeps its draft until the learner's data changes), `ask.first` long;
    each item names the variant that placed it. A variant's diversity applies to its list, its `first` does not."""
    assert assignment.rival is not None
    teams = (assignment.variant, assignment.rival)
    asks = [replace(_as_variant(service, ask, Assignment(assignment.experiment_id, variant)), first=ask.first)
            for variant in teams]  # both rankers fill the whole list: a variant's `first` does not apply here
    lists = await asyncio.gather(*(recommend_prepared(service, state, asked, now) for asked in asks))
    request_id = new_id()
    drafted = team_draft([item.course.id for item in lists[0].items], [item.course.id for item in lists[1].items],
                         ask.first, int(hashlib.sha256(request_id.encode()).hexdigest()[:12], 16))
    by_team = [{item.course.id: item for item in found.items} for found in lists]
    items = [replace(by_team[pick.team][pick.item_id], variant=teams[pick.team].name) for pick in drafted]
    return RecommendationList(items, request_id, INTERLEAVED, lists[0].fallback or lists[1].fallback,
                              lists[0].basis, lists[0].provisional or lists[1].provisional,
                              teams=((teams[0].name, lists[0].strategy), (teams[1].name, lists[1].strategy)))


def _served(found: RecommendationList, cached: bool, seconds: float) -> Served:
    """The answer as the serving tallies count it: each course under the strategy that placed it."""
    strategies = dict(found.teams)
    courses = tuple((strategies.get(item.variant or "", found.strategy), item.course.id) for item in found.items)
    return Served(found.strategy, found.experiment, found.variant, found.fallback, cached, seconds * 1000, courses)


def _servable(service: RecommendationService, assignment: Assignment | None) -> Assignment | None:
    """The assignment, unless a strategy of its variants is no longer served here (then the normal answer)."""
    variants = () if assignment is None else (assignment.variant, assignment.rival)
    if assignment is None or any(service.resolve(v.strategy) is None for v in variants if v is not None):
        return None
    return assignment


def _as_variant(service: RecommendationService, ask: Ask, assignment: Assignment | None) -> Ask:
    """The ask as the learner's variant has it: its strategy, and its diversity and `first` where it sets them
    (`first` within this server's maximum)."""
    if assignment is None:
        return ask
    variant = assignment.variant
    first = ask.first if variant.first is None else min(variant.first, service.settings.max_recommendations)
    diversity = ask.diversity if variant.diversity is None else variant.diversity
    return replace(ask, strategy=variant.strategy, first=first, diversity=diversity)


def _named(assignment: Assignment | None) -> tuple[str, str] | None:
    return None if assignment is None else (assignment.experiment_id, assignment.label)


async def recommend_courses(service: RecommendationService, records: LearnerRecords, ask: Ask, now: datetime,
                            half_life_days: float, defaults: set[Purpose]) -> RecommendationList:
    """Up to `ask.first` courses for the learner; a bad strategy or argument is a BAD_USER_INPUT."""
    _checked(service, ask)
    return await recommend_prepared(service, await prepare(service, records, now, half_life_days, defaults), ask, now)


async def recommend_prepared(service: RecommendationService, state: Prepared, ask: Ask,
                             now: datetime) -> RecommendationList:
    """`recommend_courses` for a learner already prepared (their serving state): the recommender's candidates
    (asked once per state and question), then the declared labels, readiness, context and diversity, cut to
    `ask.first`."""
    name = _checked(service, ask)
    k = candidates_wanted(state, ask.first, bool(ask.context.available_minutes or ask.diversity))
    outcome = await candidates(service, state, name, ask.filters, k, now)
    request = RecommendationRequest(state.learner, k, state.exclude, service.catalog.allowed(ask.filters), now)
    found = reranking.favour_items(padded(outcome.recommendations, request, service.catalog_popular),
                                   state.declared_courses)
    knowledge = state.knowledge_at(now)
    if knowledge is not None:
        found = readiness.adjust(found, knowledge)
    ranked = _reranked(service, found, ask, request)
    items = _courses(service, ranked, outcome.strategy)
    only_popular = bool(items) and all(item.source == FALLBACK for item in items)
    strategy = FALLBACK if only_popular else outcome.strategy  # an answer all from `popular` says so
    return RecommendationList(items, new_id(), strategy, outcome.fallback,
                              _basis(state.user, state.learner, outcome.fallback), outcome.provisional)


def _basis(user: User | None, learner: Learner, fallback: bool) -> Basis:
    """What the list was made from: the learner's data, or why not."""
    if user is not None and not learner.personalization_enabled:
        return Basis.SWITCHED_OFF if not user.personalization_enabled else Basis.NOT_CONSENTED
    if fallback:
        return Basis.FALLBACK
    if not (learner.history or learner.interests or learner.goals or learner.profile_text):
        return Basis.NOTHING_KNOWN_YET
    return Basis.PERSONALIZED


def similar_courses(service: RecommendationService, course_id: str, first: int,
                    records: LearnerRecords | None) -> list[RecommendedCourse]:
    """Courses like `course_id` (NOT_FOUND when it is not in the catalog), minus the caller's exclusions."""
    if course_id not in service.catalog.courses:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no course {course_id!r}")
    exclude = set(service.catalog.courses) - set(service.catalog.allowed(CourseFilters()))
    if records is not None:
        exclude |= excluded_courses(records.user, records.enrollments)
    found = service.similar(course_id, first, frozenset(exclude))
    return _courses(service, found, "content" if service.model("content") else "catalog")


def _checked(service: RecommendationService, ask: Ask) -> str:
    name = service.resolve(ask.strategy)
    if name is None:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"unknown strategy {ask.strategy!r}; available: "
                           + ", ".join(service.strategies()))
    if not 1 <= ask.first <= service.settings.max_recommendations:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT,
                           f"first must be between 1 and {service.settings.max_recommendations}")
    if not 0.0 <= ask.diversity <= 1.0:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "diversity must be between 0 and 1")
    minutes = ask.context.available_minutes
    if minutes is not None and minutes <= 0:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "availableMinutes must be positive")
    return name


def _reranked(service: RecommendationService, found: list[Recommendation], ask: Ask,
              request: RecommendationRequest) -> list[Recommendation]:
    kept = [rec for rec in found if rec.item_id not in request.exclude and rec.item_id in service.catalog.courses]
    if ask.context.available_minutes or ask.context.device:
        kept = reranking.fit_to_context(by_rank(kept), service.catalog.items, ask.context.available_minutes,
                                        ask.context.device)
    if ask.diversity > 0 and len(kept) > ask.first:
        kept = reranking.mmr(kept, similarity(service.model("content"), service.catalog.items), ask.first,
                             ask.diversity)
    return kept[:ask.first]


def _courses(service: RecommendationService, found: list[Recommendation], source: str) -> list[RecommendedCourse]:
    courses = service.catalog.courses
    return [RecommendedCourse(courses[rec.item_id], rec.score, getattr(rec, "source", None) or source, rec.reasons)
            for rec in found if rec.item_id in courses]
