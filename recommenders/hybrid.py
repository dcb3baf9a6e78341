"""`hybrid` (the "auto" strategy): component recommenders blended by how much is known about the learner.

The weight of each component depends on n, the learner's number of distinct positively weighted history items
(the tier with the largest `min_items` ≤ n applies; components without weight are not asked):

| n      | popular | content | sequence | cf   | why                                                      |
|--------|---------|---------|----------|------|----------------------------------------------------------|
| 0      | 0.25    | 0.75    | –        | –    | content from the onboarding profile leads, popular fills |
| 1–4    | 0.1     | 0.15    | 0.25     | 0.5  | a few items: their content and what follows them count more |
| 5+     | 0.05    | 0.1     | 0.15     | 0.7  | a history: collaborative filtering knows most            |

Tuned on `pathwise evaluate` splits (random 80/20, k = 10, seed 42) of ML-100K (941 test learners, all 5+) and
the IBM Skills Network ratings (600 with 5+, 207 with 1–4): there cf alone is best in both tiers (content has no
text on ML-100K and weak text on IBM; sequence sees no dated completions), so the weights keep the blend within
0.5% of cf's NDCG@10 while leaving content and sequence a voice for catalogs with descriptions, prerequisites
and completion events; `rrf_k` = 5 beat 60, 20, 10, 2 and 1. The 0 tier was set on the persona benchmark
(`bench/personas.py`: learners who only onboarded, on the Coursera catalog): content answers what they said, and
popular at 0.6 filled half of the first list with generic courses. A learner who said nothing gets no content
list, so popular answers alone.

Fusion is weighted reciprocal rank (score scales of the components are not comparable): each weighted component
is asked for `candidate_factor` x k items, and score(item) = Σ weight_c / (`rrf_k` + rank_c(item)), ranks from
1. Each item keeps the reasons of the components that contributed most (the top contributor's first, at most
`max_reasons`) and `source` names the top contributor. A component that raises is logged and skipped. With
personalization off, only `popular` is asked, for an anonymous learner: no personal data is used.
Artifacts: each component saved into a subdirectory named by its key, and `hybrid.json`.
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from recommenders.base import Learner, Recommendation, RecommendationRequest, Recommender, TrainingData, allowed
from recommenders.collaborative import Ease, ItemKnn
from recommenders.content import Content
from recommenders.popular import Popular
from recommenders.postprocessing import fused_by_rank
from recommenders.sequence import Sequence

log = logging.getLogger("pathwise.recommenders.hybrid")
ARTIFACT = "hybrid.json"
POPULAR = "popular"

Tier = tuple[int, dict[str, float]]  # (min distinct history items, component key -> weight)
DEFAULT_TIERS: tuple[Tier, ...] = (
    (0, {"popular": 0.25, "content": 0.75}),
    (1, {"popular": 0.1, "content": 0.15, "sequence": 0.25, "cf": 0.5}),
    (5, {"popular": 0.05, "content": 0.1, "sequence": 0.15, "cf": 0.7}),
)


COMPONENT_CLASSES: dict[str, type[Recommender]] = {  # the built-in recommenders a hybrid may blend, by name
    "popular": Popular,
    "cf": Ease,
    "item_knn": ItemKnn,
    "content": Content,
    "sequence": Sequence,
}


def default_components() -> dict[str, Recommender]:
    """Fresh, unfitted popular, content, cf (EASE) and sequence recommenders."""
    return {"popular": Popular(), "content": Content(), "cf": Ease(), "sequence": Sequence()}


def history_size(learner: Learner) -> int:
    """How many distinct items the learner has a positive signal on."""
    return len({signal.item_id for signal in learner.history if signal.weight > 0})


class Hybrid(Recommender):
    name = "hybrid"
    version = "1"
    description = "Blends popular, content, collaborative filtering and next steps by how much we know of you."

    def __init__(self, components: Mapping[str, Recommender] | None = None, tiers: tuple[Tier, ...] = DEFAULT_TIERS,
                 rrf_k: float = 5.0, candidate_factor: int = 3, max_reasons: int = 2) -> None:
        self.components = dict(components) if components is not None else default_components()
        self.tiers = tuple(sorted(((n, dict(w)) for n, w in tiers), key=lambda tier: tier[0]))
        self.rrf_k, self.candidate_factor, self.max_reasons = rrf_k, candidate_factor, max_reasons

    @classmethod
    def compose(cls, components: Mapping[str, Recommender], **options: Any) -> "Hybrid":
        """A hybrid over components that are already fitted or loaded (the server's): nothing is loaded again."""
        return cls(components, **options)

    def config(self) -> dict[str, Any]:
        components = {key: {"name": c.name, "version": c.version, **c.config()}
                      for key, c in sorted(self.components.items())}
        return {**super().config(), "tiers": [[n, w] for n, w in self.tiers], "components": components}

    def weights_for(self, learner: Learner) -> dict[str, float]:
        """Component key -> weight for `learner` (only components present and weighted above 0)."""
        if not learner.personalization_enabled:
            return {POPULAR: 1.0} if POPULAR in self.components else {}
        size = history_size(learner)
        weights = next((w for n, w in reversed(self.tiers) if n <= size), {})
        return {key: weight for key, weight in weights.items() if weight > 0 and key in self.components}

    def fit(self, data: TrainingData) -> None:
        for component in self.components.values():
            component.fit(data)

    def save(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for key, component in self.components.items():
            component.save(directory / key)
        state = {"name": self.name, "version": self.version, "rrf_k": self.rrf_k,
                 "candidate_factor": self.candidate_factor, "max_reasons": self.max_reasons,
                 "tiers": [[n, w] for n, w in self.tiers],
                 "components": {key: component.name for key, component in self.components.items()}}
        (directory / ARTIFACT).write_text(json.dumps(state), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, registry: Mapping[str, type[Recommender]] | None = None) -> "Hybrid":
        """The hybrid `save` wrote; components are looked up by name in `registry` (default: the built-ins)."""
        if registry is None:
            registry = {**COMPONENT_CLASSES, cls.name: cls}
        state = json.loads((directory / ARTIFACT).read_text(encoding="utf-8"))
        if state["name"] != cls.name or state["version"] != cls.version:
            raise ValueError(f"{directory} holds {state['name']} v{state['version']}, not {cls.name} v{cls.version}")
        unknown = sorted(name for name in state["components"].values() if name not in registry)
        if unknown:
            raise ValueError(f"{directory} needs recommender(s) {', '.join(unknown)}, which are not installed")
        components = {key: registry[name].load(directory / key) for key, name in state["components"].items()}
        tiers = tuple((int(n), dict(w)) for n, w in state["tiers"])
        return cls(components, tiers, state["rrf_k"], state["candidate_factor"], state["max_reasons"])

    def recommend(self, request: RecommendationRequest) -> list[Recommendation]:
        if request.k <= 0:
            return []
        if not request.learner.personalization_enabled:
            request = replace(request, learner=Learner(personalization_enabled=False))
        weights = self.weights_for(request.learner)
        wider = replace(request, k=request.k * self.candidate_factor)
        lists = {key: found for key in weights if (found := self._ask(key, wider)) is not None}
        return fused_by_rank(lists, weights, request.k, self.rrf_k, self.max_reasons)

    def _ask(self, key: str, request: RecommendationRequest) -> list[Recommendation] | None:
        """The component's candidates (those `request` allows, each once), or None when it raised."""
        try:
            found = self.components[key].recommend(request)
        except Exception:
            log.exception("hybrid component %s failed; blending without it", key)
            return None
        kept: dict[str, Recommendation] = {}
        for rec in found:
            if rec.item_id not in kept and allowed(request, rec.item_id):
                kept[rec.item_id] = rec
        return list(kept.values())
