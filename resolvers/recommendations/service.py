"""The recommendation service: what the resolvers call to serve recommendations — the configured recommenders
by name, a time budget per call, `popular` as the fallback, never training inside a request — composed from the
pieces that load models (`models`), hold the catalog (`served_catalog`), cache answers per learner (`cache`),
keep them current in the background (`refreshing`, `background`, `profile_warming`), and the knowledge model.

Start-up loads the current artifact of every configured recommender whose configuration hash matches the
installed code (`pathwise train` writes them); one missing, stale or unloadable is reported by the
`recommenders` query and left out. Before anything is trained, popularity comes from the catalog's counts.
"""

import asyncio
import contextlib
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from app.core.settings import Settings
from plugins.registry import Registry, configured_recommenders, get_registry
from recommenders.artifacts import ArtifactStore, artifact_root
from recommenders.base import Recommendation, RecommendationRequest, Recommender
from recommenders.content import Content
from recommenders.knowledge.loading import TrackerLoader
from recommenders.popular import Popular
from recommenders.postprocessing import shared_labels
from resolvers.courses.snapshot import CatalogSnapshot
from resolvers.learner_changes import on_profile_written
from resolvers.recommendations.background import BackgroundWork, poll_forever
from resolvers.recommendations.cache import LearnerCache
from resolvers.recommendations.models import RecommenderModels, RecommenderStatus
from resolvers.recommendations.profile_warming import ProfileWarmer
from resolvers.recommendations.refreshing import CONTENT, Refresher
from resolvers.recommendations.served_catalog import ServedCatalog
from resolvers.recommendations.states import ServingStates
from resolvers.recommendations.tallies import FLUSH_SECONDS, ServingTallies

log = logging.getLogger("pathwise.recommendations")
FALLBACK = "popular"
QUEUE_WAIT_FACTOR = 10  # a request waiting this many budgets for a recommender thread is answered by popular
AUTO = "auto"
STOP_WAIT_SECONDS = 3.0  # for the poller and the warmer to end once cancelled


@dataclass(frozen=True)
class Outcome:
    recommendations: list[Recommendation]
    strategy: str
    fallback: bool
    problem: str | None = None
    provisional: bool = False  # the learner's new profile text was not embedded yet


