import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.importers.course_files import (
    CourseFileError,
    CourseRow,
    RowError,
    RowWarning,
    parse_mapping,
    read_course_file,
)

REAL_FILE = Path(__file__).resolve().parents[4] / "shared/data/courses/coursera_courses.csv"

COURSERA_HEADER = [
    "", "course_title", "course_organization", "course_certificate_type", "course_time",
    "course_rating", "course_reviews_num", "course_difficulty", "course_url",
    "course_students_enrolled", "course_skills", "course_summary", "course_description",
]


def coursera_row(**values: str) -> dict[str, str]:
    row = {
        "": "0", "course_title": "Intro to Widgets", "course_organization": "Acme University",
        "course_certificate_type": "Course", "course_time": "1 - 4 Weeks",
        "course_rating": "4.5", "course_reviews_num": "1.2k", "course_difficulty": "Beginner",
        "course_url": "https://example.org/learn/widgets", "course_students_enrolled": "6,706",
        "course_skills": "['Widgets', 'Gadgets', 'Widgets']", "course_summary": "[]",
        "course_description": "All about widgets.",
    }
    return row | values


def write_coursera(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, COURSERA_HEADER)
        writer.writeheader()
        writer.writerows(rows)
    return path


def read(path: Path, **kwargs: Any) -> tuple[list[CourseRow], list[RowError]]:
    results = list(read_course_file(path, **kwargs))
    good = [r for r in results if isinstance(r, CourseRow)]
    bad = [r for r in results if isinstance(r, RowError)]
    assert len(good) + len(bad) == len(results)
    return good, bad


def test_multiline_quoted_field_keeps_later_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "catalog.csv"
    path.write_text(
        'id,title,description,rating\n'
        'c1,First,"line one\nline two\n\nline four",4.5\n'
        '\n'
        'c2,Second,plain,3\n'
        'c3,"Third, with comma","two\nlines",\n',
        encoding="utf-8",
    )
    good, bad = read(path)
    assert bad == []
    assert [row.line for row in good] == [2, 7, 8]
    assert good[0].fields["description"] == "line one\nline two\n\nline four"
    assert good[1].fields == {"id": "c2", "title": "Second", "description": "plain", "rating": 3.0}
    assert "rating" not in good[2].fields  # empty cell: field omitted


def test_coursera_preset_converts_values(tmp_path: Path) -> None:
    path = write_coursera(tmp_path / "c.csv", [
        coursera_row(),
        coursera_row(course_title="Advanced Widgets", course_difficulty="Advanced",
                     course_students_enrolled="2.5m", course_reviews_num="484",
                     course_time="3 - 6 Months", course_certificate_type="Guided Project",
                     course_skills="[]", course_summary="['Build a widget. ', 'Ship it.']"),
        coursera_row(course_title="Mixed Widgets", course_difficulty="Mixed",
                     course_time="Less Than 2 Hours", course_rating="",
                     course_students_enrolled=""),
        coursera_row(course_title="Middle Widgets", course_difficulty="Intermediate",
                     course_time="1 - 3 Months"),
    ])
    good, bad = read(path)
    assert bad == []
    first, second, third, fourth = (row.fields for row in good)
    assert first["id"] == "intro-to-widgets--acme-university"
    assert first["skills"] == ["Widgets", "Gadgets"]
    assert first["enrollment_count"] == 6706
    assert first["rating_count"] == 1200
    assert first["level"] == "beginner"
    assert first["format"] == "video"
    assert first["duration_minutes"] == 750  # 2.5 weeks at 5 h/week
    assert first["topics"] == [] and first["language"] == "en"
    assert first["provider"] == "Acme University"
    assert first["url"] == "https://example.org/learn/widgets"
    assert first["rating"] == 4.5
    assert second["level"] == "advanced" and second["format"] == "project"
    assert second["enrollment_count"] == 2_500_000 and second["rating_count"] == 484
    assert second["skills"] == []
    assert second["summary"] == "Build a widget. Ship it."
    assert second["duration_minutes"] == 5850
    assert third["level"] == "mixed" and third["duration_minutes"] == 90
    assert "rating" not in third and "enrollment_count" not in third
    assert fourth["level"] == "intermediate" and fourth["duration_minutes"] == 2600


