"""`pathwise experiments report ID`: an experiment's report as a table, as JSON (`--json`), and as a chart of each
treatment's click-through lift with its 95% interval over days (`--chart OUT.png`)."""

import dataclasses
import json
import math
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.markup import escape
from rich.table import Table

from app.cli.common import DataDir, err, out, run_with_database, settings_for
from app.core.timestamps import utcnow
from resolvers.errors import UseCaseError
from resolvers.experiments.reports import DailyPoint, ExperimentReport, experiment_report
from resolvers.experiments.statistics import Comparison


def report(
    experiment_id: Annotated[str, typer.Argument(help="The experiment's id.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of a table.")] = False,
    chart: Annotated[Path | None, typer.Option("--chart", help="Also draw click-through lift with its 95% "
                                                               "interval per day as a PNG chart here.")] = None,
    data_dir: DataDir = None,
) -> None:
    """Show an experiment's results: per variant its learners, impressions, clicks and rates against the control."""
    settings = settings_for(data_dir)
    try:
        result = run_with_database(settings, "pathwise experiments report",
                                   lambda: experiment_report(experiment_id, utcnow(), settings))
    except UseCaseError as error:
        err.print(f"[red]error:[/red] {error.code.value}: {escape(error.message)}")  # as the group's other commands
        raise typer.Exit(2) from error
    if json_out:
        out.print(json.dumps(report_as_dict(result), indent=2), markup=False, highlight=False, soft_wrap=True)
    else:
        out.print(_table(result))
        _print_checks(result)
    if chart is not None:
        draw_chart(result, chart)
        err.print(f"chart written to {chart}")


def report_as_dict(result: ExperimentReport) -> dict[str, Any]:
    """The report as JSON-ready values: enums by value, dates ISO, an unknown (infinite) bound null."""
    plain: dict[str, Any] = _plain(dataclasses.asdict(result))
    return plain


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _table(result: ExperimentReport) -> Table:
    table = Table(title=f"{escape(result.name)} ({result.experiment_id}, {result.status.value})")
    table.add_column("variant")
    table.add_column("strategy")
    for name in ("share", "learners", "impressions", "clicks"):
        table.add_column(name, justify="right")
    for metric in result.metrics:
        table.add_column(metric.value.lower(), justify="right")
        table.add_column("lift [95%]", justify="right")
        table.add_column("p", justify="right")
    for variant in result.variants:
        cells = [escape(variant.name) + (" (control)" if variant.control else ""), escape(variant.strategy),
                 f"{variant.share:.2f}", str(variant.learners), str(variant.impressions), str(variant.clicks)]
        for result_of_metric in variant.metrics:
            cells += [f"{result_of_metric.rate:.4f}", *_comparison_cells(result_of_metric.comparison)]
        table.add_row(*cells)
    return table


def _comparison_cells(comparison: Comparison | None) -> list[str]:
    if comparison is None:
        return ["", ""]
    marker = " *" if comparison.significant else ""
    interval = f"{_percent(comparison.lift)} [{_percent(comparison.lift_low)}, {_percent(comparison.lift_high)}]"
    return [interval, f"{comparison.p_value:.3f}{marker}"]


def _percent(value: float) -> str:
    return f"{value:+.1%}" if math.isfinite(value) else "?"


def _print_checks(result: ExperimentReport) -> None:
    check = result.sample_ratio
    verdict = "[red]MISMATCH: assignment or logging is broken[/red]" if check.mismatch else "ok"
    out.print(f"sample ratio: {list(check.observed)} learners for shares {list(check.expected_shares)}, "
              f"p = {check.p_value:.4f}: {verdict}")
    out.print(f"not counted: {result.excluded_learners} learners without the analytics consent, "
              f"{result.mixed_learners} seen in two variants. * = significant (always-valid p < 0.05)")


def draw_chart(result: ExperimentReport, path: Path) -> None:
    """Each treatment's cumulative click-through lift per day, with its 95% interval as a band."""
    try:
        import matplotlib
    except ImportError as error:
        err.print("[red]error:[/red] --chart needs matplotlib: pip install 'pathwise[ml]'")
        raise typer.Exit(2) from error
    matplotlib.use("Agg")
    from matplotlib import pyplot

    figure, axes = pyplot.subplots(figsize=(8, 4))
    for variant in result.variants[1:]:
        points = [p for p in result.daily if p.variant == variant.name and math.isfinite(p.comparison.lift)]
        axes.plot(_days(points), [p.comparison.lift for p in points], marker="o", label=variant.name)
        bounded = [p for p in points if math.isfinite(p.comparison.lift_low) and math.isfinite(p.comparison.lift_high)]
        axes.fill_between(_days(bounded), [p.comparison.lift_low for p in bounded],
                          [p.comparison.lift_high for p in bounded], alpha=0.2)
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.set_ylabel("click-through lift vs control")
    axes.set_title(f"{result.name}: lift with 95% interval, cumulative by day")
    axes.legend()
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    pyplot.close(figure)


def _days(points: list[DailyPoint]) -> NDArray[np.datetime64]:
    return np.array([point.day for point in points], dtype="datetime64[D]")
