"""The catalog's import status: the latest import runs (partners and admins)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.documents import CatalogImport as CatalogImportDocument
from resolvers.courses import imports
from resolvers.pages import MAX_PAGE_SIZE
from schema.expected_errors import ExpectedErrors
from schema.permissions import IsPartner


@strawberry.type(description="One run of a catalog import from a file (`pathwise import-courses`, "
                 "`import-skills`, `import-exercises`, `pathwise demo`).")
class CatalogImport:
    id: strawberry.ID = strawberry.field(description="`import-<hex>`, given when the run ended.")
    kind: str = strawberry.field(description="courses, skills or exercises.")
    source: str = strawberry.field(description="The file's name (without its folder).")
    started_at: datetime = strawberry.field(description="When the run started (UTC).")
    finished_at: datetime = strawberry.field(description="When it ended (UTC).")
    read: int = strawberry.field(description="Rows read.")
    created: int = strawberry.field(description="Rows that created a new entry.")
    updated: int = strawberry.field(description="Rows that changed an entry.")
    unchanged: int = strawberry.field(description="Rows equal to the stored entry.")
    skipped: int = strawberry.field(description="Rows skipped as bad (no title, no usable id, ...).")
    warned: int = strawberry.field(description="Rows kept with a value not understood left empty.")
    problems: list[str] = strawberry.field(description="The first skipped rows, as `line N: why`.")

    @staticmethod
    def of(run: CatalogImportDocument) -> "CatalogImport":
        return CatalogImport(id=strawberry.ID(run.id), kind=run.kind, source=run.source, started_at=run.started_at,
                             finished_at=run.finished_at, read=run.read, created=run.created, updated=run.updated,
                             unchanged=run.unchanged, skipped=run.skipped, warned=run.warned,
                             problems=list(run.problems))


@strawberry.type(description="Catalog import queries (partners and admins).")
class Query:
    @strawberry.field(permission_classes=[IsPartner], extensions=[ExpectedErrors()], description=(
        f"The latest catalog import runs, newest first. `first` is 1–{MAX_PAGE_SIZE} (else BAD_USER_INPUT). "
        "Partners and admins; learners get FORBIDDEN."))
    async def catalog_imports(
        self, first: Annotated[int, strawberry.argument(description="How many runs.")] = 10,
    ) -> list[CatalogImport]:
        return [CatalogImport.of(run) for run in await imports.recent_imports(first)]
