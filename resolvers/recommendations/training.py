"""Use case: `pathwise train` — fit recommenders on the store's data and publish versioned artifacts.

Training is offline: it runs in the CLI process, never in a request. Each recommender is fitted on the same
snapshot of the data and published to the artifact store stamped with its configuration hash; a running
server picks the new version up on its next poll. Composite recommenders (`hybrid`) have no artifacts of
their own: the server composes them from their trained components.
"""

import asyncio
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial

from app.core.settings import Settings
from app.core.timestamps import utcnow
from plugins.registry import Registry, get_registry
from recommenders.artifacts import ArtifactStore, Manifest, artifact_root, is_composite, training_config
from recommenders.base import Recommender, TrainingData
from recommenders.progress import reporting
from resolvers.purposes import default_purposes
from resolvers.recommendations.training_data import training_data

Step = Callable[[str, str], None]  # (recommender or "data", what is happening)


@dataclass(frozen=True)
class Trained:
    name: str
    manifest: Manifest | None  # None: composed at serving time, nothing to train
    seconds: float


def to_train(settings: Settings, names: Sequence[str] | None, registry: Registry) -> list[type[Recommender]]:
    """The named recommenders (any installed), or every enabled one; UnknownRecommenderError otherwise."""
    return registry.select(list(names) if names else settings.recommenders)


async def train_recommenders(settings: Settings, names: Sequence[str] | None = None, step: Step | None = None,
                             registry: Registry | None = None) -> list[Trained]:
    """Fit and publish each recommender; an error in one stops the run (earlier ones stay published)."""
    note = step or (lambda _name, _what: None)
    classes = to_train(settings, names, registry or get_registry())
    data = await training_data(utcnow(), settings.interest_half_life_days, default_purposes(settings.default_consents),
                               lambda what: note("data", f"reading {what}"))
    learners = len({signal.user_id for signal in data.interactions})
    note("data", f"read {len(data.items):,} courses, {len(data.interactions):,} signals of {learners:,} learners")
    store = ArtifactStore(artifact_root(settings.data_dir))
    results = []
    for cls in classes:
        if is_composite(cls):
            results.append(Trained(cls.name, None, 0.0))
            continue
        note(cls.name, "fitting")
        with reporting(partial(_counted, note, cls.name)):
            results.append(await asyncio.to_thread(_fit_and_publish, cls, data, store))
        note(cls.name, "published")
    return results


def _counted(note: Step, name: str, what: str, done: int, total: int) -> None:
    note(name, f"{what} {done:,}/{total:,}")


def _fit_and_publish(cls: type[Recommender], data: TrainingData, store: ArtifactStore) -> Trained:
    started = time.perf_counter()
    recommender = cls()
    recommender.fit(data)
    counts = {"items": len(data.items), "interactions": len(data.interactions),
              "learners": len({signal.user_id for signal in data.interactions})}
    manifest = store.publish(cls.name, cls.version, training_config(recommender), recommender.save, counts)
    return Trained(cls.name, manifest, time.perf_counter() - started)
