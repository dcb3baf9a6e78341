"""What `pathwise evaluate` prints and writes for recommenders: the progress bar, the table, JSON and the chart,
and its one-line errors."""

import json
from pathlib import Path
from typing import Any, NoReturn

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from app.cli.common import err
from recommenders.base import Recommender
from recommenders.evaluation import runner
from recommenders.evaluation.protocols import Split

METRICS = ("ndcg", "precision", "recall", "hit_rate", "coverage")


def fail(message: str) -> NoReturn:
    """One line on stderr, exit code 2."""
    err.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(2)


def run_recommenders(recommenders: list[Recommender], parts: Split, k: int, dataset: str,
                     protocol: str) -> runner.Report:
    """Fit and score each recommender with a progress bar on stderr."""
    columns = [TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=True) as progress:
        task = progress.add_task("fitting", total=runner.steps(recommenders, parts))

        def step(description: str) -> None:
            progress.update(task, description=description, advance=1)

        return runner.evaluate(recommenders, parts, k, dataset, protocol, step)


def recommenders_table(report: runner.Report) -> Table:
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


def write_report(report: runner.Report, json_out: Path | None, chart: Path | None,
                 extra: dict[str, Any] | None = None) -> None:
    """The report as JSON (with `extra` keys beside its own) and as a PNG bar chart, where asked."""
    if json_out is not None:
        json_out.write_text(json.dumps({**report.to_dict(), **(extra or {})}, indent=2), encoding="utf-8")
        err.print(f"results written to {json_out}")
    if chart is not None:
        _draw_chart(report, chart)
        err.print(f"chart written to {chart}")


def _draw_chart(report: runner.Report, path: Path) -> None:
    try:
        import matplotlib
    except ImportError:
        fail("--chart needs matplotlib: pip install 'pathwise[ml]'")
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4))
    width = 0.8 / max(len(report.results), 1)
    for index, scores in enumerate(report.results):
        values = [getattr(scores, metric) for metric in METRICS]
        axes.bar([m + index * width for m in range(len(METRICS))], values, width, label=scores.recommender)
    axes.set_xticks([m + width * (len(report.results) - 1) / 2 for m in range(len(METRICS))], METRICS)
    axes.set_title(f"{report.dataset}, {report.protocol}, k={report.k}")
    axes.legend()
    figure.tight_layout()
    figure.savefig(path, format="png")
    pyplot.close(figure)
