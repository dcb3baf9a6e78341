"""resolvers.courses.taxonomy: the published catalog's skills and topics, any case, and free-text matching."""

import pytest

from app.core.documents import Course
from resolvers.courses.taxonomy import (
    CatalogTaxonomy,
    catalog_instructors,
    catalog_labels,
    catalog_taxonomy,
    label_problems,
    match_free_text,
    require_labels,
)
from resolvers.errors import ErrorCode, UseCaseError

pytestmark = pytest.mark.usefixtures("clean")


async def _seed() -> None:
    await Course.insert_many([
        Course(id="a", title="A", skills=["Python", "SQL"], topics=["Data Science"], instructors=["Ada Lovelace"]),
        Course(id="b", title="B", skills=["python", "HTML"], topics=["Web Development"]),
        Course(id="c", title="C", skills=["Secret"], topics=["Hidden"], instructors=["Ghost"], published=False),
    ])


async def test_taxonomy_is_distinct_published_skills_and_topics_ignoring_case() -> None:
    await _seed()
    taxonomy = await catalog_taxonomy()
    assert taxonomy.skills == ["HTML", "Python", "SQL"]
    assert taxonomy.topics == ["Data Science", "Web Development"]
    assert taxonomy.labels == ["Data Science", "HTML", "Python", "SQL", "Web Development"]


async def test_an_empty_catalog_has_an_empty_taxonomy() -> None:
    assert await catalog_taxonomy() == CatalogTaxonomy(skills=[], topics=[])


async def test_instructors_of_published_courses_by_casefolded_name() -> None:
    await _seed()
    assert await catalog_instructors() == {"ada lovelace": "Ada Lovelace"}


def test_label_gives_the_catalogs_spelling() -> None:
    taxonomy = CatalogTaxonomy(skills=["Machine Learning"], topics=["Data Science"])
    assert taxonomy.label("machine   learning") == "Machine Learning"
    assert taxonomy.label("DATA SCIENCE") == "Data Science"
    assert taxonomy.skill("data science") is None
    assert taxonomy.label("cooking") is None


def test_unknown_labels_are_problems_with_their_index() -> None:
    taxonomy = CatalogTaxonomy(skills=["Python"], topics=["Data"])
    problems = label_problems(["python", "Cooking", "data", "Knitting"], taxonomy, "interests")
    assert [(p.code, p.field, p.index) for p in problems] == [
        (ErrorCode.BAD_USER_INPUT, "interests", 1), (ErrorCode.BAD_USER_INPUT, "interests", 3)]
    assert "'Cooking'" in problems[0].message


def test_catalog_labels_are_unique_and_leave_unknown_ones_out() -> None:
    taxonomy = CatalogTaxonomy(skills=["Python"], topics=["Data"])
    assert catalog_labels(["python", "PYTHON", "x", "data"], taxonomy) == ["Python", "Data"]


def test_require_labels_raises_with_every_problem() -> None:
    taxonomy = CatalogTaxonomy(skills=["Python"], topics=[])
    with pytest.raises(UseCaseError) as raised:
        require_labels(["a", "python", "b"], taxonomy, "goals")
    assert [p.index for p in raised.value.problems] == [0, 2]
    assert require_labels(["PYTHON"], taxonomy, "goals") == ["Python"]


async def test_free_text_matches_catalog_labels() -> None:
    vocabulary = ["Web Development", "Accounting", "Python"]
    assert (await match_free_text("I want to build websites", vocabulary))[0] == "Web Development"
    assert await match_free_text("   ", vocabulary) == []
    assert await match_free_text("websites", []) == []
