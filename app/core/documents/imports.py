"""A run of a catalog import (courses, skills or exercises from a file): when, from which file, and what it did,
so that partners can see the catalog's import status. No learner data."""

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime

MAX_PROBLEMS = 5


class CatalogImport(Document):
    """`_id` is `import-<uuid4 hex>`; `problems` holds the first MAX_PROBLEMS skipped rows as `line N: message`."""

    id: str  # type: ignore[assignment]
    kind: str  # courses, skills or exercises
    source: str  # the file's name (never its folder)
    started_at: UtcDatetime
    finished_at: UtcDatetime
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    warned: int = 0
    problems: list[str] = Field(default_factory=list)

    class Settings:
        name = "catalog_imports"
        indexes = [IndexModel([("started_at", pymongo.DESCENDING)], name="catalog_import_started")]