class RecommendationService:
    def __init__(self, settings: Settings, registry: Registry | None = None,
                 knowledge: TrackerLoader | None = None) -> None:
        self.settings = settings
        self.registry = registry or get_registry()
        store = ArtifactStore(artifact_root(settings.data_dir))
        self.models = RecommenderModels(store, configured_recommenders(settings, self.registry))
        self.knowledge = knowledge or TrackerLoader(store, settings.mastery_half_life_days)
        self.served_catalog = ServedCatalog()
        self.cache: LearnerCache[Any] = LearnerCache(settings.recommendation_cache_seconds,
                                                     settings.recommendation_cache_size)
        # learners' prepared states (resolvers.recommendations.preparation.Prepared), kept while nothing changes
        self.states: ServingStates[Any] = ServingStates(settings.serving_state_size,
                                                         settings.serving_state_refresh_seconds)
        self.executor = ThreadPoolExecutor(settings.recommendation_threads, thread_name_prefix="recommend")
        self.background = BackgroundWork()  # loading and embedding: never in a request's way
        self.refresher = Refresher(settings, self.models, self.served_catalog, (self.cache, self.states),
                                   self.background)
        self.profiles = ProfileWarmer(settings, lambda: self.model(CONTENT), self.background)
        self.tallies = ServingTallies()  # what was served, added to the store every FLUSH_SECONDS
        self._tasks: set[asyncio.Task[Any]] = set()
        self._warming: asyncio.Task[Any] | None = None
        self._stop_listening: Callable[[], None] = lambda: None

    @property
    def catalog(self) -> CatalogSnapshot:
        return self.served_catalog.snapshot

    @property
    def catalog_popular(self) -> Popular:
        return self.served_catalog.popular

    # life cycle -------------------------------------------------------------------------------------------
    async def start(self, poll: bool = True) -> None:
        await self.refresher.refresh_catalog()
        await self.refresher.refresh_artifacts(labels=False)  # labels after the profiles (`_warm_profiles`)
        self._stop_listening = on_profile_written(self.profiles.profile_written)
        if poll:
            interval = min(self.settings.artifact_poll_seconds, self.settings.catalog_poll_seconds)
            poller = poll_forever(interval, self.refresher.refresh)
            self._warming = asyncio.create_task(self._warm_profiles(), name="profile-warmer")
            self._tasks = {asyncio.create_task(poller, name="recommendation-poller"), self._warming,
                           asyncio.create_task(poll_forever(FLUSH_SECONDS, self._flush_tallies),
                                               name="serving-tallies")}
        else:
            self.refresher.prepare_labels()

    async def _warm_profiles(self) -> None:
        """Known learners' profile texts embedded first (a restart must not be felt), then the catalog's labels
        (which stand for a new learner's profile until it is embedded)."""
        try:
            await self.profiles.warm()
        finally:
            self.refresher.prepare_labels()

    async def profiles_warmed(self, timeout_s: float) -> None:
        """Once learners' profiles embedded at start-up are (or `timeout_s` has passed)."""
        if self._warming is not None:
            await asyncio.wait([self._warming], timeout=timeout_s)

    async def stop(self) -> None:
        self.background.cancel()  # long background work (embedding a catalog) ends at its next progress report
        self._stop_listening()
        for task in self._tasks:
            task.cancel()
        if self._tasks:  # a task stuck in a database call or in the model must not hold up the shutdown
            await asyncio.wait(self._tasks, timeout=STOP_WAIT_SECONDS)
            with contextlib.suppress(TimeoutError):  # the last counts, if the store answers in time
                await asyncio.wait_for(self.tallies.flush(), STOP_WAIT_SECONDS)
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.background.shutdown()

    async def _flush_tallies(self) -> None:
        await self.tallies.flush()

    # serving ----------------------------------------------------------------------------------------------
    def strategies(self) -> list[str]:
        return [AUTO, *self.models.order]

    def resolve(self, strategy: str) -> str | None:
        """The configured recommender a strategy name means, or None when it is not one."""
        if strategy == AUTO:
            return self.models.order[0] if self.models.order else FALLBACK
        return strategy if strategy in self.models.slots else None

    def statuses(self) -> list[RecommenderStatus]:
        """Every installed recommender, with what this server serves for it."""
        return [self.models.status(info) for info in self.registry.describe()]

    def model(self, name: str) -> Recommender | None:
        return self.models.model(name)

    async def recommend(self, name: str, request: RecommendationRequest) -> Outcome:
        """`name`'s recommendations within the time budget; `popular` when it is untrained, raises or is late."""
        model = self.model(name)
        if model is None:
            return self._fallback(name, request, f"{name} is not trained yet")
        # read before the call: a profile embedded while the recommender ran may not have been used by it
        ready = self.profile_ready(request)
        try:
            found = await self._within_budget(model, request)
        except TimeoutError:
            return self._fallback(name, request, f"{name} exceeded its {self.settings.recommendation_budget_ms} ms")
        except Exception as error:
            log.exception("recommender %s failed", name)
            return self._fallback(name, request, f"{name} failed: {type(error).__name__}")
        if not found and name != FALLBACK:
            return self._fallback(name, request, f"{name} had nothing for this learner")
        return Outcome(found, name, False, provisional=not ready)

    def profile_ready(self, request: RecommendationRequest) -> bool:
        """Whether the learner's profile text is embedded (or content is not served): else the answer stood on
        their declared labels and history alone, and is not cached."""
        content = self.model(CONTENT)
        return not isinstance(content, Content) or content.profile_ready(request.learner)

    async def _within_budget(self, model: Recommender, request: RecommendationRequest) -> list[Recommendation]:
        """`model.recommend(request)` in a worker thread; TimeoutError once it has run longer than the budget
        (time spent waiting for a free thread does not count, up to QUEUE_WAIT_FACTOR budgets)."""
        loop = asyncio.get_running_loop()
        started: asyncio.Future[None] = loop.create_future()

        def mark_started() -> None:
            if not started.done():
                started.set_result(None)

        def run() -> list[Recommendation]:
            loop.call_soon_threadsafe(mark_started)
            return model.recommend(request)

        budget = self.settings.recommendation_budget_ms / 1000
        running = loop.run_in_executor(self.executor, run)
        await asyncio.wait_for(asyncio.shield(started), budget * QUEUE_WAIT_FACTOR)
        return await asyncio.wait_for(running, budget)

    def _fallback(self, name: str, request: RecommendationRequest, problem: str) -> Outcome:
        popular = self.model(FALLBACK) or self.catalog_popular
        try:
            found = popular.recommend(request)
        except Exception:
            log.exception("the popular fallback failed")
            found = []
        if not found and popular is not self.catalog_popular:
            found = self.catalog_popular.recommend(request)
        return Outcome(found, FALLBACK, name != FALLBACK, problem)

    def similar(self, course_id: str, k: int, exclude: frozenset[str]) -> list[Recommendation]:
        """Courses most like `course_id`: by content embeddings when trained, else by shared skills and topics."""
        content = self.model(CONTENT)
        if isinstance(content, Content) and course_id in content.positions:
            return content.similar(course_id, k, exclude)
        return shared_labels(self.catalog.items, course_id, k, exclude)
