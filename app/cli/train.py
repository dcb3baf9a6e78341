"""`pathwise train`: fit recommenders (or the knowledge model) offline and publish versioned artifacts."""

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from app.cli.common import DataDir, err, out, run_with_database, settings_for
from plugins.registry import PluginError
from resolvers.recommendations.training import Trained, train_recommenders


def train(
    recommender: Annotated[list[str] | None, typer.Option(
        "--recommender", "-r", help="Train only this one (repeatable) [default: every enabled recommender].")] = None,
    knowledge: Annotated[bool, typer.Option(
        "--knowledge", help="Train the knowledge-tracing model instead (from stored quiz answers).")] = False,
    dataset: Annotated[Path | None, typer.Option(
        "--dataset", help="With --knowledge: a folder of ASSISTments-format *train*.csv files instead.",
        exists=True, file_okay=False)] = None,
    data_dir: DataDir = None,
) -> None:
    """Fit recommenders on the store's data and publish artifacts a running server picks up."""
    settings = settings_for(data_dir)
    if knowledge:
        _train_knowledge(dataset, data_dir)
        return
    if dataset is not None:
        err.print("[red]error:[/red] --dataset goes with --knowledge")
        raise typer.Exit(2)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as bars:
        tasks: dict[str, TaskID] = {}

        def step(name: str, what: str) -> None:
            if name not in tasks:
                tasks[name] = bars.add_task(f"{name}: {what}", total=None)
            bars.update(tasks[name], description=f"{name}: {what}")
            if what == "published" or what.startswith("read "):
                bars.update(tasks[name], total=1, completed=1)

        try:
            results = run_with_database(settings, "pathwise train",
                                        lambda: train_recommenders(settings, recommender, step))
        except PluginError as error:
            err.print(f"[red]error:[/red] {error}")
            raise typer.Exit(2) from error
    _print_results(results)


def _print_results(results: list[Trained]) -> None:
    for result in results:
        if result.manifest is None:
            out.print(f"{result.name}: composed from its components when served (nothing to train)")
            continue
        counts = ", ".join(f"{value} {key}" for key, value in result.manifest.counts.items())
        out.print(f"{result.name}: artifact {result.manifest.version} ({counts}) in {result.seconds:.1f} s")


def _train_knowledge(dataset: Path | None, data_dir: Path | None) -> None:
    from resolvers.practice.knowledge_training import KnowledgeTrainingError, train_knowledge

    settings = settings_for(data_dir)
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=err) as bars:
        task = bars.add_task("knowledge: reading", total=None)

        def step(what: str) -> None:
            bars.update(task, description=f"knowledge: {what}")

        try:
            summary = run_with_database(settings, "pathwise train", lambda: train_knowledge(settings, dataset, step))
        except KnowledgeTrainingError as error:
            err.print(f"[red]error:[/red] {error}")
            raise typer.Exit(1) from error
    out.print(f"knowledge: {summary}")
