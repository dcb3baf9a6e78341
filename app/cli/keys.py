"""`pathwise rotate-keys`: rewrap every learner's data key under the current key-encryption key."""

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from app.cli.common import DataDir, err, out, run_with_database, settings_for
from app.core.encryption import data_keys
from app.core.encryption.data_keys import RotationReport
from app.core.encryption.field_encryption import add_key_to_file


def rotate_keys(
    generate: Annotated[bool, typer.Option(
        "--generate", help="Embedded keyring only: add a new key-encryption key to the data dir and make it "
        "current first.")] = False,
    batch_size: Annotated[int, typer.Option("--batch-size", min=1, max=10_000, help="Data keys per read.")] = 500,
    data_dir: DataDir = None,
) -> None:
    """Rewrap learners' data keys under the current key-encryption key (field values are not re-encrypted).
    Safe to interrupt and run again: keys already rewrapped are skipped."""
    settings = settings_for(data_dir)
    if generate:
        if settings.encryption_keys is not None:
            err.print("[red]error:[/red] --generate is for the data dir's keyring; with PATHWISE_ENCRYPTION_KEYS, "
                      "add the new key there and name it in PATHWISE_ENCRYPTION_KEY_ID")
            raise typer.Exit(2)
        add_key_to_file(settings.data_dir)
        settings = settings_for(data_dir)
    store = data_keys.data_keys()
    with Progress(TextColumn("rewrapping data keys"), BarColumn(), MofNCompleteColumn(), console=err) as bars:
        task = bars.add_task("rewrap", total=None)

        def step(done: int, total: int) -> None:
            bars.update(task, completed=done, total=total)

        report: RotationReport = run_with_database(settings, "pathwise rotate-keys",
                                                   lambda: store.rewrap_all(batch_size, step))
    out.print(f"{report.rewrapped} data keys rewrapped under {store.keyring.current}")
    if report.failed:
        err.print(f"[red]error:[/red] {len(report.failed)} data keys are wrapped by a key that is not in the keyring "
                  f"(first: {', '.join(report.failed[:5])})")
        raise typer.Exit(1)
