"""The recommendation service: the configured recommenders loaded from their trained artifacts, the catalog
in memory, and the rules of serving — a time budget per call, `popular` as the fallback, never training
inside a request.

Start-up loads the current artifact of every configured recommender whose configuration hash matches the
installed code (`pathwise train` writes them); one missing, stale or unloadable is reported by the
`recommenders` query and left out. A background task polls the artifact store and the catalog: a newer
artifact is loaded and swapped in without a restart; new courses are embedded into (a copy of) the content
index. Composite recommenders (those with a `compose` class method, e.g. `hybrid`) are assembled from the
loaded components, not loaded twice. Before anything is trained, popularity comes from the catalog's counts.
"""

import asyncio
import copy
import logging
import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import faiss
import numpy as np

from app.documents import User
from app.documents.timestamps import utcnow
from app.sealed_fields import iterate_opened
from app.settings import Settings
from plugins.registry import RecommenderInfo, Registry, configured_recommenders, get_registry
from recommenders import embeddings
from recommenders.artifacts import ArtifactStore, Manifest, config_hash
from recommenders.base import Item, Reason, Recommendation, RecommendationRequest, Recommender, TrainingData
from recommenders.content import PROFILE_VECTORS, Content, profile_text
from recommenders.popular import Popular
from recommenders.progress import Cancelled, reporting
from resolvers.catalog_snapshot import CatalogSnapshot, catalog_stamp, load_catalog
from resolvers.errors import store_unavailable
from resolvers.learner_changes import on_profile_written
from resolvers.learners import learner_of
from resolvers.purposes import default_purposes
from resolvers.recommendation_cache import LearnerCache

log = logging.getLogger("pathwise.recommendations")
T = TypeVar("T")
FALLBACK = "popular"
QUEUE_WAIT_FACTOR = 10  # a request waiting this many budgets for a recommender thread is answered by popular
AUTO = "auto"
STOP_WAIT_SECONDS = 3.0  # for the poller and the warmer to end once cancelled
PROFILE_WAIT_SHARE = 0.6  # of the time budget, waited for a new profile text's embedding


def artifact_root(settings: Settings) -> Path:
    return settings.data_dir / "artifacts"


def expected_hash(cls: type[Recommender]) -> str:
    """The configuration hash artifacts of `cls` must carry to be served."""
    return config_hash(training_config(cls()))


def training_config(recommender: Recommender) -> dict[str, Any]:
    return {"recommender": recommender.name, "version": recommender.version, **recommender.config()}


def is_composite(cls: type[Recommender]) -> bool:
    return callable(getattr(cls, "compose", None))


@dataclass
class Slot:
    """One configured recommender and what is loaded for it."""

    cls: type[Recommender]
    model: Recommender | None = None
    manifest: Manifest | None = None
    problem: str | None = "not trained yet: run `pathwise train`"
    stamp: tuple[int, int] | None = None


@dataclass(frozen=True)
class RecommenderStatus:
    info: RecommenderInfo
    enabled: bool
    manifest: Manifest | None
    status: str  # READY, COMPOSED, NOT_TRAINED, STALE, FAILED, DISABLED
    problem: str | None


@dataclass(frozen=True)
class Outcome:
    recommendations: list[Recommendation]
    strategy: str
    fallback: bool
    problem: str | None = None
    provisional: bool = False  # the learner's new profile text was not embedded yet


