"""app.importers.import_reports: the summary line, the skipped rows and the warnings, by line, capped; the run
recorded for the catalog's import status."""

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from rich.console import Console

from app.core.documents import CatalogImport
from app.core.documents.imports import MAX_PROBLEMS
from app.importers.course_files import RowError, RowWarning
from app.importers.import_reports import MAX_LISTED, ImportSummary, print_summary, record_import


def test_summary_line_and_capped_bad_rows_in_line_order() -> None:
    out, err = io.StringIO(), io.StringIO()
    bad = [RowError(line, f"bad {line}") for line in range(MAX_LISTED + 5, 1, -1)]
    summary = ImportSummary(read=40, created=10, updated=2, unchanged=4, bad=bad)
    print_summary(summary, Console(file=out, width=200), Console(file=err, width=200), "skills")
    assert out.getvalue().strip() == (f"40 skills read: 12 upserted (10 created, 2 updated), 4 unchanged, "
                                      f"{len(bad)} skipped, 0 kept with warnings (0 warnings)")
    lines = err.getvalue().splitlines()
    assert lines[0] == "line 2: bad 2" and len(lines) == MAX_LISTED + 1
    assert lines[-1] == f"… and {len(bad) - MAX_LISTED} more bad rows"


def test_warnings_are_listed_and_counted_apart_from_skipped_rows() -> None:
    out, err = io.StringIO(), io.StringIO()
    warnings = [RowWarning(line, "level", f"level: unknown level 'x{line}'") for line in range(MAX_LISTED + 3, 2, -1)]
    warnings.append(RowWarning(3, "rating", "rating: not a number: 'y'"))
    summary = ImportSummary(read=30, created=29, bad=[RowError(2, "title: missing")], warnings=warnings)
    print_summary(summary, Console(file=out, width=200), Console(file=err, width=200))
    assert summary.warned == MAX_LISTED + 1
    assert out.getvalue().strip() == (f"30 rows read: 29 upserted (29 created, 0 updated), 0 unchanged, 1 skipped, "
                                      f"{MAX_LISTED + 1} kept with warnings ({MAX_LISTED + 2} warnings)")
    lines = err.getvalue().splitlines()
    assert lines[0] == "line 2: title: missing"
    assert lines[1] == f"{MAX_LISTED + 2} warnings: values not understood, rows kept with those fields empty"
    assert lines[2] == "line 3: warning: level: unknown level 'x3'"
    assert lines[3] == "line 3: warning: rating: not a number: 'y'"
    assert lines[-1] == "… and 2 more warnings" and len(lines) == MAX_LISTED + 3


def test_a_row_skipped_after_a_warning_is_not_counted_as_kept() -> None:
    summary = ImportSummary(bad=[RowError(4, "id: refused")], warnings=[RowWarning(4, "level", "level: ?")])
    assert summary.warned == 0


@pytest.mark.usefixtures("clean")
async def test_a_run_is_recorded_with_its_counts_and_first_problems(tmp_path: Path) -> None:
    bad = [RowError(line, f"bad {line}") for line in range(MAX_PROBLEMS + 4, 1, -1)]
    summary = ImportSummary(read=20, created=5, updated=1, unchanged=2, bad=bad)
    started = datetime(2026, 6, 1, 8, tzinfo=UTC)
    await record_import("skills", tmp_path / "folder" / "skills.jsonl", summary, started)
    [run] = await CatalogImport.find_all().to_list()
    assert (run.kind, run.source, run.read, run.created, run.updated, run.unchanged, run.skipped) == (
        "skills", "skills.jsonl", 20, 5, 1, 2, len(bad))
    assert run.problems == [f"line {line}: bad {line}" for line in range(2, 2 + MAX_PROBLEMS)]
    assert run.started_at == started and run.finished_at >= started
