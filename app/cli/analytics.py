"""`pathwise analytics funnel|struggles|popularity`: learning analytics from the command line, through the same use
cases as the GraphQL queries, as a table or as JSON (`--json`). Suppressed numbers show as `-` (null in JSON); a
refused argument or an unknown course is a message and exit code 2."""

import dataclasses
import json
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Annotated, Any, TypeVar

import typer
from rich.markup import escape
from rich.table import Table

from app.cli.common import DataDir, command_group, err, json_ready, out, run_with_database, settings_for
from app.core.timestamps import utcnow
from resolvers.analytics import funnels, popularity, struggles
from resolvers.errors import UseCaseError

T = TypeVar("T")
JsonOut = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]
Since = Annotated[str | None, typer.Option("--since", help="Only what happened at or after this ISO time (UTC "
                                                           "unless it says otherwise), e.g. 2026-03-01.")]


def funnel(
    course_id: Annotated[str | None, typer.Argument(help="A course's id; none for the courses with most "
                                                          "learners.")] = None,
    since: Since = None,
    first: Annotated[int, typer.Option("--first", help="How many courses without COURSE_ID, 1-100.")] = 20,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """Course funnels: viewed, enrolled, 25/50/75% progress, completed, with shares and drop-off."""
    settings, start = settings_for(data_dir), _since(since)
    if course_id is not None:
        one = _run(settings, "funnel", lambda: funnels.course_funnel(course_id, start, settings))
        _show([one], json_out, _funnel_table)
    else:
        _show(_run(settings, "funnel", lambda: funnels.course_funnels(first, start, settings)), json_out,
              _funnels_table)


def struggles_command(
    since: Since = None,
    first: Annotated[int, typer.Option("--first", help="How many skills, 1-100.")] = 20,
    items: Annotated[int, typer.Option("--items", help="How many items failed most per skill, 1-20.")] = 5,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """The skills where learners struggle most: lowest mastery, then highest failure rate."""
    settings, start = settings_for(data_dir), _since(since)
    _show(_run(settings, "struggles", lambda: struggles.skill_struggles(first, items, start, settings)), json_out,
          _struggles_table)


def popularity_command(
    days: Annotated[int, typer.Option("--days", help="The window in UTC days, 1-366.")] = 28,
    first: Annotated[int, typer.Option("--first", help="How many top courses per recommender, 1-100.")] = 10,
    json_out: JsonOut = False,
    data_dir: DataDir = None,
) -> None:
    """What each recommender served most: coverage, Gini coefficient and popularity lift."""
    settings = settings_for(data_dir)
    _show(_run(settings, "popularity", lambda: popularity.recommender_popularity(days, first, utcnow())), json_out,
          _popularity_table)


def _funnel_table(rows: list[funnels.CourseFunnel]) -> Table:
    (row,) = rows
    table = Table("stage", "learners", "of previous", "of first", "drop-off",
                  title=f"{escape(row.title)} ({escape(row.course_id)})")
    for stage in row.stages:
        table.add_row(stage.stage.value, _shown(stage.learners), _shown(stage.share_of_previous),
                      _shown(stage.share_of_first), _shown(stage.drop_off))
    return table


def _funnels_table(rows: list[funnels.CourseFunnel]) -> Table:
    table = Table("course", "title", *(stage.value for stage in funnels.STAGES), title="Course funnels (learners)")
    for row in rows:
        table.add_row(escape(row.course_id), escape(row.title), *(_shown(stage.learners) for stage in row.stages))
    return table


def _struggles_table(rows: list[struggles.SkillStruggle]) -> Table:
    table = Table("skill", "learners", "mean mastery", "mastered", "answers", "failure rate", "hints/answer",
                  "items failed most", title="Skill struggles")
    for row in rows:
        items = ", ".join(f"{escape(i.item_id)} {_shown(i.failure_rate)}" for i in row.items if not i.suppressed)
        table.add_row(escape(row.name), _shown(row.learners), _shown(row.mean_mastery), _shown(row.mastered_share),
                      _shown(row.answers), _shown(row.failure_rate), _shown(row.mean_hints), items)
    return table


def _popularity_table(rows: list[popularity.StrategyPopularity]) -> Table:
    table = Table("strategy", "answers", "servings", "courses", "coverage", "gini", "popularity lift",
                  "top courses (share)", title="Recommender popularity")
    for row in rows:
        top = ", ".join(f"{escape(c.course_id)} {c.share:.2f}" for c in row.top_courses[:5])
        table.add_row(escape(row.strategy), str(row.answers), str(row.servings), str(row.courses_served),
                      _shown(row.coverage), _shown(row.gini), _shown(row.popularity_lift), top)
    return table


def _shown(value: float | None) -> str:
    """A number for a table: `-` when suppressed or unknown, a ratio with three decimals."""
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _show(rows: list[Any], json_out: bool, table: Callable[[list[Any]], Table]) -> None:
    if json_out:
        plain = [json_ready(dataclasses.asdict(row)) for row in rows]
        out.print(json.dumps(plain, indent=2), markup=False, highlight=False, soft_wrap=True)
    else:
        out.print(table(rows))


def _since(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as error:
        raise typer.BadParameter("use an ISO date or time, e.g. 2026-03-01 or 2026-03-01T09:00:00Z",
                                 param_hint="--since") from error


def _run(settings: Any, verb: str, work: Callable[[], Awaitable[T]]) -> T:
    try:
        return run_with_database(settings, f"pathwise analytics {verb}", work)
    except UseCaseError as error:
        err.print(f"[red]error:[/red] {error.code.value}: {escape(error.message)}")
        raise typer.Exit(2) from error


ANALYTICS_COMMANDS: tuple[tuple[str, Callable[..., Any]], ...] = (
    ("funnel", funnel),
    ("struggles", struggles_command),
    ("popularity", popularity_command),
)


def analytics_cli() -> typer.Typer:
    """The `pathwise analytics` group."""
    return command_group("Learning analytics: course funnels, skill struggles, recommender popularity.",
                         ANALYTICS_COMMANDS)
