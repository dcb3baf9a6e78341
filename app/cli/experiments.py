"""`pathwise experiments create|start|pause|stop|list`: A/B and interleaving experiments from the command line,
through the same use cases as the GraphQL mutations. A refused change is a message and exit code 2, never a stack trace.
Servers see a change made here within 5 seconds (their copy of the running experiments is refreshed that often)."""

import json
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.table import Table

from app.cli.common import DataDir, command_group, err, out, run_with_database, settings_for
from app.cli.experiment_reports import report
from app.core.documents import Experiment, ExperimentKind, ExperimentMetric, ExperimentStatus, Population, Variant
from app.core.settings import Settings
from resolvers.errors import UseCaseError, validation_problems
from resolvers.experiments import definitions
from resolvers.pages import MAX_PAGE_SIZE

T = TypeVar("T")
ExperimentId = Annotated[str, typer.Argument(help="The experiment's id (its slug).")]
EXAMPLE = ('{"id": "hybrid-vs-popular", "name": "Hybrid against popular", "hypothesis": "...", "kind": "A_B", '
           '"variants": '
           '[{"name": "control", "strategy": "popular", "share": 0.5}, {"name": "hybrid", "strategy": "hybrid", '
           '"share": 0.5, "diversity": 0.3}], "population": {"new_learners": null, "segment": {"language": "en"}}, '
           '"primary_metric": "CLICK_THROUGH", "guardrails": ["ENROLMENT"]}')


def create(
    definition: Annotated[Path, typer.Argument(help=f"A JSON file describing the experiment, e.g. {EXAMPLE}",
                                               exists=True, dir_okay=False, readable=True)],
    data_dir: DataDir = None,
) -> None:
    """Create an experiment (a DRAFT) from a JSON file; every problem is listed with its field."""
    settings = settings_for(data_dir)
    draft = draft_from_file(definition)
    created = _run(settings, "create", lambda: definitions.create_experiment(
        draft, definitions.configured_strategies(settings)))
    out.print(f"experiment {escape(created.id)} created ({created.status.value}); start it with "
              f"`pathwise experiments start {escape(created.id)}`")


def start(experiment_id: ExperimentId, data_dir: DataDir = None) -> None:
    """Start a DRAFT or PAUSED experiment: `auto` recommendations of eligible learners get their variant."""
    settings = settings_for(data_dir)
    changed = _run(settings, "start", lambda: definitions.start_experiment(
        experiment_id, definitions.configured_strategies(settings)))
    _said(changed)


def pause(experiment_id: ExperimentId, data_dir: DataDir = None) -> None:
    """Pause a RUNNING experiment: learners get the normal answer until it starts again."""
    _said(_run(settings_for(data_dir), "pause", lambda: definitions.pause_experiment(experiment_id)))


def stop(experiment_id: ExperimentId, data_dir: DataDir = None) -> None:
    """Stop a RUNNING or PAUSED experiment for good."""
    _said(_run(settings_for(data_dir), "stop", lambda: definitions.stop_experiment(experiment_id)))


def list_experiments(
    status: Annotated[ExperimentStatus | None, typer.Option("--status", help="Only experiments in this status.")]
    = None,
    json_out: Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")] = False,
    data_dir: DataDir = None,
) -> None:
    """List experiments in id order."""
    found = _run(settings_for(data_dir), "list", lambda: _all_experiments(status))
    if json_out:
        rows = [experiment.model_dump(mode="json", by_alias=True) for experiment in found]
        out.print(json.dumps(rows, indent=2), markup=False, highlight=False, soft_wrap=True)
        return
    table = Table("id", "name", "kind", "status", "variants (name strategy share)", "primary metric", "started")
    for experiment in found:
        variants = ", ".join(f"{v.name} {v.strategy} {v.share:g}" for v in experiment.variants)
        started = experiment.started_at.isoformat(timespec="seconds") if experiment.started_at else "-"
        table.add_row(escape(experiment.id), escape(experiment.name), experiment.kind.value, experiment.status.value,
                      escape(variants),
                      experiment.primary_metric.value, started)
    out.print(table)


# The group's commands, in help order.
EXPERIMENT_COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("create", create),
    ("start", start),
    ("pause", pause),
    ("stop", stop),
    ("list", list_experiments),
    ("report", report),
)


def experiments_cli() -> typer.Typer:
    """The `pathwise experiments` group."""
    return command_group("A/B and interleaving experiments over recommendation strategies.", EXPERIMENT_COMMANDS)


def draft_from_file(path: Path) -> definitions.ExperimentDraft:
    """The experiment a JSON file describes; a file that is not one ends with a message and exit code 2."""
    try:
        given = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(given, dict):
            raise ValueError("the file must hold one JSON object")
        return _draft(given)
    except ValidationError as error:
        problems = validation_problems(error)
        _fail("the experiment file is not valid", [f"{p.field or '-'}: {p.message}" for p in problems])
    except (ValueError, KeyError, TypeError, UnicodeDecodeError) as error:
        _fail(f"the experiment file is not valid: {error}", [])


def _draft(given: dict[str, Any]) -> definitions.ExperimentDraft:
    unknown = set(given) - {"id", "name", "hypothesis", "kind", "variants", "population", "primary_metric",
                            "guardrails"}
    if unknown:
        raise ValueError(f"unknown keys {sorted(unknown)}")
    return definitions.ExperimentDraft(
        id=str(given["id"]), name=str(given["name"]), hypothesis=str(given.get("hypothesis") or ""),
        kind=ExperimentKind(given.get("kind", ExperimentKind.A_B.value)),
        variants=[Variant.model_validate(variant) for variant in given["variants"]],
        population=Population.model_validate(given.get("population") or {}),
        primary_metric=ExperimentMetric(given.get("primary_metric", ExperimentMetric.CLICK_THROUGH.value)),
        guardrails=[ExperimentMetric(metric) for metric in given.get("guardrails") or []])


async def _all_experiments(status: ExperimentStatus | None) -> list[Experiment]:
    found: list[Experiment] = []
    after = None
    while True:
        page = await definitions.experiment_page(status, MAX_PAGE_SIZE, after)
        found += page.items
        if not page.has_next_page:
            return found
        after = page.cursors[-1]


def _run(settings: Settings, verb: str, work: Callable[[], Awaitable[T]]) -> T:
    try:
        return run_with_database(settings, f"pathwise experiments {verb}", work)
    except UseCaseError as error:
        details = [f"{p.field}: {p.message}" if p.field else p.message for p in error.problems]
        _fail(f"{error.code.value}: {error.message}", details if len(details) > 1 else [])


def _said(experiment: Experiment) -> None:
    out.print(f"experiment {escape(experiment.id)} is {experiment.status.value}")


def _fail(message: str, details: list[str]) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}")
    for detail in details:
        err.print(f"  - {escape(detail)}")
    raise typer.Exit(2)
