"""What a file import reports: rows read, created, updated, unchanged, and the bad rows by line."""

from dataclasses import dataclass, field

from rich.console import Console

from app.course_files import RowError

MAX_LISTED = 20  # bad rows printed; the rest are counted


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[RowError] = field(default_factory=list)


def print_summary(summary: ImportSummary, out: Console, err: Console, noun: str = "rows") -> None:
    """The bad rows (the first MAX_LISTED, by line) on `err`, then one summary line on `out`."""
    for row in sorted(summary.bad, key=lambda r: r.line)[:MAX_LISTED]:
        err.print(f"[yellow]line {row.line}:[/yellow] {row.message}", highlight=False)
    if len(summary.bad) > MAX_LISTED:
        err.print(f"… and {len(summary.bad) - MAX_LISTED} more bad rows")
    upserted = summary.created + summary.updated
    out.print(f"{summary.read} {noun} read: {upserted} upserted ({summary.created} created, {summary.updated} "
              f"updated), {summary.unchanged} unchanged, {len(summary.bad)} skipped")