class RecommendationService:
    def __init__(self, settings: Settings, registry: Registry | None = None) -> None:
        self.settings = settings
        self.store = ArtifactStore(artifact_root(settings))
        self.registry = registry or get_registry()
        classes = configured_recommenders(settings, self.registry)
        self.slots: dict[str, Slot] = {cls.name: Slot(cls) for cls in classes}
        self.order = [cls.name for cls in classes]
        self.catalog = CatalogSnapshot()
        self.catalog_popular = Popular()
        self.executor = ThreadPoolExecutor(settings.recommendation_threads, thread_name_prefix="recommend")
        # loading artifacts, embedding new courses and warming profiles: never in a request's way
        self.background = ThreadPoolExecutor(1, thread_name_prefix="recommend-background")
        self.cache: LearnerCache[Any] = LearnerCache(settings.recommendation_cache_seconds,
                                                     settings.recommendation_cache_size)
        self._poller: asyncio.Task[None] | None = None
        self._warmer: asyncio.Task[int] | None = None
        self._stop_listening: Callable[[], None] = lambda: None
        self._stopping = threading.Event()

    # life cycle -------------------------------------------------------------------------------------------
    async def start(self, poll: bool = True) -> None:
        await self.refresh_catalog()
        await self.refresh_artifacts()
        self._stop_listening = on_profile_written(self.profile_written)
        if poll:
            self._poller = asyncio.create_task(self._poll(), name="recommendation-poller")
            self._warmer = asyncio.create_task(self.warm_profiles(), name="profile-warmer")

    async def stop(self) -> None:
        self._stopping.set()  # long background work (embedding a catalog) ends at its next progress report
        self._stop_listening()
        tasks = {task for task in (self._poller, self._warmer) if task is not None}
        for task in tasks:
            task.cancel()
        if tasks:  # a task stuck in a database call or in the model must not hold up the shutdown
            await asyncio.wait(tasks, timeout=STOP_WAIT_SECONDS)
        for executor in (self.executor, self.background):
            executor.shutdown(wait=False, cancel_futures=True)

    def _cancellable(self, work: Callable[..., T], *args: Any) -> Callable[[], T]:
        """`work(*args)` for the background thread, cut short (`Cancelled`) once the service is stopping: a
        thread still embedding would keep the process alive after SIGTERM."""

        def run() -> T:
            with reporting(self._abort_if_stopping):
                return work(*args)

        return run

    async def _in_background(self, work: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self.background, self._cancellable(work, *args))

    def _abort_if_stopping(self, what: str, done: int, total: int) -> None:
        if self._stopping.is_set():
            raise Cancelled(f"stopped while {what} ({done}/{total})")

    async def _poll(self) -> None:
        interval = min(self.settings.artifact_poll_seconds, self.settings.catalog_poll_seconds)
        while True:
            await asyncio.sleep(interval)
            try:
                await self.refresh_artifacts()
                if await catalog_stamp() != self.catalog.stamp:
                    await self.refresh_catalog()
            except Exception as error:  # a failed poll must not stop serving; it is retried next time
                if store_unavailable(error):
                    log.warning("refreshing recommenders: the store did not answer (%s)", type(error).__name__)
                else:
                    log.exception("refreshing recommenders failed")

    async def warm_profiles(self) -> int:
        """Embed learners' profile texts ahead of their requests (the first request would otherwise embed
        it); at most the profile cache's size. How many were embedded."""
        if not isinstance(self.model("content"), Content):
            return 0
        now, defaults = utcnow(), default_purposes(self.settings.default_consents)
        texts = []
        async for user in iterate_opened(User, {}, limit=PROFILE_VECTORS.size):  # profile texts are sealed
            learner = learner_of(user, [], [], now, self.settings.interest_half_life_days, defaults)
            texts.append(profile_text(learner))
        try:
            embedded = await self._in_background(PROFILE_VECTORS.warm, texts)
        except Exception:  # warming is an optimisation: a failure only means cold first requests
            log.exception("warming profile vectors failed")
            return 0
        log.info("embedded %d learner profiles ahead of their requests", embedded)
        return embedded

    # loading ----------------------------------------------------------------------------------------------
    async def refresh_artifacts(self) -> None:
        """Load every artifact that changed since the last look, then recompose composites."""
        changed = False
        for name, slot in self.slots.items():
            if is_composite(slot.cls):
                continue
            stamp = self.store.stamp(name)
            if stamp is not None and stamp == slot.stamp:
                continue
            changed = True
            await self._in_background(self._load, slot, stamp)
        if changed:
            self._compose()

    def _load(self, slot: Slot, stamp: tuple[int, int] | None) -> None:
        slot.stamp = stamp
        manifest = self.store.current(slot.cls.name)
        if manifest is None:
            return
        if manifest.config_hash != expected_hash(slot.cls):
            slot.problem = (f"artifact {manifest.version} was trained with another configuration "
                            f"(hash {manifest.config_hash}, expected {expected_hash(slot.cls)}): run `pathwise train`")
            log.warning("%s: %s", slot.cls.name, slot.problem)
            return
        try:
            model = slot.cls.load(self.store.directory(manifest))
        except Exception as error:  # a broken artifact keeps the previous model; it is reported, not raised
            slot.problem = f"artifact {manifest.version} failed to load: {error}"
            log.exception("loading %s failed", slot.cls.name)
            return
        if isinstance(model, Content):
            model = _with_items(model, self.catalog.items.values())
            model.embed_profiles_in_background(self.settings.recommendation_budget_ms * PROFILE_WAIT_SHARE / 1000)
            embeddings.encode(["warm up"])  # load the sentence model now, not in a learner's request
            self.background.submit(self._cancellable(_prepare_labels, model, self.catalog))
        slot.model, slot.manifest, slot.problem = model, manifest, None
        log.info("loaded %s artifact %s", slot.cls.name, manifest.version)

    def profile_written(self, user: User) -> None:
        """A learner's profile was just written: embed its new text now, ahead of their next request."""
        if not isinstance(self.model("content"), Content):
            return
        learner = learner_of(user, [], [], utcnow(), self.settings.interest_half_life_days,
                             default_purposes(self.settings.default_consents))
        text = profile_text(learner)
        if text:
            PROFILE_VECTORS.embed_later(text)

    def _compose(self) -> None:
        self.cache.clear()  # answers of the models being replaced
        components = {name: slot.model for name, slot in self.slots.items()
                      if slot.model is not None and not is_composite(slot.cls)}
        for slot in self.slots.values():
            if is_composite(slot.cls):
                usable = {name: model for name, model in components.items()}
                slot.model = slot.cls.compose(usable) if usable else None  # type: ignore[attr-defined]
                slot.problem = None if usable else "none of its components is trained yet: run `pathwise train`"

    async def refresh_catalog(self) -> None:
        catalog = await load_catalog()
        popular = Popular()
        popular.fit(TrainingData(catalog.items, catalog.popularity()))
        self.catalog, self.catalog_popular = catalog, popular
        self.cache.clear()
        content = self.slots.get("content")
        if content is not None and isinstance(content.model, Content):
            new = [item for item in catalog.items.values() if item.id not in content.model.positions]
            if new:
                content.model = await self._in_background(_with_items, content.model, new)
                self._compose()
            self.background.submit(self._cancellable(_prepare_labels, content.model, catalog))

    # serving ----------------------------------------------------------------------------------------------
    def strategies(self) -> list[str]:
        return [AUTO, *self.order]

    def resolve(self, strategy: str) -> str | None:
        """The configured recommender a strategy name means, or None when it is not one."""
        if strategy == AUTO:
            return self.order[0] if self.order else FALLBACK
        return strategy if strategy in self.slots else None

    def statuses(self) -> list[RecommenderStatus]:
        """Every installed recommender, with what this server serves for it."""
        return [self._status(info) for info in self.registry.describe()]

    def _status(self, info: RecommenderInfo) -> RecommenderStatus:
        slot = self.slots.get(info.name)
        if slot is None:
            return RecommenderStatus(info, False, None, "DISABLED", "not in PATHWISE_RECOMMENDERS")
        if slot.model is not None:
            return RecommenderStatus(info, True, slot.manifest, "COMPOSED" if is_composite(slot.cls) else "READY",
                                     slot.problem)
        status = ("STALE" if slot.problem and "another configuration" in slot.problem
                  else "FAILED" if slot.problem and "failed" in slot.problem else "NOT_TRAINED")
        return RecommenderStatus(info, True, None, status, slot.problem)

    def model(self, name: str) -> Recommender | None:
        slot = self.slots.get(name)
        return slot.model if slot is not None else None

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
        content = self.model("content")
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
        content = self.model("content")
        if isinstance(content, Content) and course_id in content.positions:
            return content.similar(course_id, k, exclude)
        return _shared_labels(self.catalog.items, course_id, k, exclude)


