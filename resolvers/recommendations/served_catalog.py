"""The catalog being served: its snapshot, and popularity from the catalog's own counts (what answers, and pads
short lists, before anything is trained)."""

from recommenders.base import TrainingData
from recommenders.popular import Popular
from resolvers.courses.snapshot import CatalogSnapshot, catalog_stamp, load_catalog


class ServedCatalog:
    def __init__(self) -> None:
        self.snapshot = CatalogSnapshot()
        self.popular = Popular()

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
