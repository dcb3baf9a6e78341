"""`pathwise train`: the real command on the session store, writing versioned artifacts."""

import json
import uuid
from pathlib import Path

import pytest

from recommenders.artifacts import ArtifactStore
from tests.app.cli.test_cli import pathwise
from tests.conftest import shared_data


@pytest.fixture
def store_env(mongo_uri: str) -> dict[str, str]:
    return {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"train_{uuid.uuid4().hex[:8]}"}


def test_train_publishes_a_stamped_version_per_recommender(store_env: dict[str, str], tmp_path: Path) -> None:
    env = store_env
    done = pathwise("train", "--data-dir", str(tmp_path), env=env, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "hybrid: composed from its components" in done.stdout
    store = ArtifactStore(tmp_path / "artifacts")
    for name in ("content", "cf", "sequence", "popular"):
        manifest = store.current(name)
        assert manifest is not None and f"{name}: artifact {manifest.version}" in done.stdout.replace("\n", "")
        written = json.loads((store.directory(manifest) / "manifest.json").read_text())
        assert written["config_hash"] == manifest.config_hash and manifest.version.endswith(manifest.config_hash)
    again = pathwise("train", "-r", "popular", "--data-dir", str(tmp_path), env=env, timeout=300)
    assert again.returncode == 0, again.stderr
    newer = store.current("popular")
    assert newer is not None and "popular: artifact " + newer.version in again.stdout.replace("\n", "")


def test_an_unknown_recommender_is_refused_listing_the_installed(store_env: dict[str, str], tmp_path: Path) -> None:
    done = pathwise("train", "-r", "nope", "--data-dir", str(tmp_path), env=store_env)
    assert done.returncode == 2
    assert "unknown recommender(s) nope" in done.stderr and "popular" in done.stderr
    assert not (tmp_path / "artifacts").exists()


def test_dataset_goes_with_knowledge_only(store_env: dict[str, str], tmp_path: Path) -> None:
    done = pathwise("train", "--dataset", str(tmp_path), "--data-dir", str(tmp_path), env=store_env)
    assert done.returncode == 2 and "--dataset goes with --knowledge" in done.stderr


def test_knowledge_without_enough_answers_explains_and_fails(store_env: dict[str, str], tmp_path: Path) -> None:
    env = store_env
    done = pathwise("train", "--knowledge", "--data-dir", str(tmp_path), env=env)
    assert done.returncode == 1
    assert "at least 50 are needed" in done.stderr.replace("\n", " ")


def test_knowledge_from_an_assistments_folder(store_env: dict[str, str], tmp_path: Path) -> None:
    folder = shared_data("assist2009")
    done = pathwise("train", "--knowledge", "--dataset", str(folder), "--data-dir", str(tmp_path),
                    env=store_env, timeout=600)
    assert done.returncode == 0, done.stderr
    assert ArtifactStore(tmp_path / "artifacts").current("knowledge") is not None
