"""TrackerLoader: the knowledge model picked up from the artifact store without restart."""

from pathlib import Path

from recommenders.artifacts import ArtifactStore
from recommenders.knowledge import LogisticKnowledge
from recommenders.knowledge.loading import TrackerLoader
from recommenders.knowledge.serving import save_artifact
from recommenders.loading import ModelStatus
from tests.recommenders.knowledge_data import learners


def publish(root: Path, skills: dict[str, int]) -> None:
    model = LogisticKnowledge().fit(learners(60))
    ArtifactStore(root).publish("knowledge", "logistic-1", {"n": len(skills)},
                                lambda path: save_artifact(path, model, skills))


def test_a_newly_published_model_is_used_without_restart(tmp_path: Path) -> None:
    clock = [0.0]
    loader = TrackerLoader(ArtifactStore(tmp_path), 90, 5.0, lambda: clock[0])
    assert not loader.tracker().trained  # cold start
    publish(tmp_path, {"algebra": 1})
    clock[0] = 4.0
    assert not loader.tracker().trained  # not checked again yet
    clock[0] = 5.0
    first = loader.tracker()
    assert first.trained and first.vocabulary == {"algebra": 1}
    assert loader.slot.status is ModelStatus.READY
    publish(tmp_path, {"algebra": 2})
    clock[0] = 10.0
    assert loader.tracker() is not first and loader.tracker().vocabulary == {"algebra": 2}


def test_a_broken_artifact_keeps_the_model_in_use(tmp_path: Path) -> None:
    loader = TrackerLoader(ArtifactStore(tmp_path), 90, 0.0)
    publish(tmp_path, {"algebra": 1})
    working = loader.tracker()
    ArtifactStore(tmp_path).publish("knowledge", "logistic-1", {}, lambda path: None)
    assert loader.tracker() is working
    assert loader.slot.status is ModelStatus.READY and "failed to load" in (loader.slot.problem or "")
