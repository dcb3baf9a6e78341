"""Use case: the catalog's import status — the latest import runs (courses, skills, exercises from files)."""

from app.core.documents import CatalogImport
from resolvers.pages import check_page_size


async def recent_imports(first: int) -> list[CatalogImport]:
    """The `first` latest runs, newest first; BAD_USER_INPUT when `first` is not 1–100."""
    check_page_size(first)
    return await CatalogImport.find({}).sort("-started_at").limit(first).to_list()
