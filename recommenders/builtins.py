"""The recommenders that ship with Pathwise, by name."""

from recommenders.base import Recommender
from recommenders.hybrid import COMPONENT_CLASSES, Hybrid

BUILTINS: dict[str, type[Recommender]] = {**COMPONENT_CLASSES, "hybrid": Hybrid}
