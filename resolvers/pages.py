"""Relay-style pages and their opaque cursors."""

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from resolvers.errors import ErrorCode, UseCaseError

T = TypeVar("T")
MAX_PAGE_SIZE = 100


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    cursors: list[str]
    total_count: int
    has_next_page: bool
    has_previous_page: bool


def encode_cursor(kind: str, value: Any) -> str:
    raw = json.dumps([kind, value], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, kind: str) -> Any:
    """The value in `cursor`, which must be of `kind`; BAD_USER_INPUT otherwise."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_kind, value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, TypeError, binascii.Error) as error:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`after` is not a cursor of this list") from error
    if found_kind != kind:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "`after` is not a cursor of this list")
    return value


def check_page_size(first: int) -> None:
    if not 1 <= first <= MAX_PAGE_SIZE:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"`first` must be between 1 and {MAX_PAGE_SIZE}")
