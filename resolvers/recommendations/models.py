"""The configured recommenders as served: a slot each, loaded from its artifact when that changes (through the
same `ArtifactLoader` as the knowledge model), composites (those with a `compose` class method, e.g. `hybrid`)
assembled from the loaded components rather than loaded twice, and the status of every installed one."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from plugins.registry import RecommenderInfo
from recommenders.artifacts import ArtifactStore, Manifest, expected_hash, is_composite
from recommenders.base import Recommender
from recommenders.loading import ArtifactLoader, ModelSlot, ModelStatus, Stamp

NO_COMPONENTS = "none of its components is trained yet: run `pathwise train`"


@dataclass(frozen=True)
class RecommenderStatus:
    info: RecommenderInfo
    enabled: bool
    manifest: Manifest | None
    status: ModelStatus
    problem: str | None


class RecommenderModels:
    def __init__(self, store: ArtifactStore, classes: Sequence[type[Recommender]]) -> None:
        self.loader = ArtifactLoader(store)
        self.classes = {cls.name: cls for cls in classes}
        self.slots: dict[str, ModelSlot[Recommender]] = {cls.name: ModelSlot(cls.name) for cls in classes}
        self.order = [cls.name for cls in classes]

    def outdated(self) -> list[tuple[str, Stamp | None]]:
        """(name, stamp now) of each recommender with artifacts whose artifact changed since it was looked at."""
        stamps = {name: self.loader.stamp(self.slots[name]) for name, cls in self.classes.items()
                  if not is_composite(cls)}
        return [(name, stamp) for name, stamp in stamps.items() if not self.slots[name].looked_at(stamp)]

    def load(self, name: str, stamp: Stamp | None, prepare: Callable[[Recommender], Recommender]) -> bool:
        """Serve `prepare(model)` of `name`'s current artifact (blocking: run it in the background thread);
        whether a new model is served."""
        cls = self.classes[name]
        return self.loader.load(self.slots[name], stamp, cls.load, expected_hash(cls), prepare)

    def compose(self) -> None:
        """Assemble every composite from the loaded components."""
        components = {name: slot.model for name, slot in self.slots.items()
                      if slot.model is not None and not is_composite(self.classes[name])}
        for name, slot in self.slots.items():
            cls = self.classes[name]
            if not is_composite(cls):
                continue
            if components:
                slot.serve(cls.compose(dict(components)), ModelStatus.COMPOSED)  # type: ignore[attr-defined]
            else:
                slot.model, slot.status, slot.problem = None, ModelStatus.NOT_TRAINED, NO_COMPONENTS

    def model(self, name: str) -> Recommender | None:
        slot = self.slots.get(name)
        return slot.model if slot is not None else None

    def swap(self, name: str, model: Recommender) -> None:
        """Serve `model` for `name` in place of the loaded one (e.g. a content index extended with new courses)."""
        self.slots[name].model = model

    def status(self, info: RecommenderInfo) -> RecommenderStatus:
        """What this server serves for an installed recommender."""
        slot = self.slots.get(info.name)
        if slot is None:
            return RecommenderStatus(info, False, None, ModelStatus.DISABLED, "not in PATHWISE_RECOMMENDERS")
        manifest = slot.manifest if slot.model is not None else None
        return RecommenderStatus(info, True, manifest, slot.status, slot.problem)