def _prepare_labels(content: Content, catalog: CatalogSnapshot) -> None:
    """Embed the catalog's skill and topic labels, so that a learner's declared goals and interests stand for
    their profile until its text is embedded."""
    try:
        labels = [label for item in catalog.items.values() for label in (*item.skills, *item.topics)]
        embedded = content.prepare_labels([*labels, *(skill.name for skill in catalog.skills.values())])
    except Cancelled:
        return
    except Exception:  # an optimisation: without label vectors a new profile waits for its own embedding
        log.exception("embedding catalog labels failed")
        return
    if embedded:
        log.info("embedded %d catalog labels for new learners' profiles", embedded)


def _with_items(content: Content, items: Any) -> Content:
    """A copy of `content` that also indexes `items` it lacks (the served copy is never mutated)."""
    fresh = [item for item in items if item.published and item.id not in content.positions]
    if not fresh:
        return content
    clone = copy.copy(content)
    clone.index = faiss.clone_index(content.index)
    clone.ids, clone.titles, clone.positions = list(content.ids), list(content.titles), dict(content.positions)
    clone.vectors = np.array(content.vectors, copy=True)
    clone.add_items(fresh)
    return clone


def _shared_labels(items: Mapping[str, Item], course_id: str, k: int, exclude: frozenset[str]) -> list[Recommendation]:
    target = items.get(course_id)
    if target is None:
        return []
    labels = {label.casefold() for label in (*target.skills, *target.topics)}
    scored = []
    for other in items.values():
        if other.id == course_id or other.id in exclude or not other.published:
            continue
        mine = {label.casefold() for label in (*other.skills, *other.topics)}
        union = labels | mine
        if union and labels & mine:
            scored.append((len(labels & mine) / len(union), other.id))
    reason = Reason("SIMILAR_TO", f"Similar to {target.title}")
    best = sorted(scored, key=lambda pair: (-pair[0], pair[1]))[:k]
    return [Recommendation(item_id, score, (reason,)) for score, item_id in best]
