"""Served models loaded from their artifacts: one slot per model with an explicit status, hot-swapped when the
artifact's CURRENT changes (`pathwise train` publishes a new version), for recommenders and the knowledge model
alike.

A slot keeps the model it serves when a newer artifact cannot be used: one trained under another configuration
(STALE) or one that does not load (FAILED) is reported on the slot, not raised. A stamp is looked at once: a
broken version is not loaded again until another one is published.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Generic, TypeVar

from recommenders.artifacts import ArtifactStore, Manifest

log = logging.getLogger("pathwise.models")
Model = TypeVar("Model")
Stamp = tuple[int, int]
NOT_TRAINED = "not trained yet: run `pathwise train`"


class ModelStatus(StrEnum):
    """What a slot serves."""

    READY = "READY"  # its current artifact is loaded
    COMPOSED = "COMPOSED"  # assembled from other loaded models; no artifact of its own
    NOT_TRAINED = "NOT_TRAINED"  # no artifact yet (or, composed, none of its components)
    STALE = "STALE"  # its artifact was trained under another configuration
    FAILED = "FAILED"  # its artifact did not load
    DISABLED = "DISABLED"  # installed but not configured


@dataclass
class ModelSlot(Generic[Model]):
    """One served model: what is loaded, from which artifact, and its status (`problem` is for people)."""

    name: str
    model: Model | None = None
    manifest: Manifest | None = None
    status: ModelStatus = ModelStatus.NOT_TRAINED
    problem: str | None = NOT_TRAINED
    stamp: Stamp | None = None

    def serve(self, model: Model, status: ModelStatus, manifest: Manifest | None = None) -> None:
        self.model, self.manifest, self.status, self.problem = model, manifest, status, None

    def looked_at(self, stamp: Stamp | None) -> bool:
        """Whether the artifact stamped `stamp` was looked at already (one never published is looked for again)."""
        return stamp is not None and stamp == self.stamp

    def report(self, status: ModelStatus, problem: str) -> None:
        """A problem with a newer artifact: the status changes only while nothing is served."""
        self.problem = problem
        if self.model is None:
            self.status = status


class ArtifactLoader:
    """Loads the current artifact of a slot from `store` when its stamp changed, and swaps it in."""

    def __init__(self, store: ArtifactStore) -> None:
        self.store = store

    def stamp(self, slot: ModelSlot[Model]) -> Stamp | None:
        """The slot's artifact's change marker now (None: never published)."""
        return self.store.stamp(slot.name)

    def load(self, slot: ModelSlot[Model], stamp: Stamp | None, read: Callable[[Path], Model],
             expected_hash: str | None = None, prepare: Callable[[Model], Model] = lambda model: model) -> bool:
        """Serve `prepare(read(directory))` of the current artifact (stamped `stamp`) unless its configuration hash
        is not `expected_hash` or it fails to load; whether a new model is served."""
        slot.stamp = stamp
        manifest = self.store.current(slot.name)
        if manifest is None:
            return False
        if expected_hash is not None and manifest.config_hash != expected_hash:
            slot.report(ModelStatus.STALE, f"artifact {manifest.version} was trained with another configuration "
                        f"(hash {manifest.config_hash}, expected {expected_hash}): run `pathwise train`")
            log.warning("%s: %s", slot.name, slot.problem)
            return False
        try:
            model = read(self.store.directory(manifest))
        except Exception as error:  # a broken artifact keeps the previous model; it is reported, not raised
            slot.report(ModelStatus.FAILED, f"artifact {manifest.version} failed to load: {error}")
            log.exception("loading %s failed", slot.name)
            return False
        slot.serve(prepare(model), ModelStatus.READY, manifest)
        log.info("loaded %s artifact %s", slot.name, manifest.version)
        return True
