"""recommenders.loading: a slot's artifact loaded when its stamp changes, with an explicit status."""

from pathlib import Path

from recommenders.artifacts import ArtifactStore
from recommenders.loading import ArtifactLoader, ModelSlot, ModelStatus


def publish(store: ArtifactStore, text: str, config: dict[str, object] | None = None) -> str:
    manifest = store.publish("m", "1", config or {}, lambda d: (d / "model.txt").write_text(text))
    return manifest.config_hash


def read(directory: Path) -> str:
    text = (directory / "model.txt").read_text()
    if text == "broken":
        raise ValueError("not a model")
    return text


def test_a_slot_starts_not_trained_and_serves_what_is_published(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    loader, slot = ArtifactLoader(store), ModelSlot[str]("m")
    assert slot.status is ModelStatus.NOT_TRAINED and not loader.load(slot, loader.stamp(slot), read)
    publish(store, "one")
    stamp = loader.stamp(slot)
    assert not slot.looked_at(stamp)
    assert loader.load(slot, stamp, read, prepare=str.upper)
    assert (slot.model, slot.status, slot.problem) == ("ONE", ModelStatus.READY, None)
    assert slot.looked_at(stamp) and slot.manifest == store.current("m")


def test_another_configuration_is_stale_and_keeps_nothing_or_the_model_in_use(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    loader, slot = ArtifactLoader(store), ModelSlot[str]("m")
    publish(store, "one", {"a": 1})
    assert not loader.load(slot, loader.stamp(slot), read, expected_hash="other")
    assert slot.status is ModelStatus.STALE and "another configuration" in (slot.problem or "")
    good = publish(store, "two", {"a": 2})
    assert loader.load(slot, loader.stamp(slot), read, expected_hash=good)
    publish(store, "three", {"a": 3})
    assert not loader.load(slot, loader.stamp(slot), read, expected_hash=good)
    assert slot.model == "two" and slot.status is ModelStatus.READY and slot.problem


def test_an_artifact_that_fails_to_load_is_reported_not_raised(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    loader, slot = ArtifactLoader(store), ModelSlot[str]("m")
    publish(store, "broken")
    assert not loader.load(slot, loader.stamp(slot), read)
    assert slot.status is ModelStatus.FAILED and "failed to load: not a model" in (slot.problem or "")
