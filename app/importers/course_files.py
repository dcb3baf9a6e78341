"""Read a course catalog file (CSV or JSON Lines) into rows ready for upsert."""

import _csv
import csv
import io
import itertools
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, ValidationError, create_model
from pydantic_core import ErrorDetails

from app.core.documents.courses import Course
from app.importers.cell_values import preview
from app.importers.course_columns import FIELDS, HEADER_SCAN, REQUIRED, Plan, field_name, looks_like_header, plan_for

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
class RowWarning:
    """An optional field of a kept row that could not be read, so it was left empty."""

    line: int
    field: str
    message: str  # names the field (and its column) and shows the value


@dataclass(frozen=True)
class CourseRow:
    """A good record: Course field values, keyed by field name, and the fields left empty."""

    line: int
    fields: dict[str, Any]
    warnings: tuple[RowWarning, ...] = ()


@dataclass(frozen=True)
class RowError:
    """A bad record, skipped: where it starts and what is wrong with it."""

    line: int
    message: str


def _convert(line: int, record: Mapping[str, Any], plan: Plan, warnings: list[RowWarning]) -> dict[str, Any]:
    fields, problems = dict(plan.constants), []
    for name, (column, convert) in plan.sources.items():
        value = record.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            continue
        try:
            fields[name] = convert(value)
        except (ValueError, TypeError) as exc:
            message = f"{plan.label(name)}: {exc}"
            if name in REQUIRED:
                problems.append(message)
            else:
                fields.pop(name, None)  # no constant either: the value given was not it
                warnings.append(RowWarning(line, name, message))
    if problems:
        raise ValueError("; ".join(problems))
    return fields


def _slug(text: str, limit: int) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", folded.lower()).strip("-")[:limit].strip("-")


def _derive_id(fields: dict[str, Any], plan: Plan) -> bool:
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


def _describe(error: ErrorDetails, plan: Plan) -> str:
    name, *rest = [str(part) for part in error["loc"]] or ["row"]
    where = "".join(f"[{part}]" for part in rest)
    shown = f" (got {preview(error['input'])})" if isinstance(error["input"], str | int | float) else ""
    return f"{plan.label(name)}{where}: {error['msg']}{shown}"


def _validate(line: int, fields: dict[str, Any], plan: Plan, warnings: list[RowWarning]) -> dict[str, Any]:
    """Validated fields; an invalid optional field is dropped with a warning, an invalid required one raises."""
    while True:
        try:
            return _Validator.model_validate(fields).model_dump(exclude_unset=True)
        except ValidationError as exc:
            errors = exc.errors(include_url=False, include_context=False)
        names = [str(error["loc"][0]) if error["loc"] else "" for error in errors]
        fatal = [error for error, name in zip(errors, names, strict=True) if name in REQUIRED or name not in fields]
        if fatal:
            raise ValueError("; ".join(_describe(error, plan) for error in fatal))
        for name, error in zip(names, errors, strict=True):
            if name in fields:  # one warning per field
                warnings.append(RowWarning(line, name, _describe(error, plan)))
                del fields[name]


class _Rows:
    """Turns records into CourseRow or RowError, remembering the ids already seen."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[int, str | None]] = {}

    def build(self, line: int, record: Mapping[str, Any], plan: Plan) -> CourseRow | RowError:
        warnings: list[RowWarning] = []
        try:
            fields = _convert(line, record, plan, warnings)
            derived = _derive_id(fields, plan)
            fields = _validate(line, fields, plan, warnings)
            fields["id"] = self._claim(line, fields, derived)
        except ValueError as exc:
            return RowError(line, str(exc))
        return CourseRow(line, fields, tuple(warnings))

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


_Record = tuple[int, list[str] | csv.Error]  # the file line a record starts on, its cells or its syntax error


def _csv_records(reader: _csv.Reader) -> Iterator[_Record]:
    start = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:  # the reader goes on with the next line
            yield start, exc
        else:
            if any(cell.strip() for cell in cells):
                yield start, cells
        start = reader.line_num + 1


def _csv_header(records: Iterator[_Record], mapping: Mapping[str, str] | None) -> tuple[list[str], Iterator[_Record]]:
    """The header (the first of the first HEADER_SCAN records that looks like one, else the first) and what follows.

    Title lines above the header are passed over.
    """
    scanned = list(itertools.islice(records, HEADER_SCAN))
    if not scanned:
        raise CourseFileError("no header row")
    found = next((index for index, (_, cells) in enumerate(scanned)
                  if isinstance(cells, list) and looks_like_header(cells, mapping)), 0)
    header = scanned[found][1]
    error = next((cells for _, cells in scanned[:found] if isinstance(cells, csv.Error)), header)
    if isinstance(error, csv.Error) or isinstance(header, csv.Error):
        raise CourseFileError(f"unreadable CSV header: {error}")
    return [cell.strip() for cell in header], itertools.chain(scanned[found + 1:], records)


def _csv_row(line: int, cells: list[str], header: list[str], plan: Plan,
             rows: _Rows) -> CourseRow | RowError:
    if len(cells) > len(header):
        return RowError(line, f"row has {len(cells)} cells but the header has {len(header)}")
    record = dict(reversed(list(zip(header, cells, strict=False))))  # first duplicate column wins
    return rows.build(line, record, plan)


def _csv_rows(records: Iterator[_Record], header: list[str], plan: Plan) -> Iterator[CourseRow | RowError]:
    rows = _Rows()
    for line, cells in records:
        if isinstance(cells, csv.Error):
            yield RowError(line, f"CSV syntax error: {cells}")
        else:
            yield _csv_row(line, cells, header, plan, rows)


def _read_csv(text: str, mapping: Mapping[str, str] | None) -> Iterator[CourseRow | RowError]:
    header, records = _csv_header(_csv_records(csv.reader(io.StringIO(text, newline=""))), mapping)
    plan = plan_for(header, mapping)
    missing = sorted(column for column, _ in plan.sources.values() if column not in header)
    if missing:
        raise CourseFileError(f"column(s) not in the header: {', '.join(map(repr, missing))}")
    if "title" not in plan.sources:
        raise CourseFileError(f"no column for the required field 'title'; header: {header}")
    return _csv_rows(records, header, plan)


def _jsonl_row(line: int, raw: str, mapping: Mapping[str, str] | None, rows: _Rows) -> CourseRow | RowError:
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        return RowError(line, f"invalid JSON: {exc.msg} at column {exc.colno}")
    except RecursionError:  # pathologically deep nesting
        return RowError(line, "invalid JSON: nested too deeply")
    if not isinstance(record, dict):
        return RowError(line, f"expected a JSON object, got {type(record).__name__}")
    return rows.build(line, record, plan_for(record, mapping))


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
        name, column = field_name(given), column.strip()
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
