"""Read a course catalog file (CSV or JSON Lines) into rows ready for upsert."""

import _csv
import csv
import io
import json
import re
import unicodedata
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic_core import ErrorDetails

from app.cell_values import (
    CONVERTERS,
    Converter,
    as_choice,
    as_integer,
    as_joined_text,
    as_number,
    as_string_list,
    as_text,
    coursera_format,
    coursera_minutes,
    preview,
)
from app.documents.courses import Course

#: The Course fields a catalog file may set.
FIELDS = (
    "id", "title", "summary", "description", "skills", "topics", "level", "language",
    "duration_minutes", "format", "provider", "instructors", "prerequisites", "url",
    "rating", "rating_count", "enrollment_count", "published",
)
_FORMAT_NAMES = {"csv": "csv", "jsonl": "jsonl", "ndjson": "jsonl", "json-lines": "jsonl"}

# A Beanie document refuses construction before init_beanie(), so rows are validated
# against a plain model built from Course's own field definitions.
_Validator: type[BaseModel] = create_model(  # type: ignore[call-overload]
    "_CourseFields",
    __config__=ConfigDict(populate_by_name=True),
    **{name: (Course.model_fields[name].annotation, Course.model_fields[name]) for name in FIELDS},
)


class CourseFileError(Exception):
    """The whole file is unusable; the message says why."""


@dataclass(frozen=True)
class CourseRow:
    """A good record: Course field values, keyed by field name."""

    line: int
    fields: dict[str, Any]


@dataclass(frozen=True)
class RowError:
    """A bad record, skipped: where it starts and what is wrong with it."""

    line: int
    message: str


@dataclass(frozen=True)
class _Plan:
    sources: Mapping[str, tuple[str, Converter]]  # field -> (column, converter)
    constants: Mapping[str, Any] = field(default_factory=dict)

    def label(self, name: str) -> str:
        source = self.sources.get(name)
        return f"{name} (column {source[0]!r})" if source and source[0] != name else name


_COURSERA_SIGNATURE = frozenset({"course_title", "course_organization"})
_COURSERA: dict[str, tuple[str, Converter]] = {
    "title": ("course_title", as_text), "provider": ("course_organization", as_text),
    "level": ("course_difficulty", as_choice), "url": ("course_url", as_text),
    "rating": ("course_rating", as_number), "rating_count": ("course_reviews_num", as_integer),
    "enrollment_count": ("course_students_enrolled", as_integer),
    "skills": ("course_skills", as_string_list), "summary": ("course_summary", as_joined_text),
    "description": ("course_description", as_text),
    "duration_minutes": ("course_time", coursera_minutes),
    "format": ("course_certificate_type", coursera_format),
}


def _field_name(column: str) -> str:
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", column.strip())
    return re.sub(r"[\s-]+", "_", snake).lower()


def _plan_for(columns: Iterable[str], mapping: Mapping[str, str] | None) -> _Plan:
    columns = list(columns)
    if mapping:
        return _Plan({name: (column, CONVERTERS.get(name, as_text)) for name, column in mapping.items()})
    if set(columns) >= _COURSERA_SIGNATURE:
        preset = {name: src for name, src in _COURSERA.items() if src[0] in columns}
        return _Plan(preset, {"topics": [], "language": "en"})
    sources: dict[str, tuple[str, Converter]] = {}
    for column in columns:
        if (name := _field_name(column)) in FIELDS:
            sources.setdefault(name, (column, CONVERTERS.get(name, as_text)))
    return _Plan(sources)


def _convert(record: Mapping[str, Any], plan: _Plan) -> dict[str, Any]:
    fields, problems = dict(plan.constants), []
    for name, (column, convert) in plan.sources.items():
        value = record.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            fields[name] = convert(value)
        except (ValueError, TypeError) as exc:
            problems.append(f"{plan.label(name)}: {exc}")
    if problems:
        raise ValueError("; ".join(problems))
    return fields


def _slug(text: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:limit].strip("-")


def _derive_id(fields: dict[str, Any], plan: _Plan) -> bool:
    """Give the row an id from its title and provider if it has none; True when derived."""
    title = fields.get("title")
    if not title:
        raise ValueError(f"{plan.label('title')}: missing")
    if fields.get("id"):
        return False
    provider = fields.get("provider")
    title_slug = _slug(title, 78) if isinstance(title, str) else ""
    if not title_slug:
        raise ValueError("id: missing, and none can be derived from the title")
    provider_slug = _slug(provider, 40) if isinstance(provider, str) else ""
    fields["id"] = f"{title_slug}--{provider_slug}" if provider_slug else title_slug
    return True


def _describe(error: ErrorDetails, plan: _Plan) -> str:
    name, *rest = [str(part) for part in error["loc"]] or ["row"]
    where = "".join(f"[{part}]" for part in rest)
    shown = f" (got {preview(error['input'])})" if isinstance(error["input"], str | int | float) else ""
    return f"{plan.label(name)}{where}: {error['msg']}{shown}"


def _validate(fields: dict[str, Any], plan: _Plan) -> dict[str, Any]:
    try:
        model = _Validator.model_validate(fields)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False)
        raise ValueError("; ".join(_describe(error, plan) for error in errors)) from None
    return model.model_dump(exclude_unset=True)


