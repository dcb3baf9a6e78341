"""Which column of a catalog file feeds which Course field: names, aliases, the Coursera preset, the header row."""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from app.importers.cell_values import (
    CONVERTERS,
    Converter,
    as_joined_text,
    as_text,
    coursera_format,
    coursera_minutes,
    hours_as_minutes,
)

#: The Course fields a catalog file may set.
FIELDS = (
    "id", "title", "summary", "description", "skills", "topics", "level", "language",
    "duration_minutes", "format", "provider", "instructors", "prerequisites", "url",
    "rating", "rating_count", "enrollment_count", "published",
)
#: Rows without these are skipped; any other field that cannot be read is left empty with a warning.
REQUIRED = frozenset({"id", "title"})

# Other names for each field (normalised by field_name), most specific first; the field's own name
# always wins. Each alias names one field only. Columns such as `price` have no Course field and are ignored.
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("course_id", "courseid", "course_key", "course_code", "code", "key", "uuid", "slug"),
    "title": ("course_title", "course_name", "name", "title_name"),
    "summary": ("course_summary", "headline", "short_description", "subtitle", "tagline"),
    "description": ("course_description", "long_description", "full_description", "overview", "about"),
    "skills": ("course_skills", "skill", "skills_gained", "skill_tags", "associated_skills"),
    "topics": ("topic", "subject", "subjects", "course_subject", "category", "categories", "tags"),
    "level": ("course_level", "difficulty", "course_difficulty", "difficulty_level", "level_of_difficulty",
              "instructional_level", "skill_level", "experience_level"),
    "language": ("course_language", "lang", "language_code"),
    "duration_minutes": ("duration", "course_duration", "length", "course_length", "duration_mins", "minutes",
                         "content_duration", "duration_hours", "hours", "course_hours", "total_hours"),
    "format": ("course_format", "delivery_format"),
    "provider": ("course_organization", "organization", "organisation", "institution", "university",
                 "school", "partner", "course_provider"),
    "instructors": ("instructor", "instructor_name", "instructor_names", "course_instructors",
                    "visible_instructors", "teacher", "teachers", "author", "authors"),
    "prerequisites": ("prerequisite", "prereqs", "requirements", "course_prerequisites"),
    "url": ("course_url", "link", "course_link", "web_url", "href"),
    "rating": ("course_rating", "avg_rating", "average_rating", "rating_avg", "stars"),
    "rating_count": ("num_reviews", "course_reviews_num", "reviews", "review_count", "reviews_count",
                     "num_ratings", "ratings_count", "number_of_reviews", "number_of_ratings"),
    "enrollment_count": ("num_subscribers", "subscribers", "course_students_enrolled", "students_enrolled",
                         "num_students", "students", "enrollments", "enrolled", "enrollment",
                         "number_of_students", "learners"),
    "published": ("is_published",),
}
# Aliases whose bare numbers are hours, not minutes (Udemy's `content_duration`).
_HOUR_ALIASES = frozenset({"content_duration", "duration_hours", "hours", "course_hours", "total_hours"})

_COURSERA_SIGNATURE = frozenset({"course_title", "course_organization"})
_COURSERA: dict[str, tuple[str, Converter]] = {
    "summary": ("course_summary", as_joined_text), "description": ("course_description", as_text),
    "duration_minutes": ("course_time", coursera_minutes),
    "format": ("course_certificate_type", coursera_format),
}
_COURSERA_CONSTANTS = {"topics": [], "language": "en"}
HEADER_SCAN = 20  # rows searched for the header (title lines may come first)


@dataclass(frozen=True)
class Plan:
    """Where each field comes from: field -> (column, converter), plus values set on every row."""

    sources: Mapping[str, tuple[str, Converter]]
    constants: Mapping[str, Any] = field(default_factory=dict)

    def label(self, name: str) -> str:
        source = self.sources.get(name)
        return f"{name} (column {source[0]!r})" if source and source[0] != name else name


def field_name(column: str) -> str:
    """`Course Name`, `courseName` and `course-name` all become `course_name`."""
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column.strip())
    return re.sub(r"[^a-z0-9]+", "_", snake.lower()).strip("_")


def _auto_sources(columns: Sequence[str], taken: set[str]) -> dict[str, tuple[str, Converter]]:
    by_name: dict[str, str] = {}
    for column in columns:
        if column not in taken:
            by_name.setdefault(field_name(column), column)  # the first of duplicate names wins
    sources: dict[str, tuple[str, Converter]] = {}
    for name in FIELDS:
        alias = next((alias for alias in (name, *ALIASES.get(name, ())) if alias in by_name), None)
        if alias is not None:
            convert = hours_as_minutes if alias in _HOUR_ALIASES else CONVERTERS.get(name, as_text)
            sources[name] = (by_name[alias], convert)
    return sources


def plan_for(columns: Iterable[str], mapping: Mapping[str, str] | None) -> Plan:
    """Match columns to fields by name and alias; `mapping` (field -> column) overrides the fields it names."""
    columns, mapping = list(columns), mapping or {}
    taken = set(mapping.values())
    sources = _auto_sources(columns, taken)
    constants: dict[str, Any] = {}
    if set(columns) >= _COURSERA_SIGNATURE:
        sources |= {name: src for name, src in _COURSERA.items() if src[0] in columns and src[0] not in taken}
        constants = dict(_COURSERA_CONSTANTS)
    sources |= {name: (column, CONVERTERS.get(name, as_text)) for name, column in mapping.items()}
    return Plan(sources, constants)


def looks_like_header(cells: Sequence[str], mapping: Mapping[str, str] | None) -> bool:
    """A row naming the title column and at least one more field (or nothing but known fields)."""
    columns = [cell.strip() for cell in cells]
    plan = plan_for(columns, mapping)
    found = [name for name, (column, _) in plan.sources.items() if column in columns]
    return "title" in found and (len(found) >= 2 or len(found) == sum(1 for column in columns if column))
