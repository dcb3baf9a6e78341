"""Secrets generated once into the data dir (the JWT secret, the audit key, the keyring), safe when several server
processes start together on one data dir: the text is written to a private temporary file first and linked into
place only if no other process got there first, so a reader never sees a half-written file."""

import contextlib
import os
import uuid
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The file's text; when it does not exist, `make()`'s, stored with mode 0600 (the first writer wins)."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        spare = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
        fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(make())
            with contextlib.suppress(FileExistsError):  # another process's secret came first: theirs is kept
                os.link(spare, path)
        finally:
            spare.unlink(missing_ok=True)
    return path.read_text()
