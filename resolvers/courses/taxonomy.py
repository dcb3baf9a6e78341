"""The catalog's taxonomy: the distinct skills and topics of published courses, which goals,
interests and followed topics name, and the matching of free text to it."""

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field

from app.core.documents import Course
from recommenders.embeddings import SkillMatcher
from resolvers.errors import ErrorCode, Problem, UseCaseError


def _by_fold(labels: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for label in sorted(labels):
        found.setdefault(label.casefold(), label)
    return found


@dataclass(frozen=True)
class CatalogTaxonomy:
    """Skills and topics, each once ignoring case (the first spelling in sorted order wins)."""

    skills: list[str]
    topics: list[str]
    _skills: dict[str, str] = field(init=False, repr=False, compare=False)
    _labels: dict[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_skills", _by_fold(self.skills))
        object.__setattr__(self, "_labels", {**_by_fold(self.topics), **self._skills})

    @property
    def labels(self) -> list[str]:
        """Skills and topics together, each once."""
        return sorted(self._labels.values())

    def label(self, text: str) -> str | None:
        """The catalog's spelling of a skill or topic named in any case, or None."""
        return self._labels.get(" ".join(text.split()).casefold())

    def skill(self, text: str) -> str | None:
        return self._skills.get(" ".join(text.split()).casefold())


async def catalog_taxonomy() -> CatalogTaxonomy:
    """The taxonomy of the published catalog (two `distinct` commands)."""
    collection = Course.get_pymongo_collection()
    skills = await collection.distinct("skills", {"published": True})
    topics = await collection.distinct("topics", {"published": True})
    return CatalogTaxonomy(skills=sorted(_by_fold(skills).values()), topics=sorted(_by_fold(topics).values()))


async def catalog_instructors() -> dict[str, str]:
    """Instructors of published courses: casefolded name -> name."""
    names = await Course.get_pymongo_collection().distinct("instructors", {"published": True})
    return _by_fold(names)


def label_problems(labels: Sequence[str], taxonomy: CatalogTaxonomy, field_name: str) -> list[Problem]:
    """A BAD_USER_INPUT problem, with its index, for each label that is not a skill or topic of the catalog."""
    return [Problem(ErrorCode.BAD_USER_INPUT, f"{label!r} is not a skill or topic of the catalog", field_name, index)
            for index, label in enumerate(labels) if taxonomy.label(label) is None]


def catalog_labels(labels: Sequence[str], taxonomy: CatalogTaxonomy) -> list[str]:
    """The catalog's spelling of each known label, each once, in order (unknown ones left out)."""
    found: dict[str, None] = {}
    for text in labels:
        label = taxonomy.label(text)
        if label is not None:
            found.setdefault(label, None)
    return list(found)


def require_labels(labels: Sequence[str], taxonomy: CatalogTaxonomy, field_name: str) -> list[str]:
    """`catalog_labels`, or UseCaseError(BAD_USER_INPUT) naming every unknown label."""
    problems = label_problems(labels, taxonomy, field_name)
    if problems:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"unknown {field_name}", problems)
    return catalog_labels(labels, taxonomy)


async def match_free_text(text: str, vocabulary: Sequence[str]) -> list[str]:
    """Labels of `vocabulary` that free text names or means (the embedding model, in a thread)."""
    if not text.strip() or not vocabulary:
        return []
    return await asyncio.to_thread(SkillMatcher(vocabulary).match, text)
