"""The recommenders that ship with Pathwise, by name."""

from recommenders.base import Recommender
from recommenders.collaborative import Ease, ItemKnn
from recommenders.content import Content
from recommenders.hybrid import Hybrid
from recommenders.popular import Popular
from recommenders.sequence import Sequence

BUILTINS: dict[str, type[Recommender]] = {
    "popular": Popular,
    "cf": Ease,
    "item_knn": ItemKnn,
    "content": Content,
    "sequence": Sequence,
    "hybrid": Hybrid,
}
