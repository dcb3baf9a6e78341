"""A full-text index of courses in memory (tantivy): BM25 over title, skills, topics, summary and description,
weighted per field, with the catalog filters (published, level, language, skills) as terms of the index.

Building and writing block (run them in a thread); `search` takes well under a millisecond and runs on the
caller's thread. Courses are indexed in id order, so equal scores come back in id order until a course
is rewritten.
"""

from collections.abc import Iterable
from dataclasses import dataclass

import tantivy

from app.core.documents import Course

WEIGHTS = {"title": 10.0, "skills": 5.0, "topics": 5.0, "summary": 3.0, "description": 1.0}
ANALYZER = "course_text"
WRITER_HEAP_BYTES = 15_000_000  # tantivy's least is 3 MB a thread; one thread writes
LONGEST_WORD = 40  # longer tokens (hashes, URLs) are not indexed


@dataclass(frozen=True)
class IndexFilter:
    """Every given filter must hold: `skills` (casefolded) is any of them."""

    skills: tuple[str, ...] = ()
    level: str | None = None
    language: str | None = None
    include_unpublished: bool = False


@dataclass(frozen=True)
class Hits:
    ids: list[str]  # the asked page, best first
    total: int  # every match


def _schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    for name in WEIGHTS:
        builder.add_text_field(name, tokenizer_name=ANALYZER)
    for name in ("level", "language", "skill_keys"):
        builder.add_text_field(name, tokenizer_name="raw", index_option="basic")
    builder.add_boolean_field("published", indexed=True)
    return builder.build()


def _analyzer() -> tantivy.TextAnalyzer:
    """Words, lowercased, accents folded, English stop words dropped, stemmed (`beginners` finds `beginner`)."""
    builder = tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
    for step in (tantivy.Filter.remove_long(LONGEST_WORD), tantivy.Filter.lowercase(), tantivy.Filter.ascii_fold(),
                 tantivy.Filter.stopword("english"), tantivy.Filter.stemmer("english")):
        builder = builder.filter(step)
    return builder.build()


def _document(course: Course) -> tantivy.Document:
    fields: dict[str, object] = {
        "id": course.id, "title": course.title, "summary": course.summary, "description": course.description,
        "skills": list(course.skills), "topics": list(course.topics), "skill_keys": list(course.skill_keys),
        "language": course.language, "published": course.published,
    }
    if course.level is not None:
        fields["level"] = course.level.value
    return tantivy.Document(**fields)


class CourseIndex:
    def __init__(self, courses: Iterable[Course] = ()) -> None:
        self.schema = _schema()
        self._index = tantivy.Index(self.schema)
        self._analyzer = _analyzer()
        self._index.register_tokenizer(ANALYZER, self._analyzer)
        self.write(sorted(courses, key=lambda course: course.id))
        self.reload()

    def write(self, courses: Iterable[Course], removed: Iterable[str] = ()) -> None:
        """Add or replace `courses`, drop the `removed` ids (blocking): one commit, seen whole by searches."""
        writer = self._index.writer(WRITER_HEAP_BYTES, 1)
        for course_id in removed:
            writer.delete_documents_by_term("id", course_id)
        for course in courses:
            writer.delete_documents_by_term("id", course.id)
            writer.add_document(_document(course))
        writer.commit()
        writer.wait_merging_threads()

    def reload(self) -> None:
        self._index.reload()

    def search(self, text: str, filters: IndexFilter, offset: int, limit: int) -> Hits:
        """The courses matching any word of `text` and every filter, by relevance: `limit` of them from `offset`.
        `text` is only split into words (no query syntax)."""
        terms = list(dict.fromkeys(self._analyzer.analyze(text)))
        if not terms:
            return Hits([], 0)
        matches = [(tantivy.Occur.Should, tantivy.Query.boost_query(tantivy.Query.term_query(self.schema, name, term),
                                                                    weight))
                   for name, weight in WEIGHTS.items() for term in terms]
        clauses = [(tantivy.Occur.Must, tantivy.Query.boolean_query(matches))]
        clauses += [(tantivy.Occur.Must, tantivy.Query.const_score_query(q, 0.0)) for q in self._filters(filters)]
        searcher = self._index.searcher()
        offset = min(offset, searcher.num_docs)  # tantivy aborts the process on an offset near 2**64
        found = searcher.search(tantivy.Query.boolean_query(clauses), limit, count=True, offset=offset)
        ids = [str(searcher.doc(address)["id"][0]) for _, address in found.hits]
        total: int | None = found.count  # type: ignore[attr-defined]  # in tantivy, missing from its stub
        return Hits(ids, total or 0)

    def _filters(self, filters: IndexFilter) -> list[tantivy.Query]:
        queries = []
        if not filters.include_unpublished:
            queries.append(tantivy.Query.term_query(self.schema, "published", True))
        if filters.skills:
            queries.append(tantivy.Query.term_set_query(self.schema, "skill_keys", list(filters.skills)))
        if filters.level is not None:
            queries.append(tantivy.Query.term_query(self.schema, "level", filters.level))
        if filters.language is not None:
            queries.append(tantivy.Query.term_query(self.schema, "language", filters.language))
        return queries

    def __len__(self) -> int:
        return self._index.searcher().num_docs
