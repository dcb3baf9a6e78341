"""Use case: `pathwise train --knowledge` — fit the knowledge-tracing model offline (`LogisticKnowledge`) on the
stored quiz answers, or on an ASSISTments-format dataset folder, and publish it as the "knowledge" artifact
with its skill-id -> number vocabulary. Running servers pick the new version up on their next poll."""

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.documents import Event, Exercise
from app.core.documents.profiles import field_key
from app.core.settings import Settings
from app.core.timestamps import as_utc
from recommenders.artifacts import ArtifactStore, Manifest, artifact_root
from recommenders.knowledge import LearnerSequence, LogisticKnowledge, SequenceFormatError, read_sequences
from recommenders.knowledge.loading import ARTIFACT
from recommenders.knowledge.models import ARTIFACT_VERSION
from recommenders.knowledge.serving import save_artifact

MIN_ANSWERS = 50
Progress = Callable[[str], None]


class KnowledgeTrainingError(Exception):
    """Nothing was trained (too little data, or an unreadable dataset); the served model is unchanged."""


@dataclass(frozen=True)
class KnowledgeTrained:
    version: str
    source: str  # "quiz answers" or the dataset folder
    learners: int
    answers: int
    skills: int
    seconds: float

    def __str__(self) -> str:
        return (f"artifact {self.version} from {self.source}: {self.answers} answers of {self.learners} learners "
                f"on {self.skills} skills in {self.seconds:.1f} s")


@dataclass(frozen=True)
class Sequences:
    sequences: list[LearnerSequence]
    vocabulary: dict[str, int]  # skill id -> number in `sequences`
    source: str


async def train_knowledge(settings: Settings, dataset: Path | None = None,
                          progress: Progress | None = None) -> KnowledgeTrained:
    """Fit `LogisticKnowledge` and publish it (KnowledgeTrainingError with fewer than 50 answers)."""
    note = progress or (lambda _what: None)
    started = time.perf_counter()
    note("reading answers")
    data = dataset_sequences(dataset) if dataset is not None else await stored_sequences()
    answers = sum(map(len, data.sequences))
    if answers < MIN_ANSWERS:
        raise KnowledgeTrainingError(f"only {answers} quiz answers in {data.source}: at least {MIN_ANSWERS} are "
                                     "needed to train; mastery keeps using the cold-start estimator")
    if len({c for s in data.sequences for c in s.correct}) < 2:
        raise KnowledgeTrainingError(f"the answers in {data.source} are all right or all wrong: nothing to learn")
    note(f"fitting on {answers} answers")
    manifest = await asyncio.to_thread(_fit_and_publish, data, ArtifactStore(artifact_root(settings.data_dir)))
    return KnowledgeTrained(manifest.version, data.source, len(data.sequences), answers, len(data.vocabulary),
                            time.perf_counter() - started)


def _fit_and_publish(data: Sequences, store: ArtifactStore) -> Manifest:
    model = LogisticKnowledge().fit(data.sequences)
    config: dict[str, Any] = {"model": model.kind, "regularization": model.regularization, "source": data.source}
    counts = {"learners": len(data.sequences), "answers": sum(map(len, data.sequences)),
              "skills": len(data.vocabulary)}
    return store.publish(ARTIFACT, f"{model.kind}-{ARTIFACT_VERSION}", config,
                         lambda directory: save_artifact(directory, model, data.vocabulary), counts)


def dataset_sequences(directory: Path) -> Sequences:
    """The sequences of a dataset folder's `*train*.csv` files (skills numbered as in the files)."""
    files = sorted(directory.glob("*train*.csv")) if directory.is_dir() else []
    if not files:
        raise KnowledgeTrainingError(f"{directory} has no *train*.csv file")
    try:
        sequences = [sequence for path in files for sequence in read_sequences(path)]
    except (SequenceFormatError, OSError, UnicodeDecodeError) as error:
        raise KnowledgeTrainingError(str(error)) from error
    skills = sorted({skill for sequence in sequences for skill in sequence.skills})
    return Sequences(sequences, {str(skill): skill for skill in skills}, str(directory))


async def stored_sequences() -> Sequences:
    """Every learner's stored quiz answers in time order; correct only at the first try without hints."""
    projection = {"user_id": 1, "properties": 1, "client_timestamp": 1, "server_timestamp": 1, "event_id": 1}
    events = await Event.get_pymongo_collection().find({"type": "quiz_answer"}, projection).to_list()
    exercise_skills = await _exercise_skills(events)
    rows: dict[str, list[tuple[datetime, str, str, int]]] = {}
    for event in events:
        row = _row(event, exercise_skills)
        if row is not None:
            rows.setdefault(event["user_id"], []).append(row)
    return _numbered(rows)


async def _exercise_skills(events: list[dict[str, Any]]) -> dict[str, str]:
    items = list({str(e["properties"].get("item_id")) for e in events if not e["properties"].get("skill")})
    found = await Exercise.get_pymongo_collection().find({"_id": {"$in": items}}, {"skills": 1}).to_list() \
        if items else []
    return {doc["_id"]: doc["skills"][0] for doc in found if doc.get("skills")}


def _row(event: dict[str, Any], exercise_skills: dict[str, str]) -> tuple[datetime, str, str, int] | None:
    """(time, event id, skill id, outcome) of one stored answer, or None when it names no skill."""
    props = event.get("properties") or {}
    skill = props.get("skill") or exercise_skills.get(str(props.get("item_id")))
    if not skill:
        return None
    first_try = int(props.get("hints_used") or 0) == 0 and int(props.get("attempt") or 1) <= 1
    at = as_utc(event.get("client_timestamp") or event["server_timestamp"])
    return at, str(event.get("event_id", "")), str(skill), int(bool(props.get("correct")) and first_try)


def _numbered(rows: dict[str, list[tuple[datetime, str, str, int]]]) -> Sequences:
    """Sequences with skills numbered 0.. by field_key; the vocabulary keeps one spelling of each skill id."""
    vocabulary: dict[str, int] = {}
    numbers: dict[str, int] = {}
    for key, skill in sorted({field_key(row[2]): row[2] for answers in rows.values() for row in answers}.items()):
        numbers[key] = vocabulary[skill] = len(vocabulary)
    sequences = []
    for answers in rows.values():
        ordered = sorted(answers, key=lambda row: row[:2])
        sequences.append(LearnerSequence(tuple(numbers[field_key(r[2])] for r in ordered),
                                         tuple(r[3] for r in ordered)))
    return Sequences(sequences, vocabulary, "stored quiz answers")
