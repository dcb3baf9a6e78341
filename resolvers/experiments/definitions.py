"""Experiments' use cases: create one (checked whole), start, pause and stop it, read one, list them.

Life: DRAFT -> RUNNING <-> PAUSED, and RUNNING or PAUSED -> STOPPED, which is final. `started_at` is the first
start (a restart after a pause keeps it, so assignment and the report's days stay put); `stopped_at` the stop.
A variant's strategy must be one this server can serve, checked when the experiment is created and again when it
starts (the configured recommenders may have changed in between). Every change is seen at once by this process's
serving (`assignment.RunningExperiments.invalidate`), within `REFRESH_SECONDS` by other processes.
"""

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from pymongo.errors import DuplicateKeyError

from app.core.documents import Experiment, ExperimentKind, ExperimentMetric, ExperimentStatus, Population, Variant
from app.core.identifiers import id_problem
from app.core.settings import Settings
from app.core.timestamps import utcnow
from plugins.registry import Registry, configured_recommenders
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.experiments.assignment import RUNNING_EXPERIMENTS, RunningExperiments
from resolvers.pages import Page, check_page_size, decode_cursor, encode_cursor

MIN_VARIANTS, MAX_VARIANTS = 2, 5
MAX_NAME_CHARS = 200
MAX_HYPOTHESIS_CHARS = 2_000
MAX_FIRST = 100
SHARE_TOLERANCE = 1e-6
SEGMENT_NAMES = ("interest", "role", "level", "language")  # what `segments_of` tells of a learner
CURSOR_KIND = "experiments"

_STARTABLE = (ExperimentStatus.DRAFT, ExperimentStatus.PAUSED)
_STOPPABLE = (ExperimentStatus.RUNNING, ExperimentStatus.PAUSED)


@dataclass(frozen=True)
class ExperimentDraft:
    """What a partner asks for; `create_experiment` checks it whole and reports every problem at once."""

    id: str
    name: str
    variants: Sequence[Variant]
    hypothesis: str = ""
    population: Population = field(default_factory=Population)
    primary_metric: ExperimentMetric = ExperimentMetric.CLICK_THROUGH
    guardrails: Sequence[ExperimentMetric] = ()
    kind: ExperimentKind = ExperimentKind.A_B


def configured_strategies(settings: Settings, registry: Registry | None = None) -> list[str]:
    """The strategies a server with `settings` serves (`auto` and the configured recommenders), for callers without
    a running `RecommendationService` (the command line)."""
    return ["auto", *(cls.name for cls in configured_recommenders(settings, registry))]


async def create_experiment(draft: ExperimentDraft, strategies: Collection[str]) -> Experiment:
    """A new DRAFT experiment; BAD_USER_INPUT (every problem, by field) or CONFLICT when the id is taken.
    `strategies` are the names this server serves (`RecommendationService.strategies()`)."""
    problems = draft_problems(draft, strategies)
    if problems:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, problems[0].message, problems)
    if await Experiment.get(draft.id) is not None:
        raise UseCaseError(ErrorCode.CONFLICT, f"an experiment {draft.id!r} exists already", [
            Problem(ErrorCode.CONFLICT, f"an experiment {draft.id!r} exists already", "id")])
    experiment = Experiment(id=draft.id, name=draft.name.strip(), hypothesis=draft.hypothesis.strip(),
                            kind=draft.kind, variants=list(draft.variants), population=draft.population,
                            primary_metric=draft.primary_metric, guardrails=_unique(draft.guardrails))
    try:
        await experiment.insert()
    except DuplicateKeyError as error:  # created meanwhile
        raise UseCaseError(ErrorCode.CONFLICT, f"an experiment {draft.id!r} exists already") from error
    return experiment


def draft_problems(draft: ExperimentDraft, strategies: Collection[str]) -> list[Problem]:
    """Everything wrong with `draft`, each with the (camelCase) field at fault."""
    problems = []
    id_wrong = id_problem(draft.id)
    if id_wrong:
        problems.append(_bad(f"id {id_wrong}", "id"))
    if not draft.name.strip() or len(draft.name) > MAX_NAME_CHARS:
        problems.append(_bad(f"name must be 1 to {MAX_NAME_CHARS} characters", "name"))
    if len(draft.hypothesis) > MAX_HYPOTHESIS_CHARS:
        problems.append(_bad(f"hypothesis may be at most {MAX_HYPOTHESIS_CHARS} characters", "hypothesis"))
    problems += variant_problems(draft.variants, strategies, draft.kind)
    problems += _population_problems(draft.population)
    return problems


def variant_problems(variants: Sequence[Variant], strategies: Collection[str],
                     kind: ExperimentKind = ExperimentKind.A_B) -> list[Problem]:
    """What is wrong with the variants: their number, names, shares, strategies and overrides. An interleaving
    experiment has exactly two variants, and their shares are not used (every learner sees both): they need not sum
    to 1."""
    interleaving = kind == ExperimentKind.INTERLEAVING
    if interleaving and len(variants) != 2:
        return [_bad("an interleaving experiment has exactly 2 variants (ranker A, the control, and ranker B)",
                     "variants")]
    if not MIN_VARIANTS <= len(variants) <= MAX_VARIANTS:
        return [_bad(f"an experiment has {MIN_VARIANTS} to {MAX_VARIANTS} variants", "variants")]
    problems = []
    names = [variant.name for variant in variants]
    for index, variant in enumerate(variants):
        problems += [Problem(ErrorCode.BAD_USER_INPUT, message, f"variants.{name}", index)
                     for name, message in _one_variant_problems(variant, strategies)]
        if names.index(variant.name) != index:
            problems.append(Problem(ErrorCode.BAD_USER_INPUT, f"variant name {variant.name!r} is used twice",
                                    "variants.name", index))
    total = math.fsum(variant.share for variant in variants)
    if not problems and not interleaving and abs(total - 1.0) > SHARE_TOLERANCE:
        problems.append(_bad(f"the variants' shares must sum to 1 (they sum to {total:g})", "variants.share"))
    return problems