class _Rows:
    """Turns records into CourseRow or RowError, remembering the ids already seen."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, str | None]] = {}

    def build(self, line: int, record: Mapping[str, Any], plan: _Plan) -> CourseRow | RowError:
        try:
            fields = _convert(record, plan)
            derived = _derive_id(fields, plan)
            fields = _validate(fields, plan)
            fields["id"] = self._claim(line, fields, derived)
        except ValueError as exc:
            return RowError(line, str(exc))
        return CourseRow(line, fields)

    def _claim(self, line: int, fields: dict[str, Any], derived: bool) -> str:
        course_id, url = fields["id"], fields.get("url")
        first = self._seen.get(course_id)
        suffix = _slug(urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1], 60) if url else ""
        if first and derived and suffix and url != first[1]:
            # Same title and provider but another URL is another course (the real Coursera
            # file has translated editions): the later row gets its URL's last path segment.
            course_id = f"{course_id}--{suffix}"
            first = self._seen.get(course_id)
        if first:
            raise ValueError(f"id: duplicate id {course_id!r}, first seen on line {first[0]}")
        self._seen[course_id] = (line, url)
        return str(course_id)


def _csv_header(reader: _csv.Reader) -> list[str]:
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                return [cell.strip() for cell in cells]
    except csv.Error as exc:
        raise CourseFileError(f"unreadable CSV header: {exc}") from None
    raise CourseFileError("no header row")


def _csv_row(line: int, cells: list[str], header: list[str], plan: _Plan,
             rows: _Rows) -> CourseRow | RowError:
    if len(cells) > len(header):
        return RowError(line, f"row has {len(cells)} cells but the header has {len(header)}")
    record = dict(reversed(list(zip(header, cells, strict=False))))  # first duplicate column wins
    return rows.build(line, record, plan)


def _csv_rows(reader: _csv.Reader, header: list[str], plan: _Plan) -> Iterator[CourseRow | RowError]:
    rows, start = _Rows(), reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on with the next line
            yield RowError(start, f"CSV syntax error: {exc}")
        else:
            if any(cell.strip() for cell in cells):
                yield _csv_row(start, cells, header, plan, rows)
        start = reader.line_num + 1


def _read_csv(text: str, mapping: Mapping[str, str] | None) -> Iterator[CourseRow | RowError]:
    reader = csv.reader(io.StringIO(text, newline=""))
    header = _csv_header(reader)
    plan = _plan_for(header, mapping)
    missing = sorted(column for column, _ in plan.sources.values() if column not in header)
    if missing:
        raise CourseFileError(f"column(s) not in the header: {', '.join(map(repr, missing))}")
    if "title" not in plan.sources:
        raise CourseFileError(f"no column for the required field 'title'; header: {header}")
    return _csv_rows(reader, header, plan)


def _jsonl_row(line: int, raw: str, mapping: Mapping[str, str] | None, rows: _Rows) -> CourseRow | RowError:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        return RowError(line, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:  # pathologically deep nesting
        return RowError(line, "invalid JSON: nested too deeply")
    if not isinstance(record, dict):
        return RowError(line, f"expected a JSON object, got {type(record).__name__}")
    return rows.build(line, record, _plan_for(record, mapping))


def _read_jsonl(text: str, mapping: Mapping[str, str] | None) -> Iterator[CourseRow | RowError]:
    rows = _Rows()
    for line, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            yield _jsonl_row(line, raw, mapping, rows)


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CourseFileError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CourseFileError(f"{path}: not UTF-8 text (bad byte at offset {exc.start})") from None
    if not text.strip():
        raise CourseFileError(f"{path}: the file is empty")
    return text


def parse_mapping(options: Sequence[str]) -> dict[str, str]:
    """Parse FIELD=COLUMN options into a Course field -> source column mapping."""
    mapping: dict[str, str] = {}
    for option in [options] if isinstance(options, str) else options:
        given, sep, column = option.partition("=")
        name, column = _field_name(given), column.strip()
        if not sep or not given.strip() or not column:
            raise ValueError(f"invalid mapping {option!r}: expected FIELD=COLUMN, e.g. title=course_title")
        if name not in FIELDS:
            raise ValueError(f"invalid mapping {option!r}: {given.strip()!r} is not a Course field "
                             f"(known: {', '.join(FIELDS)})")
        if name in mapping:
            raise ValueError(f"invalid mapping {option!r}: field {name!r} is mapped twice")
        mapping[name] = column
    return mapping


def read_course_file(path: Path, mapping: Mapping[str, str] | None = None,
                     file_format: str = "auto") -> Iterator[CourseRow | RowError]:
    """Read a catalog file: a CourseRow per good record, a RowError per bad one.

    File-level problems raise CourseFileError at once, before any row is yielded.
    """
    file_format = file_format.strip().lower()
    if file_format != "auto" and file_format not in _FORMAT_NAMES:
        raise CourseFileError(f"unknown file format {file_format!r}: use auto, csv or jsonl")
    unknown = sorted(set(mapping or {}) - set(FIELDS))
    if unknown:
        raise CourseFileError(f"mapping names unknown Course field(s): {', '.join(unknown)}")
    text = _read_text(Path(path))
    if file_format == "auto":
        by_suffix = _FORMAT_NAMES.get(Path(path).suffix.lower().lstrip("."))
        file_format = by_suffix or ("jsonl" if text.lstrip().startswith("{") else "csv")
    reader = _read_csv if _FORMAT_NAMES[file_format] == "csv" else _read_jsonl
    return reader(text, mapping)
