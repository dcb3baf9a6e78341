"""recommenders.artifacts: versioned, atomically published artifact directories, and how they are named and
stamped."""

from collections.abc import Callable
from pathlib import Path

import pytest

from recommenders.artifacts import (
    ArtifactStore,
    Manifest,
    artifact_root,
    config_hash,
    expected_hash,
    is_composite,
    training_config,
)
from recommenders.hybrid import Hybrid
from recommenders.popular import Popular


def write(text: str) -> Callable[[Path], None]:
    def writer(directory: Path) -> None:
        (directory / "model.txt").write_text(text)

    return writer


def test_config_hash_is_stable_and_order_free() -> None:
    assert config_hash({"a": 1, "b": "x"}) == config_hash({"b": "x", "a": 1})
    assert config_hash({"a": 1}) != config_hash({"a": 2})


def test_publish_makes_the_new_version_current(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    assert store.current("cf") is None and store.stamp("cf") is None
    first = store.publish("cf", "1", {"lambda": 300}, write("one"), {"items": 3})
    assert store.current("cf") == first
    assert (store.directory(first) / "model.txt").read_text() == "one"
    assert first.version.endswith(first.config_hash) and first.counts == {"items": 3}
    stamp = store.stamp("cf")
    second = store.publish("cf", "1", {"lambda": 300}, write("two"))
    assert store.current("cf") == second and second.version > first.version
    assert store.stamp("cf") != stamp


def test_old_versions_are_pruned(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path, keep=2)
    versions = [store.publish("p", "1", {}, write(str(n))).version for n in range(4)]
    kept = sorted(p.name for p in (tmp_path / "p").iterdir() if p.is_dir())
    assert kept == versions[2:]


def test_a_failed_write_publishes_nothing(tmp_path: Path) -> None:
    store = ArtifactStore(tmp_path)
    good = store.publish("c", "1", {}, write("ok"))

    def broken(directory: Path) -> None:
        (directory / "half.bin").write_bytes(b"x")
        raise OSError("disk full")

    with pytest.raises(OSError):
        store.publish("c", "1", {}, broken)
    assert store.current("c") == good
    assert [p.name for p in (tmp_path / "c").iterdir() if p.is_dir()] == [good.version]


def test_a_manifest_round_trips_and_refuses_foreign_json() -> None:
    manifest = ArtifactStore(Path("/nonexistent")).current("x")
    assert manifest is None
    with pytest.raises(ValueError, match="not a Pathwise artifact"):
        Manifest.from_json('{"name": "x"}')


def test_artifacts_live_under_the_data_directory(tmp_path: Path) -> None:
    assert artifact_root(tmp_path) == tmp_path / "artifacts"


def test_the_expected_hash_is_that_of_the_training_config() -> None:
    assert training_config(Popular())["recommender"] == "popular"
    assert expected_hash(Popular) == config_hash(training_config(Popular()))


def test_only_recommenders_with_compose_are_composite() -> None:
    assert is_composite(Hybrid) and not is_composite(Popular)
