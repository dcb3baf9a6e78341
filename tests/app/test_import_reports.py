"""app.import_reports: the summary line and the bad rows, by line, capped."""

import io

from rich.console import Console

from app.course_files import RowError
from app.import_reports import MAX_LISTED, ImportSummary, print_summary


def test_summary_line_and_capped_bad_rows_in_line_order() -> None:
    out, err = io.StringIO(), io.StringIO()
    bad = [RowError(line, f"bad {line}") for line in range(MAX_LISTED + 5, 1, -1)]
    summary = ImportSummary(read=40, created=10, updated=2, unchanged=4, bad=bad)
    print_summary(summary, Console(file=out, width=200), Console(file=err, width=200), "skills")
    assert out.getvalue().strip() == (f"40 skills read: 12 upserted (10 created, 2 updated), 4 unchanged, "
                                      f"{len(bad)} skipped")
    lines = err.getvalue().splitlines()
    assert lines[0] == "line 2: bad 2" and len(lines) == MAX_LISTED + 1
    assert lines[-1] == f"… and {len(bad) - MAX_LISTED} more bad rows"
