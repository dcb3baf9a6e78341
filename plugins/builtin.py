"""The built-in plugin: the recommenders that ship with Pathwise, registered through the same hook."""

from plugins.hookspecs import hookimpl
from recommenders.base import Recommender
from recommenders.builtins import BUILTINS


@hookimpl
def pathwise_recommenders() -> list[type[Recommender]]:
    """`popular`, `cf` (EASE), `item_knn`, `content`, `sequence` (next steps) and `hybrid` (the blend)."""
    return list(BUILTINS.values())
