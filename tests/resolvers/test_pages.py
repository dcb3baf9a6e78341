"""resolvers.pages: opaque cursors and page-size checks."""

import base64

import pytest

from resolvers.errors import ErrorCode, UseCaseError
from resolvers.pages import MAX_PAGE_SIZE, Page, check_page_size, decode_cursor, encode_cursor


def _raw_cursor(payload: str) -> str:
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


@pytest.mark.parametrize("value", ["c001", "", "ünï/cødé+=", 0, 41, 1.5, None, ["a", 1], {"k": "v"}])
def test_cursor_round_trip(value: object) -> None:
    cursor = encode_cursor("id", value)
    assert decode_cursor(cursor, "id") == value


def test_cursor_is_url_safe_and_unpadded() -> None:
    for length in range(1, 12):
        cursor = encode_cursor("id", "x" * length)
        assert "=" not in cursor
        assert "+" not in cursor
        assert "/" not in cursor


def test_cursor_is_stable() -> None:
    assert encode_cursor("rank", 3) == encode_cursor("rank", 3)
    assert encode_cursor("rank", 3) == _raw_cursor('["rank",3]')
    assert encode_cursor("rank", 3) != encode_cursor("rank", 4)


def test_cursor_of_another_kind_is_refused() -> None:
    with pytest.raises(UseCaseError) as caught:
        decode_cursor(encode_cursor("id", "c1"), "rank")
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "`after` is not a cursor of this list"


@pytest.mark.parametrize(
    "cursor",
    [
        "",
        "!!!!",
        "not a cursor",
        "é",
        _raw_cursor("not json"),
        _raw_cursor("5"),
        _raw_cursor("null"),
        _raw_cursor('"id"'),
        _raw_cursor('["id"]'),
        _raw_cursor('["id",1,2]'),
        _raw_cursor("{}"),
        base64.urlsafe_b64encode(b"\xff\xfe\xfd").decode(),
    ],
)
def test_garbage_cursor_is_bad_user_input(cursor: str) -> None:
    with pytest.raises(UseCaseError) as caught:
        decode_cursor(cursor, "id")
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert [p.code for p in caught.value.problems] == [ErrorCode.BAD_USER_INPUT]


@pytest.mark.parametrize("first", [1, 2, 50, MAX_PAGE_SIZE])
def test_page_sizes_in_range_are_accepted(first: int) -> None:
    check_page_size(first)


@pytest.mark.parametrize("first", [0, -1, MAX_PAGE_SIZE + 1, 10_000])
def test_page_sizes_out_of_range_are_bad_user_input(first: int) -> None:
    with pytest.raises(UseCaseError) as caught:
        check_page_size(first)
    assert caught.value.code is ErrorCode.BAD_USER_INPUT
    assert caught.value.message == "`first` must be between 1 and 100"


def test_max_page_size_is_100() -> None:
    assert MAX_PAGE_SIZE == 100


def test_page_is_immutable() -> None:
    page: Page[int] = Page([1], ["c"], 1, False, False)
    with pytest.raises(AttributeError):
        page.total_count = 2  # type: ignore[misc]
