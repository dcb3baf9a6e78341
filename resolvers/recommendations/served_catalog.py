"""The catalog being served: its snapshot, and popularity from the catalog's own counts (what answers, and pads
short lists, before anything is trained)."""

from collections.abc import Iterable

from recommenders.base import TrainingData
from recommenders.popular import Popular
from resolvers.courses.snapshot import CatalogSnapshot, catalog_stamp, load_catalog
from resolvers.profile.folding import CourseFacts, facts_of


class ServedCatalog:
    def __init__(self) -> None:
        self.snapshot = CatalogSnapshot()
        self.popular = Popular()

    def course_facts(self, course_ids: Iterable[str]) -> dict[str, CourseFacts]:
        """What folding events needs of the courses the snapshot holds (`folding.KnownCourses`): a one-event
        `trackEvents` call then reads no course from the store. The snapshot is at most a catalog poll behind."""
        courses = self.snapshot.courses
        return {course_id: facts_of(course.skills, course.topics, course.format.value if course.format else None,
                                    course.duration_minutes)
                for course_id in course_ids if (course := courses.get(course_id)) is not None}

    async def changed(self) -> bool:
        """Whether the stored catalog differs from the snapshot (a cheap probe)."""
        return await catalog_stamp() != self.snapshot.stamp

    async def reload(self) -> CatalogSnapshot:
        """Read the catalog again and serve it; the new snapshot."""
        catalog = await load_catalog()
        popular = Popular()
        popular.fit(TrainingData(catalog.items, catalog.popularity()))
        self.snapshot, self.popular = catalog, popular
        return catalog
