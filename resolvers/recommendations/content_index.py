"""The served content index kept current with the catalog: a copy that also indexes new courses (the served
one is never mutated), and the catalog's skill and topic labels embedded for new learners' profiles."""

import copy
import logging
from collections.abc import Iterable

import faiss
import numpy as np

from recommenders.base import Item
from recommenders.content import Content
from recommenders.progress import Cancelled
from resolvers.courses.snapshot import CatalogSnapshot

log = logging.getLogger("pathwise.recommendations")


def with_items(content: Content, items: Iterable[Item]) -> Content:
    """A copy of `content` that also indexes the published `items` it lacks (`content` itself when none)."""
    fresh = [item for item in items if item.published and item.id not in content.positions]
    if not fresh:
        return content
    clone = copy.copy(content)
    clone.index = faiss.clone_index(content.index)
    clone.ids, clone.titles, clone.positions = list(content.ids), list(content.titles), dict(content.positions)
    clone.vectors = np.array(content.vectors, copy=True)
    clone.add_items(fresh)
    return clone


def prepare_labels(content: Content, catalog: CatalogSnapshot) -> None:
    """Embed the catalog's skill and topic labels, so that a learner's declared goals and interests stand for
    their profile until its text is embedded."""
    try:
        labels = [label for item in catalog.items.values() for label in (*item.skills, *item.topics)]
        embedded = content.prepare_labels([*labels, *(skill.name for skill in catalog.skills.values())])
    except Cancelled:
        return
    except Exception:  # an optimisation: without label vectors a new profile waits for its own embedding
        log.exception("embedding catalog labels failed")
        return
    if embedded:
        log.info("embedded %d catalog labels for new learners' profiles", embedded)
