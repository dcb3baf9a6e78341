"""`pathwise evaluate`: offline evaluation of the recommenders on a dataset (ml-100k, ibm, a CSV file, or the
store's own interactions), or with `--knowledge`, of the knowledge tracing models on a dataset folder."""

import json
import math
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.common import err, out, settings_for
from app.cli.evaluate_output import fail, recommenders_table, run_recommenders, write_report
from app.cli.evaluate_store import STORE, evaluate_store
from plugins.registry import PluginError, get_registry
from recommenders.builtins import BUILTINS
from recommenders.evaluation import runner
from recommenders.evaluation.datasets import load_dataset
from recommenders.evaluation.protocols import PROTOCOLS, RANDOM_80_20, TEMPORAL, split
from recommenders.knowledge.evaluation import Evaluation, default_models, evaluate

STEPS_PER_MODEL = 2  # fit, then score


def evaluate_command(
    dataset: Annotated[str, typer.Option("--dataset", help="Recommenders: store (the interactions in the "
                                                           "platform's database, read as `pathwise train` reads "
                                                           "them), ml-100k, ibm, or a CSV file with a "
                                                           "user,item[,rating][,timestamp] header. --knowledge: a "
                                                           "folder with *train*.csv and *test*.csv files "
                                                           "(3 lines per learner: count, skill ids, correctness).")],
    knowledge: Annotated[bool, typer.Option("--knowledge", help="Evaluate the knowledge tracing models.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the results as JSON here.")] = None,
    protocol: Annotated[str | None, typer.Option("--protocol", help=f"Split: {', '.join(PROTOCOLS)} (default: "
                                                 f"{TEMPORAL} for --dataset store, {RANDOM_80_20} otherwise).",
                                                 show_default=False)] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Recommendations scored per learner.")] = 10,
    recommender: Annotated[list[str] | None, typer.Option("--recommender", help="Repeatable, any installed "
                                                          "(plugins too). Default: with --dataset store every "
                                                          "enabled one (PATHWISE_RECOMMENDERS), else the built-ins.")
                           ] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the results as a PNG chart here.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Holds datasets/ and the embedded store "
                                                                     "(default: ./.pathwise).")] = None,
) -> None:
    """Score recommenders' top k on a dataset split, or (--knowledge) knowledge tracing models."""
    if not knowledge:
        report, extra = _recommenders_report(dataset, protocol, k, recommender or [], data_dir)
        out.print(recommenders_table(report))
        write_report(report, json_out, chart, extra)
        return
    try:
        evaluation = _run(Path(dataset))
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


def _recommenders_report(dataset: str, protocol: str | None, k: int, names: list[str],
                         data_dir: Path | None) -> tuple[runner.Report, dict[str, Any]]:
    """The report, and what to add to its JSON."""
    if protocol is not None and protocol not in PROTOCOLS:
        fail(f"unknown protocol {protocol!r}: one of {', '.join(PROTOCOLS)}")
    if dataset == STORE:
        return evaluate_store(settings_for(data_dir), names, protocol or TEMPORAL, k)
    if Path(dataset).is_dir():
        fail(f"{dataset} is a folder: evaluate knowledge tracing on it with --knowledge, or pass a CSV file")
    try:
        classes = get_registry().select(names or list(BUILTINS))
    except PluginError as error:
        fail(str(error))
    try:
        data = load_dataset(dataset, data_dir or settings_for(None).data_dir)
        parts = split(data, protocol or RANDOM_80_20)
    except ValueError as error:
        fail(str(error))
    return run_recommenders([cls() for cls in classes], parts, k, dataset, protocol or RANDOM_80_20), {}
