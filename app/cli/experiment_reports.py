"""`pathwise experiments report ID`: an experiment's report as a table, as JSON (`--json`), and as a chart of each
treatment's click-through lift with its 95% interval over days (`--chart OUT.png`)."""

import dataclasses
import json
import math
from pathlib import Path
from typing import Annotated, Any

import numpy as np
import typer
from numpy.typing import NDArray
from rich.markup import escape
from rich.table import Table

from app.cli.common import DataDir, err, json_ready, out, run_with_database, settings_for
from app.core.documents import ExperimentKind
from app.core.timestamps import utcnow
from resolvers.errors import UseCaseError
from resolvers.experiments.daily_series import DailyPoint
from resolvers.experiments.interleaving_reports import InterleavingResult
from resolvers.experiments.reports import ExperimentReport, experiment_report
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
    plain: dict[str, Any] = json_ready(dataclasses.asdict(result))
    return plain


def _table(result: ExperimentReport) -> Table:
    table = Table(title=f"{escape(result.name)} ({result.experiment_id}, {result.status.value})")
    table.add_column("variant")
    table.add_column("strategy")
    for name in ("share", "learners", "impressions", "clicks", "coverage", "fallbacks", "p95 ms"):
        table.add_column(name, justify="right")
    shown_metrics = result.metrics if result.kind == ExperimentKind.A_B else ()
    for metric in shown_metrics:
        table.add_column(metric.value.lower(), justify="right")
        table.add_column("lift [95%]", justify="right")
        table.add_column("p", justify="right")
    for variant in result.variants:
        cells = [escape(variant.name) + (" (control)" if variant.control else ""), escape(variant.strategy),
                 f"{variant.share:.2f}", str(variant.learners)]
        if variant.suppressed:
            table.add_row(*cells, f"suppressed (< {result.min_group} learners)")
            continue
        cells += [_cell(variant.impressions), _cell(variant.clicks),
                  _cell(variant.shown.coverage if variant.shown else None, "{:.1%}"),
                  _cell(variant.served.fallback_rate if variant.served else None, "{:.1%}"),
                  _cell(variant.served.latency_p95_ms if variant.served else None, "{:.0f}")]
        for result_of_metric in variant.metrics:
            cells += [f"{result_of_metric.rate:.4f}", *_comparison_cells(result_of_metric.comparison)]
        table.add_row(*cells)
    return table


def _cell(value: float | None, form: str = "{}") -> str:
    return "-" if value is None else form.format(value)


def _comparison_cells(comparison: Comparison | None) -> list[str]:
    if comparison is None:
        return ["", ""]
    marker = " *" if comparison.significant else ""
    interval = f"{_percent(comparison.lift)} [{_percent(comparison.lift_low)}, {_percent(comparison.lift_high)}]"
    return [interval, f"{comparison.p_value:.3f}{marker}"]


def _percent(value: float) -> str:
    return f"{value:+.1%}" if math.isfinite(value) else "?"


def _print_checks(result: ExperimentReport) -> None:
    if result.interleaving is not None:
        _print_preference(result.interleaving)
    elif result.recommended_learners is not None:
        out.print(f"recommended: {result.recommended_learners} learners per variant to detect a 10% change of "
                  f"{result.primary_metric.value.lower()} with 80% power, read daily")
    check = result.sample_ratio
    verdict = "[red]MISMATCH: assignment or logging is broken[/red]" if check.mismatch else "ok"
    out.print(f"sample ratio: {list(check.observed)} learners for shares {list(check.expected_shares)}, "
              f"p = {check.p_value:.4f}: {verdict}")
    out.print(f"not counted: {result.excluded_learners} learners without the analytics consent, "
              f"{result.mixed_learners} seen in two variants. * = significant (always-valid p < 0.05)")


def _print_preference(found: InterleavingResult) -> None:
    pref = found.preference
    marker = " *" if pref.significant else ""
    out.print(f"interleaving, credit by {found.credit}: {escape(found.control)} {found.credit_control}, "
              f"{escape(found.treatment)} {found.credit_treatment}; {pref.learners} learners "
              f"({pref.wins_a} prefer {escape(found.control)}, {pref.wins_b} {escape(found.treatment)}, "
              f"{pref.ties} ties); preference {pref.score:+.3f} [{_number(pref.interval[0])}, "
              f"{_number(pref.interval[1])}], p = {pref.p_value:.3f}{marker} (above 0: {escape(found.treatment)})")


def _number(value: float) -> str:
    return f"{value:+.3f}" if math.isfinite(value) else "?"


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
    if result.interleaving is not None:
        _plot_preference(axes, result.interleaving)
    for variant in result.variants[1:] if result.interleaving is None else ():
        points = [p for p in result.daily if p.variant == variant.name and math.isfinite(p.comparison.lift)]
        axes.plot(_days(points), [p.comparison.lift for p in points], marker="o", label=variant.name)
        bounded = [p for p in points if math.isfinite(p.comparison.lift_low) and math.isfinite(p.comparison.lift_high)]
        axes.fill_between(_days(bounded), [p.comparison.lift_low for p in bounded],
                          [p.comparison.lift_high for p in bounded], alpha=0.2)
    axes.axhline(0.0, color="grey", linewidth=0.8)
    axes.set_ylabel("click-through lift vs control" if result.interleaving is None else "preference for B")
    axes.set_title(f"{result.name}: {'lift' if result.interleaving is None else 'preference'} with 95% interval, "
                   "cumulative by day")
    axes.legend()
    figure.autofmt_xdate()
    figure.tight_layout()
    figure.savefig(path, format="png")
    pyplot.close(figure)


def _plot_preference(axes: Any, found: InterleavingResult) -> None:
    points = [p for p in found.daily if p.preference.learners > 0]
    days = np.array([p.day for p in points], dtype="datetime64[D]")
    axes.plot(days, [p.preference.score for p in points], marker="o", label=f"{found.treatment} over {found.control}")
    bounded = [p for p in points if all(math.isfinite(b) for b in p.preference.interval)]
    axes.fill_between(np.array([p.day for p in bounded], dtype="datetime64[D]"),
                      [p.preference.interval[0] for p in bounded], [p.preference.interval[1] for p in bounded],
                      alpha=0.2)


def _days(points: list[DailyPoint]) -> NDArray[np.datetime64]:
    return np.array([point.day for point in points], dtype="datetime64[D]")
