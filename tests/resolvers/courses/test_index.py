"""resolvers.courses.index: BM25 over the weighted course fields, filters as index terms, pages and patches."""

from typing import Any

import pytest

from app.core.documents import Course
from resolvers.courses.index import CourseIndex, IndexFilter

pytestmark = pytest.mark.usefixtures("database")  # Beanie bound, so Course documents can be built

ALL = IndexFilter(include_unpublished=True)


def course(course_id: str, **fields: Any) -> Course:
    built: Course = Course.model_validate({"id": course_id, "title": f"Course {course_id}", **fields})
    return built


def ids(index: CourseIndex, text: str, filters: IndexFilter = ALL, offset: int = 0, limit: int = 100) -> list[str]:
    return index.search(text, filters, offset, limit).ids


def test_fields_rank_title_then_skills_and_topics_then_summary_then_description() -> None:
    index = CourseIndex([
        course("d", description="Volcanoes erupt."), course("s", summary="Volcanoes erupt."),
        course("k", skills=["Volcanoes"]), course("p", topics=["Volcanoes"]), course("t", title="Volcanoes"),
        course("n", title="Gardening"),
    ])
    found = ids(index, "volcanoes")
    assert found[0] == "t"
    assert set(found[1:3]) == {"k", "p"}
    assert found[3:] == ["s", "d"]


def test_more_of_the_words_rank_higher_and_any_word_matches() -> None:
    index = CourseIndex([course("one", title="Data pipelines"), course("both", title="SQL for data"),
                         course("none", title="Baking")])
    assert ids(index, "sql data") == ["both", "one"]


def test_words_are_stemmed_folded_and_stop_words_ignored() -> None:
    index = CourseIndex([course("b", title="Python for Beginners"), course("c", title="Café culture")])
    assert ids(index, "BEGINNER") == ["b"]
    assert ids(index, "cafe") == ["c"]
    assert ids(index, "the for of") == []


def test_query_syntax_is_only_words() -> None:
    index = CourseIndex([course("py", title="Python"), course("java", title="Java")])
    assert ids(index, "title:python") == ["py"]  # "title" is one more word
    assert ids(index, "-python") == ["py"]
    assert sorted(ids(index, 'python AND NOT "java"')) == ["java", "py"]
    assert ids(index, "pyth*") == []


def test_filters_must_all_hold_and_skills_match_any() -> None:
    index = CourseIndex([
        course("a", title="Python", level="beginner", language="en", skills=["Python", "Data"]),
        course("b", title="Python", level="advanced", language="de", skills=["Python"]),
        course("c", title="Python", level="beginner", language="en", published=False),
    ])
    assert sorted(ids(index, "python", IndexFilter())) == ["a", "b"]
    assert ids(index, "python", IndexFilter(level="beginner")) == ["a"]
    assert sorted(ids(index, "python", IndexFilter(level="beginner", include_unpublished=True))) == ["a", "c"]
    assert ids(index, "python", IndexFilter(language="de")) == ["b"]
    assert ids(index, "python", IndexFilter(skills=("data", "go"))) == ["a"]
    assert ids(index, "python", IndexFilter(skills=("data",), language="de")) == []


def test_filters_leave_the_order_of_relevance() -> None:
    index = CourseIndex([course(f"c{i}", title="Rocks " * i + "volcano", skills=["Geology", f"S{i}"])
                         for i in range(1, 6)])
    assert ids(index, "volcano", IndexFilter(skills=("geology", "s3"))) == ids(index, "volcano")


def test_pages_count_every_match_and_follow_one_order() -> None:
    index = CourseIndex([course(f"c{i:02d}", title="Volcano", summary="volcano " * (i % 4)) for i in range(23)])
    whole = index.search("volcano", ALL, 0, 100)
    assert whole.total == 23
    pages = [index.search("volcano", ALL, offset, 5) for offset in range(0, 25, 5)]
    assert {page.total for page in pages} == {23}
    assert [course_id for page in pages for course_id in page.ids] == whole.ids
    assert index.search("volcano", ALL, 10**15, 5).ids == []


def test_equal_scores_come_in_id_order() -> None:
    index = CourseIndex([course(f"c{i}", title="Volcano") for i in (3, 1, 2)])
    assert ids(index, "volcano") == ["c1", "c2", "c3"]


def test_write_replaces_adds_and_removes() -> None:
    index = CourseIndex([course("a", title="Volcano"), course("b", title="Glacier")])
    index.write([course("a", title="Desert"), course("c", title="Volcano island")], removed=["b"])
    index.reload()
    assert ids(index, "volcano") == ["c"]
    assert ids(index, "desert") == ["a"]
    assert ids(index, "glacier") == []
    assert len(index) == 2