def _one_variant_problems(variant: Variant, strategies: Collection[str]) -> list[tuple[str, str]]:
    found = []
    name_wrong = id_problem(variant.name, MAX_NAME_CHARS)
    if name_wrong:
        found.append(("name", f"a variant's name {name_wrong}"))
    if variant.strategy not in strategies:
        found.append(("strategy", f"unknown strategy {variant.strategy!r}; this server serves: "
                      + ", ".join(strategies)))
    if not (math.isfinite(variant.share) and 0.0 < variant.share <= 1.0):
        found.append(("share", "a variant's share must be above 0 and at most 1"))
    if variant.diversity is not None and not 0.0 <= variant.diversity <= 1.0:
        found.append(("diversity", "diversity must be between 0 and 1"))
    if variant.first is not None and not 1 <= variant.first <= MAX_FIRST:
        found.append(("first", f"first must be between 1 and {MAX_FIRST}"))
    return found


def _population_problems(population: Population) -> list[Problem]:
    problems = []
    for name, value in (population.segment or {}).items():
        if name not in SEGMENT_NAMES:
            problems.append(_bad(f"unknown segment {name!r}; segments: {', '.join(SEGMENT_NAMES)}",
                                 "population.segment"))
        elif not value.strip() or len(value) > MAX_NAME_CHARS:
            problems.append(_bad(f"segment {name!r}: the value must be 1 to {MAX_NAME_CHARS} characters",
                                 "population.segment"))
    return problems


async def start_experiment(experiment_id: str, strategies: Collection[str],
                           running: RunningExperiments = RUNNING_EXPERIMENTS) -> Experiment:
    """DRAFT or PAUSED -> RUNNING (CONFLICT otherwise); the variants' strategies are checked again."""
    experiment = await get_experiment(experiment_id)
    _check_transition(experiment, _STARTABLE, "started")
    problems = variant_problems(experiment.variants, strategies, experiment.kind)
    if problems:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, problems[0].message, problems)
    experiment.status = ExperimentStatus.RUNNING
    experiment.started_at = experiment.started_at or utcnow()
    return await _saved(experiment, running)


async def pause_experiment(experiment_id: str, running: RunningExperiments = RUNNING_EXPERIMENTS) -> Experiment:
    """RUNNING -> PAUSED (CONFLICT otherwise): learners get the normal answer until it starts again."""
    experiment = await get_experiment(experiment_id)
    _check_transition(experiment, (ExperimentStatus.RUNNING,), "paused")
    experiment.status = ExperimentStatus.PAUSED
    return await _saved(experiment, running)


async def stop_experiment(experiment_id: str, running: RunningExperiments = RUNNING_EXPERIMENTS) -> Experiment:
    """RUNNING or PAUSED -> STOPPED, for good (CONFLICT otherwise)."""
    experiment = await get_experiment(experiment_id)
    _check_transition(experiment, _STOPPABLE, "stopped")
    experiment.status = ExperimentStatus.STOPPED
    experiment.stopped_at = utcnow()
    return await _saved(experiment, running)


async def get_experiment(experiment_id: str) -> Experiment:
    """The experiment; NOT_FOUND when there is none (or the id breaks the id rule)."""
    found = None if id_problem(experiment_id) else await Experiment.get(experiment_id)
    if found is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no experiment {experiment_id!r}")
    return found


async def experiment_page(status: ExperimentStatus | None, first: int, after: str | None) -> Page[Experiment]:
    """A page of experiments in id order, only those of `status` when given."""
    check_page_size(first)
    found: dict[str, object] = {} if status is None else {"status": status.value}
    total = await Experiment.find(found).count()
    if after is not None:
        found = {**found, "_id": {"$gt": str(decode_cursor(after, CURSOR_KIND))}}
    rows = await Experiment.find(found).sort("_id").limit(first + 1).to_list()
    items = rows[:first]
    return Page(items, [encode_cursor(CURSOR_KIND, item.id) for item in items], total, len(rows) > first,
                after is not None)


def _check_transition(experiment: Experiment, allowed: Sequence[ExperimentStatus], verb: str) -> None:
    if experiment.status not in allowed:
        message = (f"experiment {experiment.id!r} is {experiment.status.value} and cannot be {verb} (only one that "
                   f"is {' or '.join(status.value for status in allowed)} can)")
        raise UseCaseError(ErrorCode.CONFLICT, message, [Problem(ErrorCode.CONFLICT, message, "id")])


async def _saved(experiment: Experiment, running: RunningExperiments) -> Experiment:
    await experiment.save()  # the whole document: dates written alone with `$set` lose their zone on nx-27017
    running.invalidate()
    return experiment


def _bad(message: str, field_name: str) -> Problem:
    return Problem(ErrorCode.BAD_USER_INPUT, message, field_name)


def _unique(metrics: Sequence[ExperimentMetric]) -> list[ExperimentMetric]:
    return list(dict.fromkeys(metrics))
