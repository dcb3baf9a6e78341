"""`pathwise evaluate`: offline evaluation of the recommenders on a dataset (ml-100k, ibm, a CSV file), or with
`--knowledge`, of the knowledge tracing models on a dataset folder."""

import json
import math
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.common import err, out, settings_for
from recommenders.base import Recommender
from recommenders.builtins import BUILTINS
from recommenders.evaluation import runner
from recommenders.evaluation.datasets import load_dataset
from recommenders.evaluation.protocols import PROTOCOLS, RANDOM_80_20, Split, split
from recommenders.knowledge.evaluation import Evaluation, default_models, evaluate

STEPS_PER_MODEL = 2  # fit, then score


def evaluate_command(
    dataset: Annotated[str, typer.Option("--dataset", help="Recommenders: ml-100k, ibm, or a CSV file with a "
                                                           "user,item[,rating][,timestamp] header. --knowledge: a "
                                                           "folder with *train*.csv and *test*.csv files "
                                                           "(3 lines per learner: count, skill ids, correctness).")],
    knowledge: Annotated[bool, typer.Option("--knowledge", help="Evaluate the knowledge tracing models.")] = False,
    json_out: Annotated[Path | None, typer.Option("--json", help="Also write the results as JSON here.")] = None,
    protocol: Annotated[str, typer.Option("--protocol", help=f"Split: {', '.join(PROTOCOLS)}.")] = RANDOM_80_20,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="Recommendations scored per learner.")] = 10,
    recommender: Annotated[list[str] | None, typer.Option("--recommender", help="Repeatable [default: all].")] = None,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw the results as a PNG chart here.")] = None,
    data_dir: Annotated[Path | None, typer.Option("--data-dir", help="Holds datasets/ [default: ./.pathwise].")] = None,
) -> None:
    """Score recommenders' top k on a dataset split, or (--knowledge) knowledge tracing models."""
    if not knowledge:
        report = _recommenders_report(dataset, protocol, k, recommender or list(BUILTINS), data_dir)
        _write_report(report, json_out, chart)
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


def _recommenders_report(dataset: str, protocol: str, k: int, names: list[str], data_dir: Path | None) -> runner.Report:
    unknown = [name for name in names if name not in BUILTINS]
    if Path(dataset).is_dir():
        _fail(f"{dataset} is a folder: evaluate knowledge tracing on it with --knowledge, or pass a CSV file")
    if unknown:
        _fail(f"unknown recommender {', '.join(unknown)}: one of {', '.join(BUILTINS)}")
    try:
        data = load_dataset(dataset, data_dir or settings_for(None).data_dir)
        parts = split(data, protocol)
    except ValueError as error:
        _fail(str(error))
    report = _run_recommenders([BUILTINS[name]() for name in names], parts, k, dataset, protocol)
    out.print(_recommenders_table(report))
    return report


def _fail(message: str) -> NoReturn:
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(2)


def _run_recommenders(recommenders: list[Recommender], parts: Split, k: int, dataset: str,
                      protocol: str) -> runner.Report:
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("fitting", total=runner.steps(recommenders, parts))

        def step(description: str) -> None:
            progress.update(task, description=description, advance=1)

        return runner.evaluate(recommenders, parts, k, dataset, protocol, step)


def _recommenders_table(report: runner.Report) -> Table:
    title = (f"{report.dataset}, {report.protocol}: {report.train_interactions} train interactions, "
             f"{report.test_users} test learners, {report.catalog_size} items")
    table = Table(title=title)
    k = report.k
    for name in ("recommender", f"NDCG@{k}", f"P@{k}", f"R@{k}", f"hit rate@{k}", "coverage", "fit s"):
        table.add_column(name, justify="left" if name == "recommender" else "right")
    for scores in report.results:
        table.add_row(scores.recommender, f"{scores.ndcg:.4f}", f"{scores.precision:.4f}", f"{scores.recall:.4f}",
                      f"{scores.hit_rate:.4f}", f"{scores.coverage:.4f}", f"{scores.fit_seconds:.1f}")
    return table


def _write_report(report: runner.Report, json_out: Path | None, chart: Path | None) -> None:
    if json_out is not None:
        json_out.write_text(json.dumps(report.to_dict(), indent=2), encoding="utf-8")
        err.print(f"results written to {json_out}")
    if chart is not None:
        _draw_chart(report, chart)
        err.print(f"chart written to {chart}")


def _draw_chart(report: runner.Report, path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        _fail("--chart needs matplotlib: pip install 'pathwise[ml]'")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    metrics = ("ndcg", "precision", "recall", "hit_rate", "coverage")
    figure, axes = pyplot.subplots(figsize=(8, 4))
    width = 0.8 / max(len(report.results), 1)
    for index, scores in enumerate(report.results):
        values = [getattr(scores, metric) for metric in metrics]
        axes.bar([m + index * width for m in range(len(metrics))], values, width, label=scores.recommender)
    axes.set_xticks([m + width * (len(report.results) - 1) / 2 for m in range(len(metrics))], metrics)
    axes.set_title(f"{report.dataset}, {report.protocol}, k={report.k}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, format="png")
    pyplot.close(figure)
