"""`pathwise serve`: the API server, on the embedded store unless a MongoDB URI is configured."""

import os
import signal
from typing import Annotated

import typer

from app.cli.common import DataDir, err, open_store, settings_for, with_database
from app.core.settings import Settings
from plugins.registry import PluginError, configured_recommenders

# asyncio's own loop, explicitly: with uvloop, a busy server left the recommender thread waiting and an acted
# learner's next answer took 0.6-0.7 s instead of ~40 ms; httptools parses HTTP in C (bench/README.md, "Eighth
# session")
LOOP, HTTP = "asyncio", "httptools"


async def _nothing() -> None:
    return None


def _check_recommenders(settings: Settings) -> None:
    """An unknown name in PATHWISE_RECOMMENDERS stops start-up, naming what is installed."""
    try:
        configured_recommenders(settings)
    except PluginError as error:
        err.print(f"[red]error:[/red] {error}")
        raise typer.Exit(2) from error


def serve(
    host: Annotated[str | None, typer.Option(help="Bind address [default: 127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="Port [default: 8000].")] = None,
    data_dir: DataDir = None,
    workers: Annotated[int, typer.Option(
        min=1, max=64, help="Server processes on the one port; they share the store, the artifacts and learners' "
        "changes [default: 1].")] = 1,
) -> None:
    """Run the API server (on the embedded store unless PATHWISE_MONGODB_URI is set)."""
    import uvicorn  # the server, its app and the schema load only for `serve`

    from app.core.compute_threads import limit_compute_threads
    from app.core.tokens import signing_secret
    from app.factory import create_app
    from app.workers import DATA_DIR, STORE_URI
    from resolvers.privacy.audit import load_or_create_key

    settings = settings_for(data_dir, host=host, port=port)
    limit_compute_threads(settings.compute_threads)  # inherited by the worker processes
    with open_store(settings, "pathwise serve", exclusive=True, supervise=True) as uri:
        where = "embedded store in " + str(settings.data_dir.resolve()) if settings.embedded else "MongoDB"
        # fail here, with a message, if it is unusable
        _check_recommenders(settings)
        with_database(uri, settings.database, _nothing, settings.event_retention_days)
        err.print(f"Pathwise on http://{settings.host}:{settings.port}/graphql ({where})")
        _exit_cleanly_after_uvicorn()
        if workers == 1:
            uvicorn.run(create_app(settings, uri, freeze_heap=True), host=settings.host, port=settings.port,
                        log_level=settings.log_level, timeout_graceful_shutdown=5, loop=LOOP, http=HTTP)
            return
        signing_secret(settings)  # generated once here, before the workers read it
        load_or_create_key(settings.data_dir)
        os.environ.update({STORE_URI: uri, DATA_DIR: str(settings.data_dir)})
        uvicorn.run("app.workers:app_from_environment", factory=True, workers=workers, host=settings.host,
                    port=settings.port, log_level=settings.log_level, timeout_graceful_shutdown=5, loop=LOOP, http=HTTP)


def _exit_cleanly_after_uvicorn() -> None:
    """uvicorn shuts down gracefully on SIGTERM/SIGINT, then re-raises the signal under the handlers it
    found; ours turn that into a normal exit, so the embedded store is stopped and its state removed."""

    def leave(signum: int, frame: object) -> None:
        raise SystemExit(0)

    signal.signal(signal.SIGTERM, leave)
    signal.signal(signal.SIGINT, leave)