def test_derived_id_is_ascii_slug(tmp_path: Path) -> None:
    path = write_coursera(tmp_path / "c.csv", [
        coursera_row(course_title="  Données & Python: l'été! ", course_organization="École Ünï"),
    ])
    good, _ = read(path)
    assert good[0].fields["id"] == "donnees-python-l-ete--ecole-uni"
    assert good[0].fields["title"] == "Données & Python: l'été!"


def test_duplicate_derived_id_is_an_error(tmp_path: Path) -> None:
    path = write_coursera(tmp_path / "c.csv", [
        coursera_row(),
        coursera_row(course_title="Other"),
        coursera_row(course_title="Intro  to widgets!"),  # same slug, same URL
    ])
    good, bad = read(path)
    assert [row.line for row in good] == [2, 3]
    assert [error.line for error in bad] == [4]
    assert "duplicate id 'intro-to-widgets--acme-university'" in bad[0].message
    assert "first seen on line 2" in bad[0].message


def test_same_title_with_another_url_is_disambiguated(tmp_path: Path) -> None:
    path = write_coursera(tmp_path / "c.csv", [
        coursera_row(),
        coursera_row(course_url="https://example.org/learn/widgets-fr/"),
    ])
    good, bad = read(path)
    assert bad == []
    assert [row.fields["id"] for row in good] == [
        "intro-to-widgets--acme-university",
        "intro-to-widgets--acme-university--widgets-fr",
    ]


def test_explicit_duplicate_ids_are_errors(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,title,url\nx,A,https://a/1\nx,B,https://a/2\n", encoding="utf-8")
    good, bad = read(path)
    assert [row.line for row in good] == [2]
    assert bad == [RowError(3, "id: duplicate id 'x', first seen on line 2")]


def test_unreadable_optional_values_are_left_empty_with_a_warning(tmp_path: Path) -> None:
    path = write_coursera(tmp_path / "c.csv", [
        coursera_row(course_title="A", course_description="multi\nline"),
        coursera_row(course_title="B", course_rating="abc"),
        coursera_row(course_title="C", course_rating="9"),
        coursera_row(course_title="D", course_difficulty="Guru"),
        coursera_row(course_title="E", course_skills="['unclosed'", course_students_enrolled="many"),
        coursera_row(course_title=""),
        coursera_row(course_title="F"),
    ])
    good, bad = read(path)
    assert [row.fields["title"] for row in good] == ["A", "B", "C", "D", "E", "F"]
    assert [row.line for row in good] == [2, 4, 5, 6, 7, 9]
    assert bad == [RowError(8, "title (column 'course_title'): missing")]
    a, b, c, d, e, f = good
    assert a.warnings == () and f.warnings == ()
    assert b.warnings == (RowWarning(4, "rating", "rating (column 'course_rating'): not a number: 'abc'"),)
    assert "rating" not in b.fields and b.fields["level"] == "beginner"
    assert [w.field for w in c.warnings] == ["rating"] and "rating" not in c.fields
    assert "less than or equal to 5 (got 9.0)" in c.warnings[0].message
    assert d.warnings[0].message.startswith("level (column 'course_difficulty'): unknown level 'Guru'")
    assert "level" not in d.fields and d.fields["rating"] == 4.5
    assert [(w.line, w.field) for w in e.warnings] == [(7, "skills"), (7, "enrollment_count")]
    assert "skills" not in e.fields and "enrollment_count" not in e.fields
    messages = [w.message for row in good for w in row.warnings]
    assert not any("pydantic" in m or "http" in m or "Traceback" in m for m in messages)


def test_every_invalid_optional_field_is_left_empty_with_its_own_warning(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "A", "rating": 7, "duration_minutes": -5, "language": "x",
                                "format": "hologram", "summary": "kept"}) + "\n", encoding="utf-8")
    good, bad = read(path)
    assert bad == [] and good[0].fields == {"id": "a", "title": "A", "summary": "kept"}
    assert [w.field for w in good[0].warnings] == ["language", "duration_minutes", "format", "rating"]
    assert all(w.line == 1 for w in good[0].warnings)


