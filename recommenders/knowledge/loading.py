"""The served knowledge-tracing model: the tracker of the current "knowledge" artifact (the cold-start one before
any is trained), hot-swapped through the same `ArtifactLoader` as the recommenders. It is looked for on use, at
most every `check_every_s`: a version published later is picked up without restart."""

import time
from collections.abc import Callable
from pathlib import Path

from recommenders.artifacts import ArtifactStore
from recommenders.knowledge.serving import MasteryTracker, load_tracker
from recommenders.loading import ArtifactLoader, ModelSlot

ARTIFACT = "knowledge"
CHECK_EVERY_S = 5.0


class TrackerLoader:
    """The tracker to apply answers and read mastery with; one per app, made by its composition root."""

    def __init__(self, store: ArtifactStore, half_life_days: float, check_every_s: float = CHECK_EVERY_S,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.loader, self.half_life_days, self.check_every_s, self.clock = (ArtifactLoader(store), half_life_days,
                                                                            check_every_s, clock)
        self.slot: ModelSlot[MasteryTracker] = ModelSlot(ARTIFACT)
        self._cold_start = MasteryTracker(half_life_days=half_life_days)
        self._checked_at: float | None = None

    def tracker(self) -> MasteryTracker:
        now = self.clock()
        if self._checked_at is None or now - self._checked_at >= self.check_every_s:
            self._checked_at = now
            stamp = self.loader.stamp(self.slot)
            if stamp is not None and not self.slot.looked_at(stamp):  # None: nothing published yet
                self.loader.load(self.slot, stamp, self._read)
        return self.slot.model or self._cold_start

    def _read(self, directory: Path) -> MasteryTracker:
        return load_tracker(directory, self.half_life_days)
