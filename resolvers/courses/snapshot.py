"""The catalog held in memory by the recommendation service: courses by id, as documents (for GraphQL) and
as recommender `Item`s (`item_of`, also what training reads), with the filters and topic exclusions applied at
request time.

It is rebuilt when the catalog changes (a cheap count + latest-update probe, polled), never per request.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import DESCENDING

from app.core.documents import Course, Skill
from app.core.documents.profiles import field_key
from recommenders.base import Interaction, Item

Stamp = tuple[int, str, int, str]


def item_of(course: Course) -> Item:
    """A course as recommenders see it."""
    text = ". ".join(part for part in (course.summary, ", ".join(course.skills), course.description) if part)
    return Item(course.id, course.title, text, tuple(course.skills), tuple(course.topics),
                course.level.value if course.level else None, course.language, course.duration_minutes,
                course.format.value if course.format else None, tuple(course.prerequisites), course.published)


@dataclass(frozen=True)
class CourseFilters:
    """What the learner asked to see: every given filter must hold."""

    skills: tuple[str, ...] = ()  # any of them
    level: str | None = None
    language: str | None = None
    format: str | None = None
    max_minutes: int | None = None


@dataclass
class CatalogSnapshot:
    courses: dict[str, Course] = field(default_factory=dict)
    items: dict[str, Item] = field(default_factory=dict)
    stamp: Stamp | None = None
    skills: dict[str, Skill] = field(default_factory=dict)
    skill_by_label: dict[str, str] = field(default_factory=dict)  # casefolded skill id or name -> skill id
    course_skills: dict[str, list[str]] = field(default_factory=dict)  # course id -> skill ids (graph skills)
    course_by_key: dict[str, str] = field(default_factory=dict)  # field_key(course id) -> course id
    folded_labels: dict[str, frozenset[str]] = field(default_factory=dict)  # course id -> casefolded skills, topics
    prerequisites: dict[str, list[str]] = field(default_factory=dict)  # skill id -> its prerequisites' ids
    skill_names: dict[str, str] = field(default_factory=dict)  # skill id -> name
    _topic_index: dict[str, set[str]] = field(default_factory=dict)
    _published: frozenset[str] = frozenset()

    @classmethod
    def of(cls, courses: Iterable[Course], stamp: Stamp | None, skills: Iterable[Skill] = ()) -> "CatalogSnapshot":
        snapshot = cls({course.id: course for course in courses}, stamp=stamp)
        snapshot._index_skills(skills)
        snapshot.items = {course_id: item_of(course) for course_id, course in snapshot.courses.items()}
        for course in snapshot.courses.values():
            for label in (*course.topics, *course.skills):
                snapshot._topic_index.setdefault(field_key(label), set()).add(course.id)
        snapshot.course_by_key = {field_key(course_id): course_id for course_id in snapshot.courses}
        snapshot.folded_labels = {course.id: frozenset(label.casefold() for label in (*course.skills, *course.topics))
                                  for course in snapshot.courses.values()}
        snapshot._published = frozenset(c.id for c in snapshot.courses.values() if c.published)
        return snapshot

    def _index_skills(self, skills: Iterable[Skill]) -> None:
        self.skills = {skill.id: skill for skill in skills}
        self.prerequisites = {skill.id: skill.prerequisites for skill in self.skills.values()}
        self.skill_names = {skill.id: skill.name for skill in self.skills.values()}
        for skill in self.skills.values():
            self.skill_by_label.setdefault(skill.name.casefold(), skill.id)
            self.skill_by_label[skill.id.casefold()] = skill.id
        for course in self.courses.values():
            found = [self.skill_by_label.get(label.casefold()) for label in course.skills]
            self.course_skills[course.id] = list(dict.fromkeys(skill for skill in found if skill is not None))

    def skill_ids(self, labels: Iterable[str]) -> list[str]:
        """The graph skills named (by id or name, any case) in `labels`."""
        found = [self.skill_by_label.get(label.casefold()) for label in labels]
        return list(dict.fromkeys(skill for skill in found if skill is not None))

    def allowed(self, filters: CourseFilters) -> frozenset[str]:
        """Published courses that pass every filter."""
        if filters == CourseFilters():
            return self._published
        return frozenset(cid for cid in self._published if _passes(self.courses[cid], filters))

    def with_topics(self, topic_keys: Iterable[str]) -> set[str]:
        """Courses carrying any of the topics or skills (by `field_key`)."""
        found: set[str] = set()
        for key in topic_keys:
            found |= self._topic_index.get(key, set())
        return found

    def popularity(self) -> list[Interaction]:
        """Pseudo-interactions from the catalog's own counts, for popularity before anything is trained."""
        signals = []
        for course in self.courses.values():
            weight = float(course.enrollment_count + course.stats.enrollments + 2 * course.stats.completions)
            weight += (course.rating or 0.0) * min(course.rating_count, 1_000) / 1_000
            signals.append(Interaction("catalog", course.id, float(weight) + 1e-6, None, "catalog"))
        return signals


def _passes(course: Course, filters: CourseFilters) -> bool:
    if filters.skills and not set(course.skill_keys) & {skill.casefold() for skill in filters.skills}:
        return False
    if filters.level and (course.level is None or course.level.value != filters.level.casefold()):
        return False
    if filters.language and course.language.casefold() != filters.language.casefold():
        return False
    if filters.format and (course.format is None or course.format.value != filters.format.casefold()):
        return False
    return not (filters.max_minutes is not None
                and (course.duration_minutes is None or course.duration_minutes > filters.max_minutes))


async def _collection_stamp(model: type[Course] | type[Skill]) -> tuple[int, str]:
    """(documents, latest `updated_at`): the collection's metadata count and one indexed read, not a scan. Every
    process polls it every few seconds; counting and scanning 1,000 courses took ~200 ms of the embedded store's
    time each poll, and grows with the catalog. Catalog writes replace whole documents, so `updated_at` is a date
    (a `$set` of a date is stored as text by the embedded store, which sorts below dates: tests/store)."""
    collection = model.get_pymongo_collection()
    count = await collection.estimated_document_count()
    latest: Any = None
    async for row in collection.find({}, {"updated_at": 1}).sort("updated_at", DESCENDING).limit(1):
        latest = row.get("updated_at")
    return count, latest.isoformat() if isinstance(latest, datetime) else ""


async def catalog_stamp() -> Stamp:
    """(courses, latest course update, skills, latest skill update): changes whenever either changes."""
    return (*await _collection_stamp(Course), *await _collection_stamp(Skill))


async def load_catalog() -> CatalogSnapshot:
    stamp = await catalog_stamp()
    snapshot = CatalogSnapshot.of(await Course.find_all().to_list(), stamp, await Skill.find_all().to_list())
    for listener in list(_catalog_listeners):
        listener(snapshot)
    return snapshot


CatalogListener = Callable[[CatalogSnapshot], None]
_catalog_listeners: list[CatalogListener] = []


def on_catalog_loaded(listener: CatalogListener) -> Callable[[], None]:
    """Call `listener` with every snapshot loaded (e.g. to index it for search, with no read of its own);
    returns the function that stops it. Listeners must be quick."""
    _catalog_listeners.append(listener)
    return lambda: _catalog_listeners.remove(listener) if listener in _catalog_listeners else None
