"""The `pathwise` command line."""

import asyncio
import contextlib
import re
import signal
from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from pymongo.errors import PyMongoError
from rich.console import Console

from app import data_keys
from app.db import init_database, make_client
from app.embedded import EmbeddedStoreError, embedded_store
from app.field_encryption import KeyringError
from app.settings import Settings
from app.tokens import InvalidTokenError, Role, issue_token

T = TypeVar("T")
cli = typer.Typer(help="Pathwise: personalization API for learning platforms.", no_args_is_help=True,
                  pretty_exceptions_enable=False)
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


async def _nothing() -> None:
    return None


def _check_recommenders(settings: Settings) -> None:
    """An unknown name in PATHWISE_RECOMMENDERS stops start-up, naming what is installed."""
    from plugins.registry import PluginError, configured_recommenders

    try:
        configured_recommenders(settings)
    except PluginError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000].")] = None,
    data_dir: DataDir = None,
) -> None:
    """Run the API server (on the embedded store unless PATHWISE_MONGODB_URI is set)."""
    import uvicorn

    from app.factory import create_app

    settings = settings_for(data_dir, host=host, port=port)
    with open_store(settings, "pathwise serve", exclusive=True, supervise=True) as uri:
        where = "embedded store in " + str(settings.data_dir.resolve()) if settings.embedded else "MongoDB"
        # fail here, with a message, if it is unusable
        _check_recommenders(settings)
        with_database(uri, settings.database, _nothing, settings.event_retention_days)
        err.print(f"Pathwise on http://{settings.host}:{settings.port}/graphql ({where})")
        _exit_cleanly_after_uvicorn()
        uvicorn.run(create_app(settings, uri), host=settings.host, port=settings.port,
                    log_level=settings.log_level, timeout_graceful_shutdown=5)


def _exit_cleanly_after_uvicorn() -> None:
    """uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal under the handlers it
    found; ours turn that into a normal exit, so the embedded store is stopped and its state removed."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)


_TTL = re.compile(r"^(\d+)([smhdw]?)$")
_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def parse_ttl(text: str) -> timedelta:
    match = _TTL.match(text.strip().lower())
    if not match or int(match.group(1)) == 0:
        raise typer.BadParameter("use a number with s, m, h, d or w, e.g. 30m, 12h, 7d")
    return timedelta(seconds=int(match.group(1)) * _UNITS[match.group(2)])


@cli.command()
def token(
    user: Annotated[str, typer.Argument(help="The user id (the token's `sub`).")],
    role: Annotated[list[Role] | None, typer.Option(help="learner, partner or admin; repeatable.")] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 30m, 12h, 7d.")] = "1d",
    data_dir: DataDir = None,
) -> None:
    """Print a bearer token, alone on the last line."""
    settings = settings_for(data_dir)
    try:
        value = issue_token(settings, user, role or [Role.LEARNER], parse_ttl(ttl))
    except InvalidTokenError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error
    err.print(f"token for {user} ({', '.join(r.value for r in role or [Role.LEARNER])}), valid {ttl}:")
    print(value)


def main() -> None:
    from app import cli_data, cli_evaluate, cli_keys, cli_practice, cli_train  # noqa: F401 - register the commands

    cli()
