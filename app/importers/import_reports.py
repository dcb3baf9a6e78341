"""What a file import reports: rows read, created, updated, unchanged, the skipped rows and the warnings by line."""

import logging
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from pymongo.errors import PyMongoError
from rich.console import Console

from app.core.documents import CatalogImport
from app.core.documents.imports import MAX_PROBLEMS
from app.core.timestamps import utcnow
from app.importers.course_files import RowError, RowWarning

log = logging.getLogger("pathwise.imports")

MAX_LISTED = 20  # skipped rows printed, and as many warnings; the rest are counted


@dataclass
class ImportSummary:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    bad: list[RowError] = field(default_factory=list)
    warnings: list[RowWarning] = field(default_factory=list)

    @property
    def warned(self) -> int:
        """Rows kept (not skipped) with at least one field left empty."""
        return len({w.line for w in self.warnings} - {row.line for row in self.bad})


def print_summary(summary: ImportSummary, out: Console, err: Console, noun: str = "rows") -> None:
    """Skipped rows, then warnings (the first MAX_LISTED of each, by line) on `err`; one summary line on `out`."""
    for row in sorted(summary.bad, key=lambda r: r.line)[:MAX_LISTED]:
        err.print(f"[yellow]line {row.line}:[/yellow] {row.message}", highlight=False)
    if len(summary.bad) > MAX_LISTED:
        err.print(f"… and {len(summary.bad) - MAX_LISTED} more bad rows")
    if summary.warnings:
        err.print(f"{len(summary.warnings)} warnings: values not understood, rows kept with those fields empty")
    for warning in sorted(summary.warnings, key=lambda w: w.line)[:MAX_LISTED]:
        err.print(f"[cyan]line {warning.line}:[/cyan] warning: {warning.message}", highlight=False)
    if len(summary.warnings) > MAX_LISTED:
        err.print(f"… and {len(summary.warnings) - MAX_LISTED} more warnings")
    upserted = summary.created + summary.updated
    out.print(f"{summary.read} {noun} read: {upserted} upserted ({summary.created} created, {summary.updated} "
              f"updated), {summary.unchanged} unchanged, {len(summary.bad)} skipped, "
              f"{summary.warned} kept with warnings ({len(summary.warnings)} warnings)")


async def record_import(kind: str, path: Path, summary: ImportSummary, started_at: datetime) -> None:
    """Keep the run for the catalog's import status (`catalogImports`); a store that fails now only loses the
    record, never the import."""
    problems = [f"line {row.line}: {row.message}" for row in sorted(summary.bad, key=lambda r: r.line)]
    run = CatalogImport(id=f"import-{uuid.uuid4().hex}", kind=kind, source=path.name, started_at=started_at,
                        finished_at=utcnow(), read=summary.read, created=summary.created, updated=summary.updated,
                        unchanged=summary.unchanged, skipped=len(summary.bad), warned=summary.warned,
                        problems=problems[:MAX_PROBLEMS])
    try:
        await run.insert()
    except PyMongoError as error:
        log.warning("the import of %s was not recorded: %s", path.name, type(error).__name__)
