"""What every `pathwise` command shares: its consoles, the settings it runs with, and the store it opens."""

import asyncio
import contextlib
import math
import re
from collections.abc import Awaitable, Callable, Iterable, Iterator
from datetime import date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pymongo.errors import PyMongoError
from rich.console import Console

from app.core.encryption import data_keys
from app.core.encryption.field_encryption import KeyringError
from app.core.settings import Settings
from app.core.store.db import init_database, make_client
from app.core.store.embedded import EmbeddedStoreError, embedded_store

T = TypeVar("T")
out = Console()
err = Console(stderr=True)

DataDir = Annotated[Path | None, typer.Option("--data-dir", help="Embedded store and secrets [default: ./.pathwise].")]


def settings_for(data_dir: Path | None, **overrides: Any) -> Settings:
    settings = Settings()
    changes = {k: v for k, v in overrides.items() if v is not None}
    if data_dir is not None:
        changes["data_dir"] = data_dir
    configured = settings.model_copy(update=changes)
    try:
        data_keys.configure(configured)
    except KeyringError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    return configured


@contextlib.contextmanager
def open_store(settings: Settings, owner: str, exclusive: bool = False, supervise: bool = False) -> Iterator[str]:
    """The MongoDB URI to use: the configured one, or the embedded store's (shared if already running; with
    `supervise`, ours is restarted whenever it dies)."""
    if settings.mongodb_uri:
        yield settings.mongodb_uri
        return
    restart_max_s = settings.store_restart_max_seconds if supervise else None
    try:
        with embedded_store(settings.data_dir, owner, exclusive=exclusive, restart_max_s=restart_max_s) as state:
            yield state.uri
    except EmbeddedStoreError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


def run_with_database(settings: Settings, owner: str, work: Callable[[], Awaitable[T]]) -> T:
    """Run `work` with the documents bound to the store; database failures end with a message."""
    with open_store(settings, owner) as uri:
        return with_database(uri, settings.database, work, settings.event_retention_days)


def with_database(uri: str, database: str, work: Callable[[], Awaitable[T]],
                  event_retention_days: int | None = None) -> T:
    async def main() -> T:
        client: Any = make_client(uri)
        try:
            await init_database(client, database, event_retention_days)
            return await work()
        finally:
            await client.close()

    try:
        return asyncio.run(main())
    except PyMongoError as error:
        err.print(f"[red]error:[/red] the database failed: {error}")
        raise typer.Exit(2) from error


_TTL = re.compile(r"^(\d+)([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_ttl(text: str) -> timedelta:
    match = _TTL.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter("use a number with s, m, h, d or w, e.g. 30m, 12h, 7d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


def command_group(help_text: str, commands: Iterable[tuple[str, Callable[..., Any]]]) -> typer.Typer:
    """A typer app with `commands` registered under their names, in order (the CLI and its groups alike)."""
    group = typer.Typer(help=help_text, no_args_is_help=True, pretty_exceptions_enable=False)
    for name, command in commands:
        group.command(name)(command)
    return group


def json_ready(value: Any) -> Any:
    """`value` (dataclasses made dicts with `dataclasses.asdict`) as JSON-ready values: enums by value, dates and
    times ISO, a non-finite float (an unknown bound) None."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_ready(item) for item in value]
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
