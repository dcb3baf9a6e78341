"""Keeping what the recommendation service serves current: a newer artifact is loaded (in the background
thread) and swapped in without a restart, composites are recomposed, a changed catalog is reloaded and its new
courses embedded into a copy of the content index. The per-learner cache is cleared whenever answers would
change, and learners' serving states (the catalog's exclusions, the models' candidates) with it."""

from typing import Any

from app.core.settings import Settings
from recommenders import embeddings
from recommenders.base import Recommender
from recommenders.content import Content
from resolvers.recommendations.background import BackgroundWork
from resolvers.recommendations.cache import LearnerCache
from resolvers.recommendations.content_index import prepare_labels, with_items
from resolvers.recommendations.models import RecommenderModels
from resolvers.recommendations.served_catalog import ServedCatalog
from resolvers.recommendations.states import ServingStates

CONTENT = "content"
PROFILE_WAIT_SHARE = 0.6  # of the time budget, waited for a new profile text's embedding


class Refresher:
    def __init__(self, settings: Settings, models: RecommenderModels, catalog: ServedCatalog,
                 caches: tuple[LearnerCache[Any], ServingStates[Any]], background: BackgroundWork) -> None:
        self.settings, self.models, self.catalog, self.caches, self.background = (settings, models, catalog, caches,
                                                                                  background)
        self._composed = False

    async def refresh(self) -> None:
        """What the poller does: artifacts that changed, then the catalog when it changed."""
        await self.refresh_artifacts()
        if await self.catalog.changed():
            await self.refresh_catalog()

    async def refresh_artifacts(self, labels: bool = True) -> None:
        """Load every artifact that changed since the last look, then recompose composites (and drop cached
        answers) when a new model is served. A recommender never trained is looked for at every poll, which
        changes nothing served: the cache stays."""
        served_new = False
        for name, stamp in self.models.outdated():
            served_new |= await self.background.run(self.models.load, name, stamp, self._prepared)
        if served_new or not self._composed:
            self._compose()
        if served_new and labels:  # after every load: the other models wait for none of it
            self.prepare_labels()

    def prepare_labels(self) -> None:
        """Embed the catalog's labels for the served content model, in the background."""
        content = self.models.model(CONTENT)
        if isinstance(content, Content):
            self.background.submit(prepare_labels, content, self.catalog.snapshot)

    async def refresh_catalog(self) -> None:
        """Serve the stored catalog; new courses are embedded into a copy of the content index."""
        catalog = await self.catalog.reload()
        self._clear()
        content = self.models.model(CONTENT)
        if isinstance(content, Content):
            new = [item for item in catalog.items.values() if item.id not in content.positions]
            if new:
                content = await self.background.run(with_items, content, new)
                self.models.swap(CONTENT, content)
                self._compose()
            self.background.submit(prepare_labels, content, catalog)

    def _compose(self) -> None:
        self._clear()  # answers and candidates of the models being replaced
        self.models.compose()
        self._composed = True

    def _clear(self) -> None:
        for cache in self.caches:
            cache.clear()

    def _prepared(self, model: Recommender) -> Recommender:
        """A loaded content model made ready to serve (in the background thread): it indexes the catalog's
        courses, embeds new profiles in the background, and its sentence model is loaded now (not in a learner's
        request); the catalog's labels are embedded once every artifact is loaded (`refresh_artifacts`)."""
        if not isinstance(model, Content):
            return model
        model = with_items(model, self.catalog.snapshot.items.values())
        model.embed_profiles_in_background(self.settings.recommendation_budget_ms * PROFILE_WAIT_SHARE / 1000)
        embeddings.encode(["warm up"])
        return model
