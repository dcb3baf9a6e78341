"""resolvers.recommendations.models: configured recommenders loaded from artifacts, composites composed, and
each one's status as a value."""

from pathlib import Path

from plugins.registry import RecommenderInfo
from recommenders.artifacts import ArtifactStore, training_config
from recommenders.base import Interaction, Item, TrainingData
from recommenders.hybrid import Hybrid
from recommenders.loading import ModelStatus
from recommenders.popular import Popular
from resolvers.recommendations.models import RecommenderModels


def info(name: str) -> RecommenderInfo:
    return RecommenderInfo(name, "1", "", "test")


def publish_popular(store: ArtifactStore, config: dict[str, object] | None = None) -> None:
    popular = Popular()
    popular.fit(TrainingData({"a": Item("a", "A", "")}, [Interaction("u", "a", 1.0, None, "enroll")]))
    store.publish("popular", Popular.version, config or training_config(popular), popular.save)


def models_in(tmp_path: Path) -> RecommenderModels:
    return RecommenderModels(ArtifactStore(tmp_path), [Hybrid, Popular])


def test_before_training_nothing_is_served_and_unconfigured_ones_are_disabled(tmp_path: Path) -> None:
    models = models_in(tmp_path)
    assert models.outdated() == [("popular", None)]  # never published: looked for on every refresh
    models.compose()
    assert models.status(info("popular")).status is ModelStatus.NOT_TRAINED
    assert models.status(info("hybrid")).status is ModelStatus.NOT_TRAINED
    disabled = models.status(info("cf"))
    assert disabled.status is ModelStatus.DISABLED and not disabled.enabled


def test_a_loaded_artifact_is_ready_and_composites_are_composed_from_it(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    publish_popular(store)
    models = RecommenderModels(store, [Hybrid, Popular])
    [(name, stamp)] = models.outdated()
    models.load(name, stamp, lambda model: model)
    models.compose()
    assert models.outdated() == []
    ready = models.status(info("popular"))
    assert ready.status is ModelStatus.READY and ready.manifest == store.current("popular")
    assert models.status(info("hybrid")).status is ModelStatus.COMPOSED
    assert isinstance(models.model("hybrid"), Hybrid)


def test_an_artifact_of_another_configuration_is_stale(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    publish_popular(store, {"recommender": "popular", "version": "0"})
    models = RecommenderModels(store, [Popular])
    [(name, stamp)] = models.outdated()
    models.load(name, stamp, lambda model: model)
    stale = models.status(info("popular"))
    assert stale.status is ModelStatus.STALE and stale.manifest is None and models.model("popular") is None