def test_a_bad_required_value_still_skips_the_row(tmp_path: Path) -> None:
    path = tmp_path / "c.jsonl"
    path.write_text(json.dumps({"id": "x" * 201, "title": "Long id", "level": "Guru"}) + "\n"
                    + json.dumps({"id": "y", "title": ["not", "text"]}) + "\n", encoding="utf-8")
    good, bad = read(path)
    assert good == []
    assert [error.line for error in bad] == [1, 2]
    assert bad[0].message.startswith("id: ") and "level" not in bad[0].message
    assert bad[1].message.startswith("title: ")


def test_generic_conversions_and_camel_case_columns(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text(
        "id,title,skills,topics,instructors,durationMinutes,enrollmentCount,published,Level\n"
        'a,A,"[""Py"", ""SQL""]",ml; data,Ann | Bob,"1,200","12,345",no,ADVANCED\n'
        "b,B,x,y,z,60,7,yes,\n"
        "c,C,,,,sixty,,maybe,\n",
        encoding="utf-8",
    )
    good, bad = read(path)
    assert bad == []
    assert good[0].fields == {
        "id": "a", "title": "A", "skills": ["Py", "SQL"], "topics": ["ml", "data"],
        "instructors": ["Ann", "Bob"], "duration_minutes": 1200, "enrollment_count": 12345,
        "published": False, "level": "advanced",
    }
    assert good[1].fields["published"] is True and good[1].fields["skills"] == ["x"]
    assert good[2].fields == {"id": "c", "title": "C"}
    assert [(w.line, w.field, w.message) for w in good[2].warnings] == [
        (4, "duration_minutes", "duration_minutes (column 'durationMinutes'): not a duration: 'sixty'"),
        (4, "published", "published: not a true/false value: 'maybe'"),
    ]


def test_explicit_mapping(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("code,name,tags,title\nk1,Kotlin,a|b,ignored\n", encoding="utf-8")
    mapping = parse_mapping(["id=code", "title=name", "skills=tags"])
    good, bad = read(path, mapping=mapping)
    assert bad == []
    assert good[0].fields == {"id": "k1", "title": "Kotlin", "skills": ["a", "b"]}


def test_a_mapping_keeps_the_automatic_matching_of_other_fields(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("course_id,title,blurb,level\nk1,Kotlin,Short,Beginner\n", encoding="utf-8")
    good, bad = read(path, mapping=parse_mapping(["summary=blurb"]))
    assert bad == []
    assert good[0].fields == {"id": "k1", "title": "Kotlin", "summary": "Short", "level": "beginner"}


def write_rows(path: Path, header: list[str], rows: list[list[str]], preamble: str = "") -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        handle.write(preamble)
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def test_edx_like_export(tmp_path: Path) -> None:
    header = ["Course Name", "University", "Difficulty Level", "Course Description", "Language", "Link"]
    path = write_rows(tmp_path / "edx.csv", header, [
        ["Intro to Gardening", "Green U", "Introductory", "Soil.", "English", "https://e.example/a"],
        ["Pruning", "Green U", "Intermediate", "Cut.", "English", "https://e.example/b"],
        ["Grafting", "Green U", "Advanced", "Join.", "Spanish", "https://e.example/c"],
        ["Composting", "Green U", "Ninja", "Rot.", "English", "https://e.example/d"],
    ])
    good, bad = read(path)
    assert bad == []
    assert [row.fields.get("level") for row in good] == ["beginner", "intermediate", "advanced", None]
    first = good[0].fields
    assert first == {"id": "intro-to-gardening--green-u", "title": "Intro to Gardening", "provider": "Green U",
                     "level": "beginner", "description": "Soil.", "language": "english",
                     "url": "https://e.example/a"}
    assert good[3].warnings == (
        RowWarning(5, "level", "level (column 'Difficulty Level'): unknown level 'Ninja' (expected beginner, "
                               "intermediate, advanced or mixed, or a common name for one)"),
    )


def test_udemy_like_export_with_a_title_line_above_the_header(tmp_path: Path) -> None:
    header = ["course_id", "course_title", "url", "is_paid", "price", "num_subscribers", "num_reviews",
              "num_lectures", "level", "content_duration", "published_timestamp", "subject"]
    row = ["1", "Learn Knots", "https://u.example/knots/", "True", "20", "2,147", "23", "51", "All Levels",
           "1.5", "2017-01-18T20:58:58Z", "Outdoor"]
    path = write_rows(tmp_path / "udemy.csv", header, [
        row,
        ["2", "Knots II", "https://u.example/k2/", "True", "20", "5", "1", "3", "Beginner Level", "2 hours",
         "", "Outdoor"],
        ["3", "", "https://u.example/k3/", "False", "0", "5", "1", "3", "Expert Level", "1", "", "Outdoor"],
        ["4", "Knots IV", "https://u.example/k4/", "False", "0", "5", "1", "3", "Intermediate Level", "long",
         "", "Outdoor"],
    ], preamble="Udemy Courses Export 2024\n\n")
    good, bad = read(path)
    assert good[0] == CourseRow(4, {
        "id": "1", "title": "Learn Knots", "url": "https://u.example/knots/", "enrollment_count": 2147,
        "rating_count": 23, "level": "mixed", "duration_minutes": 90, "topics": ["Outdoor"],
    })
    assert [(row.line, row.fields["level"]) for row in good] == [(4, "mixed"), (5, "beginner"), (7, "intermediate")]
    assert good[1].fields["duration_minutes"] == 120
    assert bad == [RowError(6, "title (column 'course_title'): missing")]
    assert [(w.line, w.field) for w in good[2].warnings] == [(7, "duration_minutes")]
    assert "duration_minutes" not in good[2].fields


def test_title_lines_and_multi_line_cells_above_the_header_keep_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text('"Catalog,\nexported by hand"\n\nnote: prices in EUR\nid,title\na,A\n\nb,B\n', encoding="utf-8")
    good, bad = read(path)
    assert bad == []
    assert [(row.line, row.fields["id"]) for row in good] == [(6, "a"), (8, "b")]


def test_a_file_without_a_recognisable_header_uses_its_first_row(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("Title,Colour\nA,red\n", encoding="utf-8")
    assert read(path)[0] == [CourseRow(2, {"id": "a", "title": "A"})]


def test_row_with_too_many_cells(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_text("id,title\na,A,extra\nb,B\n", encoding="utf-8")
    good, bad = read(path)
    assert [row.line for row in good] == [3]
    assert bad == [RowError(2, "row has 3 cells but the header has 2")]


def test_jsonl_good_and_bad_lines(tmp_path: Path) -> None:
    lines = [
        json.dumps({"id": 7, "title": "Seven", "skills": ["a", " a ", "b"], "rating": 4,
                    "durationMinutes": 30, "published": False, "colour": "red"}),
        "",
        "{not json",
        "[1, 2]",
        json.dumps({"id": "x", "title": "Bad", "rating": "9"}),
        json.dumps({"id": "y"}),
        json.dumps({"title": "No Id", "provider": "Org", "skills": "p; q"}),
        json.dumps({"id": "7", "title": "Again"}),
    ]
    path = tmp_path / "catalog.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    good, bad = read(path)
    assert [(row.line, row.fields["id"]) for row in good] == [(1, "7"), (5, "x"), (7, "no-id--org")]
    assert good[0].fields == {"id": "7", "title": "Seven", "skills": ["a", "b"], "rating": 4.0,
                              "duration_minutes": 30, "published": False}
    assert good[1].fields == {"id": "x", "title": "Bad"}
    assert good[1].warnings[0].message.startswith("rating: Input should be less than or equal to 5")
    assert good[2].fields["skills"] == ["p", "q"]
    assert [error.line for error in bad] == [3, 4, 6, 8]
    assert bad[0].message.startswith("invalid JSON: ")
    assert bad[1].message == "expected a JSON object, got list"
    assert bad[2].message == "title: missing"
    assert bad[3].message == "id: duplicate id '7', first seen on line 1"


def test_format_sniffed_from_content(tmp_path: Path) -> None:
    path = tmp_path / "catalog.txt"
    path.write_text('\n  {"id": "a", "title": "A"}\n', encoding="utf-8")
    good, bad = read(path)
    assert bad == [] and good == [CourseRow(2, {"id": "a", "title": "A"})]
    csv_path = tmp_path / "catalog.dat"
    csv_path.write_text("id,title\na,A\n", encoding="utf-8")
    assert read(csv_path)[0] == [CourseRow(2, {"id": "a", "title": "A"})]
    assert read(path, file_format="jsonl")[0] == good


def test_parse_mapping() -> None:
    assert parse_mapping(["title = course_title", "durationMinutes=len", "url=a=b"]) == {
        "title": "course_title", "duration_minutes": "len", "url": "a=b",
    }
    assert parse_mapping([]) == {}
    for bad, fragment in [
        (["title"], "expected FIELD=COLUMN"),
        (["title="], "expected FIELD=COLUMN"),
        (["=col"], "expected FIELD=COLUMN"),
        (["colour=col"], "'colour' is not a Course field"),
        (["content_hash=h"], "'content_hash' is not a Course field"),
        (["title=a", "title=b"], "mapped twice"),
    ]:
        with pytest.raises(ValueError, match=fragment):
            parse_mapping(bad)


@pytest.mark.parametrize(
    ("content", "kwargs", "fragment"),
    [
        ("id,title\n", {"file_format": "xml"}, "unknown file format 'xml'"),
        ("id,label\na,A\n", {}, "required field 'title'"),
        ("id,title\na,A\n", {"mapping": {"title": "name"}}, "'name'"),
        ("id,title\na,A\n", {"mapping": {"colour": "id"}}, "colour"),
        ("\n\n", {}, "empty"),
    ],
)
def test_unusable_files(tmp_path: Path, content: str, kwargs: dict[str, Any], fragment: str) -> None:
    path = tmp_path / "c.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CourseFileError, match=fragment):
        read_course_file(path, **kwargs)


def test_missing_and_non_utf8_files(tmp_path: Path) -> None:
    with pytest.raises(CourseFileError, match="cannot read"):
        read_course_file(tmp_path / "nope.csv")
    path = tmp_path / "latin1.csv"
    path.write_bytes("id,title\na,caf\xe9\n".encode("latin-1"))
    with pytest.raises(CourseFileError, match="not UTF-8"):
        read_course_file(path)


def test_utf8_bom_header(tmp_path: Path) -> None:
    path = tmp_path / "c.csv"
    path.write_bytes("id,title\r\na,Ä\r\n".encode("utf-8-sig"))
    assert read(path)[0] == [CourseRow(2, {"id": "a", "title": "Ä"})]


@pytest.mark.skipif(not REAL_FILE.exists(), reason=f"real Coursera catalog not found at {REAL_FILE}")
def test_real_coursera_file() -> None:
    good, bad = read(REAL_FILE)
    assert [error.message for error in bad] == []
    assert len(good) == 1000
    ids = [row.fields["id"] for row in good]
    assert len(set(ids)) == len(ids)
    levels = Counter(str(row.fields["level"]) for row in good)
    assert levels["beginner"] >= 600
    assert levels == {"beginner": 679, "intermediate": 204, "mixed": 82, "advanced": 35}
    assert sum(1 for row in good if row.fields["skills"] == []) == 355
    assert all(row.fields["title"] and row.fields["provider"] for row in good)
    lines = [row.line for row in good]
    assert lines == sorted(lines) and lines[0] == 2
