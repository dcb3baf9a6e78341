"""`pathwise evaluate --knowledge`: offline evaluation of the knowledge tracing models on a dataset folder."""

import json
import math
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli import cli, err, out
from recommenders.knowledge.evaluation import Evaluation, default_models, evaluate

STEPS_PER_MODEL = 2  # fit, then score


@cli.command("evaluate")
def evaluate_command(
    dataset: Annotated[Path, typer.Option("--dataset", help="Folder with *train*.csv and *test*.csv files "
                                                            "(3 lines per learner: count, skill ids, correctness).")],
    knowledge: Annotated[bool, typer.Option("--knowledge", help="Evaluate the knowledge tracing models.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the results as JSON here.")] = None,
) -> None:
    """Fit models on a dataset's train files and score next-response prediction on its test files."""
    if not knowledge:
        err.print("[red]error:[/red] say what to evaluate: --knowledge")
        raise typer.Exit(2)
    try:
        evaluation = _run(dataset)
    except ValueError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    out.print(_table(evaluation))
    if json_out is not None:
        json_out.write_text(json.dumps(evaluation.to_dict(), indent=2), encoding="utf-8")
        err.print(f"results written to {json_out}")


def _run(dataset: Path) -> Evaluation:
    models = default_models()
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("reading", total=len(models) * STEPS_PER_MODEL + 1)

        def step(description: str) -> None:
            progress.update(task, description=description, advance=1)

        evaluation = evaluate(dataset, models, step)
        progress.update(task, advance=1)
    return evaluation


def _table(evaluation: Evaluation) -> Table:
    title = (f"Knowledge tracing: {evaluation.train_responses} train, {evaluation.test_responses} test responses "
             f"({', '.join(evaluation.test_files)})")
    table = Table(title=title)
    for name in ("model", "AUC", "RMSE", "accuracy", "fit s", "predict s"):
        table.add_column(name, justify="left" if name == "model" else "right")
    for result in evaluation.results:
        scores = result.scores
        auc = "n/a" if math.isnan(scores.auc) else f"{scores.auc:.4f}"
        table.add_row(result.model + (" (chosen)" if result.chosen else ""), auc, f"{scores.rmse:.4f}",
                      f"{scores.accuracy:.4f}", f"{result.fit_seconds:.1f}", f"{result.predict_seconds:.1f}")
    return table
