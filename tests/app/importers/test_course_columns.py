"""app.importers.course_columns: column names and aliases to Course fields, and which row is the header."""

from app.importers.cell_values import as_minutes, hours_as_minutes
from app.importers.course_columns import ALIASES, FIELDS, field_name, looks_like_header, plan_for

UDEMY_HEADER = ["course_id", "course_title", "url", "is_paid", "price", "num_subscribers", "num_reviews",
                "num_lectures", "level", "content_duration", "published_timestamp", "subject"]
EDX_HEADER = ["Course Name", "University", "Level", "Course Description", "Language", "Course URL", "Subject"]


def columns(header: list[str], mapping: dict[str, str] | None = None) -> dict[str, str]:
    return {name: column for name, (column, _) in plan_for(header, mapping).sources.items()}


def test_field_names_from_any_spelling() -> None:
    assert field_name("Course Name") == "course_name"
    assert field_name("courseName") == "course_name"
    assert field_name(" course-name ") == "course_name"
    assert field_name("Rating (out of 5)") == "rating_out_of_5"


def test_each_alias_names_one_field_and_no_field_name_is_another_fields_alias() -> None:
    aliases = [alias for names in ALIASES.values() for alias in names]
    assert len(aliases) == len(set(aliases))
    assert not set(aliases) & set(FIELDS)
    assert set(ALIASES) <= set(FIELDS)


def test_udemy_columns() -> None:
    assert columns(UDEMY_HEADER) == {
        "id": "course_id", "title": "course_title", "url": "url", "enrollment_count": "num_subscribers",
        "rating_count": "num_reviews", "level": "level", "duration_minutes": "content_duration",
        "topics": "subject",
    }
    assert plan_for(UDEMY_HEADER, None).sources["duration_minutes"][1] is hours_as_minutes


def test_edx_columns() -> None:
    assert columns(EDX_HEADER) == {
        "title": "Course Name", "provider": "University", "level": "Level", "description": "Course Description",
        "language": "Language", "url": "Course URL", "topics": "Subject",
    }


def test_the_field_name_beats_an_alias_and_minutes_stay_minutes() -> None:
    plan = plan_for(["name", "title", "duration"], None)
    assert plan.sources["title"][0] == "title"
    assert plan.sources["duration_minutes"][1] is as_minutes


def test_a_mapping_adds_to_the_automatic_matching() -> None:
    header = ["title", "blurb", "level", "course_id"]
    assert columns(header, {"summary": "blurb"}) == {
        "id": "course_id", "title": "title", "summary": "blurb", "level": "level",
    }
    # a mapped column is not also matched to another field, which then looks further
    assert columns(["name", "title"], {"description": "title"}) == {"title": "name", "description": "title"}


def test_coursera_preset_and_its_constants() -> None:
    plan = plan_for(["", "course_title", "course_organization", "course_time", "course_difficulty"], None)
    assert {name: column for name, (column, _) in plan.sources.items()} == {
        "title": "course_title", "provider": "course_organization", "level": "course_difficulty",
        "duration_minutes": "course_time",
    }
    assert plan.constants == {"topics": [], "language": "en"}


def test_header_rows_and_title_lines() -> None:
    assert looks_like_header(UDEMY_HEADER, None)
    assert looks_like_header(["title"], None)
    assert looks_like_header(["id", "Title", ""], None)
    assert not looks_like_header(["Udemy Courses Export 2024"], None)
    assert not looks_like_header(["Catalogue", "title"], None)  # one known column among unknown ones
    assert not looks_like_header(["code", "label"], None)
    assert looks_like_header(["code", "label"], {"title": "label"})
