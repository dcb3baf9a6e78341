"""resolvers.courses.imports: the latest import runs, newest first."""

from datetime import UTC, datetime, timedelta

import pytest

from app.core.documents import CatalogImport
from resolvers.courses.imports import recent_imports
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")
T0 = datetime(2026, 6, 1, 8, tzinfo=UTC)


async def test_the_latest_runs_come_first() -> None:
    await CatalogImport.insert_many([
        CatalogImport(id=f"import-{n}", kind="courses", source=f"file{n}.csv", started_at=T0 + timedelta(hours=n),
                      finished_at=T0 + timedelta(hours=n, minutes=1), read=n) for n in (2, 0, 3, 1)])
    assert [run.id for run in await recent_imports(3)] == ["import-3", "import-2", "import-1"]


@pytest.mark.parametrize("first", [0, 101])
async def test_first_out_of_range_is_bad_input(first: int) -> None:
    with pytest.raises(UseCaseError) as raised:
        await recent_imports(first)
    assert raised.value.code == ErrorCode.BAD_USER_INPUT
