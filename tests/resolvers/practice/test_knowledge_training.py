"""`train_knowledge`: LogisticKnowledge fitted on stored quiz answers or an ASSISTments folder, published as the
"knowledge" artifact with its vocabulary; too little data is refused."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from app.core.documents import Event, Exercise
from app.core.settings import Settings
from recommenders.artifacts import ArtifactStore
from recommenders.knowledge.serving import load_tracker
from resolvers.practice.knowledge_training import KnowledgeTrainingError, stored_sequences, train_knowledge
from tests.recommenders.knowledge_data import as_text, learners

pytestmark = pytest.mark.usefixtures("clean")

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def quiz(user: str, number: int, properties: dict[str, object]) -> Event:
    return Event(id=Event.key(user, f"e{number}"), user_id=user, type="quiz_answer", event_id=f"e{number}",
                 client_timestamp=T0 + timedelta(minutes=number), properties={"item_id": "q1", **properties})


async def store_answers(count: int) -> None:
    events = [quiz(f"u{n % 6}", n, {"skill": ["Algebra", "geometry"][n % 2], "correct": n % 3 != 0})
              for n in range(count)]
    await Event.insert_many(events)


async def test_stored_answers_train_and_publish_with_a_vocabulary(tmp_path: Path) -> None:
    await store_answers(120)
    steps: list[str] = []
    summary = await train_knowledge(Settings(data_dir=tmp_path), None, steps.append)
    assert (summary.answers, summary.learners, summary.skills) == (120, 6, 2)
    assert steps[0] == "reading answers" and "120 answers" in str(summary)
    manifest = ArtifactStore(tmp_path / "artifacts").current("knowledge")
    assert manifest is not None and manifest.version == summary.version
    tracker = load_tracker(ArtifactStore(tmp_path / "artifacts").directory(manifest), 90)
    assert tracker.trained and tracker.vocabulary == {"algebra": 0, "geometry": 1}


async def test_only_first_try_answers_without_hints_count_as_correct() -> None:
    await Exercise(id="q1", skills=["Fractions"]).insert()
    await Event.insert_many([quiz("a", 3, {"correct": True}), quiz("a", 1, {"correct": True, "hints_used": 1}),
                             quiz("a", 2, {"correct": True, "attempt": 2, "skill": "Fractions"})])
    data = await stored_sequences()
    assert data.vocabulary == {"Fractions": 0}
    assert [(s.skills, s.correct) for s in data.sequences] == [((0, 0, 0), (0, 0, 1))]


async def test_too_few_answers_are_refused(tmp_path: Path) -> None:
    await store_answers(49)
    with pytest.raises(KnowledgeTrainingError, match="at least 50"):
        await train_knowledge(Settings(data_dir=tmp_path))
    assert ArtifactStore(tmp_path / "artifacts").current("knowledge") is None


async def test_an_assistments_folder_trains_on_its_train_files(tmp_path: Path) -> None:
    folder = tmp_path / "assist"
    folder.mkdir()
    (folder / "builder_train.csv").write_text(as_text(learners(40)), encoding="utf-8")
    (folder / "builder_test.csv").write_text("2\n1,1\n0,x\n", encoding="utf-8")  # never read
    summary = await train_knowledge(Settings(data_dir=tmp_path), folder)
    assert summary.skills == 3 and summary.source == str(folder)
    manifest = ArtifactStore(tmp_path / "artifacts").current("knowledge")
    assert manifest is not None
    assert load_tracker(ArtifactStore(tmp_path / "artifacts").directory(manifest), 90).vocabulary == {
        "1": 1, "2": 2, "3": 3}


async def test_a_bad_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeTrainingError, match=r"no \*train\*\.csv"):
        await train_knowledge(Settings(data_dir=tmp_path), tmp_path)
    (tmp_path / "x_train.csv").write_text("2\n1,2\n1\n", encoding="utf-8")
    with pytest.raises(KnowledgeTrainingError, match="line 3"):
        await train_knowledge(Settings(data_dir=tmp_path), tmp_path)
