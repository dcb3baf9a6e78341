"""CLI commands that load data: `import-courses` and `demo`."""

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from app.cli.common import DataDir, err, out, run_with_database, settings_for
from app.cli.practice import import_practice_file
from app.core.documents import ConsentSource, Purpose
from app.core.settings import Settings
from app.core.timestamps import utcnow
from app.importers.course_files import CourseFileError, CourseRow, RowError, parse_mapping, read_course_file
from app.importers.import_reports import ImportSummary, print_summary, record_import
from resolvers.courses.courses import upsert_courses
from resolvers.courses.enrollments import enroll, update_progress
from resolvers.courses.ratings import rate_course
from resolvers.errors import UseCaseError
from resolvers.privacy.consents import ConsentPolicy, grant_missing, policy_for
from resolvers.profile.users import upsert_user

DEMO_DIR = Path(__file__).parents[1] / "demo"  # app/demo
# demo learners act as if they had said yes to these: events are collected and recommendations personal
DEMO_CONSENTS = (Purpose.PERSONALIZATION, Purpose.BEHAVIORAL_TRACKING, Purpose.ANALYTICS)
BATCH = 500


async def import_rows(path: Path, mapping: dict[str, str], file_format: str, max_batch: int) -> ImportSummary:
    """Read `path` and upsert its courses in batches, with a progress bar; the run is recorded (`catalogImports`)."""
    started, summary = utcnow(), ImportSummary()
    batch: list[CourseRow] = []
    columns = [SpinnerColumn(), TextColumn("importing {task.description}"), BarColumn(),
               MofNCompleteColumn(), TimeElapsedColumn()]
    with Progress(*columns, console=err, transient=False) as progress:
        task = progress.add_task(path.name, total=None)
        for row in read_course_file(path, mapping, file_format):
            summary.read += 1
            if isinstance(row, RowError):
                summary.bad.append(row)
            else:
                batch.append(row)
                summary.warnings.extend(row.warnings)
            if len(batch) >= min(BATCH, max_batch):
                await _flush(batch, summary)
            progress.update(task, completed=summary.read)
        await _flush(batch, summary)
        progress.update(task, total=summary.read, completed=summary.read)
    await record_import("courses", path, summary, started)
    return summary


async def _flush(batch: list[CourseRow], summary: ImportSummary) -> None:
    if not batch:
        return
    report = await upsert_courses([row.fields for row in batch], max_items=len(batch))
    summary.created += len(report.created)
    summary.updated += len(report.updated)
    summary.unchanged += len(report.unchanged)
    for problem in report.problems:
        line = batch[problem.index].line if problem.index is not None else 0
        where = f"{problem.field}: " if problem.field else ""
        summary.bad.append(RowError(line, f"{where}{problem.message}"))
    batch.clear()


def import_courses(
    file: Annotated[Path, typer.Argument(help="CSV (with a header row) or JSON Lines.")],
    map_: Annotated[list[str] | None, typer.Option(
        "--map", help="field=column, e.g. title=name; repeatable; other fields are still matched by name.")] = None,
    file_format: Annotated[str, typer.Option("--format", help="auto, csv or jsonl.")] = "auto",
    data_dir: DataDir = None,
) -> None:
    """Upsert courses from a file by id. Rows without a title or a usable id are skipped; values not understood
    in other fields are left empty, with a warning. Both are reported by line."""
    settings = settings_for(data_dir)
    try:
        mapping = parse_mapping(map_ or [])
        read_course_file(file, mapping, file_format)  # fail fast on an unusable file
    except (CourseFileError, ValueError) as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    try:
        summary = run_with_database(settings, "pathwise import-courses",
                                    lambda: import_rows(file, mapping, file_format, settings.max_courses_per_batch))
    except CourseFileError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    print_summary(summary, out, err)
    if summary.bad:
        raise typer.Exit(1)


async def load_demo(settings: Settings) -> tuple[ImportSummary, int, dict[str, ImportSummary]]:
    """The demo catalog, its skill graph and item bank, and demo learners with their enrolments, ratings and
    the consents that let the README's examples run (DEMO_CONSENTS)."""
    summary = await import_rows(DEMO_DIR / "courses.jsonl", {}, "jsonl", BATCH)
    practice = {kind: await import_practice_file(DEMO_DIR / f"{kind}.jsonl", kind, "jsonl", BATCH)
                for kind in ("skills", "exercises")}
    learners = [json.loads(line) for line in (DEMO_DIR / "learners.jsonl").read_text().splitlines() if line.strip()]
    for learner in learners:
        await _load_learner(learner, policy_for(settings))
    return summary, len(learners), practice


async def _load_learner(learner: dict[str, Any], policy: ConsentPolicy) -> None:
    fields = dict(learner["user"])
    user_id = fields.pop("id")
    fields |= fields.pop("profile", {})
    await upsert_user(user_id, fields)
    await grant_missing(user_id, DEMO_CONSENTS, policy, ConsentSource.ADMIN)
    for item in learner.get("enrollments", []):
        await enroll(user_id, item["course_id"])
        if item.get("progress"):
            await update_progress(user_id, item["course_id"], float(item["progress"]))
    for item in learner.get("ratings", []):
        await rate_course(user_id, item["course_id"], int(item["rating"]), item.get("review"))


def demo(data_dir: DataDir = None) -> None:
    """Load the demo catalog and demo learners (safe to run again)."""
    settings = settings_for(data_dir)
    try:
        summary, learners, practice = run_with_database(settings, "pathwise demo", lambda: load_demo(settings))
    except UseCaseError as error:
        err.print(f"[red]error:[/red] demo data refused: {error.message}")
        raise typer.Exit(2) from error
    print_summary(summary, out, err)
    for kind, loaded in practice.items():
        print_summary(loaded, out, err, f"demo {kind}")
    _mark_demo(settings)
    out.print(f"{learners} demo learners loaded, each granted {', '.join(p.value for p in DEMO_CONSENTS)} "
              "(recorded in their consent ledger as given by an admin) so that the README's examples work.")
    _train_demo(settings)
    out.print("Try: pathwise token demo-ana, or open the learner app (pathwise serve) and pick a demo learner")


def _mark_demo(settings: Settings) -> None:
    """Mark the data dir as a demo's: the server then offers demo sign-in to the learner app (schema/rest/demo.py)."""
    from schema.rest.demo import mark_demo  # the HTTP layer loads only for `demo`

    lines = (DEMO_DIR / "learners.jsonl").read_text().splitlines()
    users = [json.loads(line)["user"] for line in lines if line.strip()]
    mark_demo(settings.data_dir, [(user["id"], user.get("display_name") or user["id"]) for user in users])


def _train_demo(settings: Settings) -> None:
    """Train every enabled recommender on what was just loaded, so recommendations work at once."""
    from resolvers.recommendations.training import train_recommenders

    with err.status("training the recommenders on the demo data…"):
        results = run_with_database(settings, "pathwise demo", lambda: train_recommenders(settings))
    trained = [result.name for result in results if result.manifest is not None]
    out.print(f"Trained {', '.join(trained)}: a running server picks them up within seconds.")
