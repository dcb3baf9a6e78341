"""The app of each process of `pathwise serve --workers N`: uvicorn starts N processes on one port, and each
builds its app here from the store URI and data dir the serving command left in the environment. The processes
share the store, the artifacts (the data dir's `artifacts/`, polled by each) and learners' changes (the change
feed): a write through one is seen by the others within about a quarter of a second."""

import os
from pathlib import Path

from starlette.applications import Starlette

from app.core.compute_threads import limit_compute_threads
from app.core.settings import Settings
from app.factory import create_app

STORE_URI = "PATHWISE_SERVE_STORE_URI"  # set by `pathwise serve` for its worker processes only
DATA_DIR = "PATHWISE_SERVE_DATA_DIR"


def app_from_environment() -> Starlette:
    """uvicorn's factory for a worker process."""
    settings = Settings()
    if DATA_DIR in os.environ:
        settings = settings.model_copy(update={"data_dir": Path(os.environ[DATA_DIR])})
    limit_compute_threads(settings.compute_threads)
    return create_app(settings, os.environ[STORE_URI], freeze_heap=True)
