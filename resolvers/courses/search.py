"""Course search: the limits of a search string, and the process's one `CourseIndex` of the catalog, kept fresh
without reading the store per search.

- Built in a thread from the first catalog snapshot the recommendation service loads at start-up
  (`catalog_loaded`), or else from the store on the first search, once.
- Patched with every course this process writes (`upsert_courses` reports them through `courses_written`)
  before the next search runs, so a partner's next search sees what they just wrote: a search waits for
  what is reported and not yet indexed, and for a patch being written (it may hold the partner's courses).
- Patched with what changed in each catalog snapshot the service loads when the catalog changed (another
  process's import): courses of a newer `updated_at` than indexed, and courses gone; a course this process
  wrote after the snapshot was read keeps its newer version.

A search reads the index only; the page of courses it names is then read from the store by id.
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import NoReturn

from app.core.documents import Course
from resolvers.courses.index import CourseIndex, Hits, IndexFilter
from resolvers.courses.snapshot import CatalogSnapshot, on_catalog_loaded
from resolvers.errors import ErrorCode, Problem, UseCaseError

log = logging.getLogger("pathwise.course_search")

MAX_SEARCH_CHARS = 200
MAX_SEARCH_WORDS = 30
_UNPAIRED_SURROGATE = re.compile("[\ud800-\udfff]")  # a str holds a surrogate only when it is unpaired


def check_search(text: str) -> None:
    """BAD_USER_INPUT, before any work, for a search of more than MAX_SEARCH_CHARS characters or
    MAX_SEARCH_WORDS words, or one holding NUL or an unpaired surrogate."""
    if len(text) > MAX_SEARCH_CHARS:
        _refuse(f"`search` is at most {MAX_SEARCH_CHARS} characters; got {len(text):,}")
    if "\x00" in text or _UNPAIRED_SURROGATE.search(text):
        _refuse("`search` may not contain NUL or unpaired surrogate characters")
    words = len(text.split())
    if words > MAX_SEARCH_WORDS:
        _refuse(f"`search` is at most {MAX_SEARCH_WORDS} words; got {words}")


def _refuse(message: str) -> NoReturn:
    raise UseCaseError(ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, "search")])


async def _stored_courses() -> list[Course]:
    return await Course.find_all().to_list()


def _millis(moment: datetime) -> datetime:
    """`moment` as the store keeps it (MongoDB dates have milliseconds)."""
    return moment.replace(microsecond=moment.microsecond // 1000 * 1000)


class CourseSearch:
    def __init__(self, load: Callable[[], Awaitable[list[Course]]] = _stored_courses) -> None:
        self._load = load
        self._task: asyncio.Task[None] | None = None
        self.forget()

    def forget(self) -> None:
        """Drop the index and everything reported (for tests that empty the store behind its back)."""
        if self._task is not None:
            self._task.cancel()
        self._index: CourseIndex | None = None
        self._source: list[Course] | None = None  # the catalog to build the first index from
        self._versions: dict[str, datetime] = {}  # what the index holds: course id -> updated_at
        self._written: dict[str, Course] = {}  # this process's writes, until a snapshot holds them
        self._unindexed: dict[str, Course] = {}  # new versions the index lacks
        self._removed: set[str] = set()  # ids the index holds and the catalog no longer does
        self._patching = False  # a batch taken from `_unindexed`/`_removed` is being written
        self._task = None

    def courses_written(self, courses: Iterable[Course]) -> None:
        """`courses` were just stored by this process: the next search waits until the index has them."""
        for course in courses:  # before the first index too: its snapshot may have been read before this write
            self._written[course.id] = self._unindexed[course.id] = course

    def catalog_loaded(self, courses: Iterable[Course]) -> None:
        """A snapshot of the whole catalog: the first index is built from it, later ones patch what changed."""
        if self._index is None:
            self._source = list(courses)
            self._start()  # in the background: the first search need not wait for all of it
        else:
            self._apply(courses)

    def _apply(self, courses: Iterable[Course]) -> None:
        snapshot = {course.id: course for course in courses}
        for course_id, course in snapshot.items():
            written = self._written.get(course_id)
            if written is not None and _millis(written.updated_at) > _millis(course.updated_at):
                continue  # this process wrote it after the snapshot was read
            self._written.pop(course_id, None)
            if self._versions.get(course_id) != _millis(course.updated_at):
                self._unindexed[course_id] = course
        self._removed |= set(self._versions) - set(snapshot) - set(self._written)
        if self._unindexed or self._removed:
            self._start()

    async def search(self, text: str, filters: IndexFilter, offset: int, limit: int) -> Hits:
        """The page of courses matching `text` and `filters`, by relevance, with the number of matches."""
        while self._index is None or self._unindexed or self._removed or self._patching:
            await asyncio.shield(self._start())
        index = self._index
        return index.search(text, filters, offset, limit)

    def _start(self) -> asyncio.Task[None]:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._catch_up(), name="course-search-index")
            self._task.add_done_callback(_log_failure)
        return self._task

    async def _catch_up(self) -> None:
        if self._index is None:
            await self._build()
        if self._source is not None:  # loaded while the first index was built
            source, self._source = self._source, None
            self._apply(source)
        while self._unindexed or self._removed:
            await self._patch()

    async def _build(self) -> None:
        source, self._source, self._unindexed = self._source, None, {}
        courses = {c.id: c for c in (source if source is not None else await self._load())}
        for course_id, written in self._written.items():  # this process's writes the source may predate
            held = courses.get(course_id)
            if held is None or _millis(written.updated_at) > _millis(held.updated_at):
                courses[course_id] = written
        self._index = await asyncio.to_thread(CourseIndex, courses.values())
        self._versions = {course.id: _millis(course.updated_at) for course in courses.values()}

    async def _patch(self) -> None:
        assert self._index is not None
        index, batch, removed = self._index, self._unindexed, self._removed
        self._unindexed, self._removed = {}, set()
        self._patching = True
        try:
            await asyncio.to_thread(index.write, batch.values(), removed)
        except BaseException:
            self._unindexed, self._removed = {**batch, **self._unindexed}, removed | self._removed
            raise
        finally:
            self._patching = False
        index.reload()
        for course_id in removed:
            self._versions.pop(course_id, None)
        self._versions.update((course.id, _millis(course.updated_at)) for course in batch.values())


def _log_failure(task: asyncio.Task[None]) -> None:
    if not task.cancelled() and task.exception() is not None:
        log.error("indexing the catalog for search failed", exc_info=task.exception())


SEARCH = CourseSearch()  # the process's index: reported to by course writes and catalog loads, read by searches


def _on_catalog(snapshot: CatalogSnapshot) -> None:
    SEARCH.catalog_loaded(snapshot.courses.values())


on_catalog_loaded(_on_catalog)
