"""resolvers.errors: codes, problems, and pydantic errors turned into camelCase problems."""

import pytest
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pymongo.errors import (
    AutoReconnect,
    DuplicateKeyError,
    ExecutionTimeout,
    NetworkTimeout,
    ServerSelectionTimeoutError,
)

from resolvers.errors import ErrorCode, Problem, UseCaseError, store_unavailable, validation_problems


class _Nested(BaseModel):
    app_version: str = Field(max_length=3)


class _Model(BaseModel):
    weekly_minutes_target: int = Field(ge=0)
    title: str
    preferred_formats: list[str] = Field(default_factory=list)
    context: _Nested | None = None


def _error(data: dict[str, object]) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        _Model.model_validate(data)
    return caught.value


def test_error_codes_are_their_names() -> None:
    assert [code.value for code in ErrorCode] == [
        "BAD_USER_INPUT", "NOT_FOUND", "FORBIDDEN", "UNAUTHENTICATED", "DUPLICATE", "CONSENT_REQUIRED", "UNAVAILABLE",
        "CONFLICT",
    ]
    assert ErrorCode("NOT_FOUND") is ErrorCode.NOT_FOUND


def test_use_case_error_without_problems_has_one_problem_of_its_own() -> None:
    error = UseCaseError(ErrorCode.NOT_FOUND, "no course with id 'x'")
    assert error.code is ErrorCode.NOT_FOUND
    assert error.message == "no course with id 'x'"
    assert str(error) == "no course with id 'x'"
    assert error.problems == [Problem(ErrorCode.NOT_FOUND, "no course with id 'x'", None, None)]


def test_use_case_error_keeps_the_problems_given() -> None:
    problems = [Problem(ErrorCode.BAD_USER_INPUT, "too big", "rating", 3)]
    error = UseCaseError(ErrorCode.BAD_USER_INPUT, "invalid", problems)
    assert error.problems == problems
    assert error.problems[0].field == "rating"
    assert error.problems[0].index == 3


def test_empty_problem_list_falls_back_to_the_error_itself() -> None:
    error = UseCaseError(ErrorCode.BAD_USER_INPUT, "invalid", [])
    assert error.problems == [Problem(ErrorCode.BAD_USER_INPUT, "invalid")]


def test_problem_is_immutable() -> None:
    problem = Problem(ErrorCode.BAD_USER_INPUT, "x")
    with pytest.raises(AttributeError):
        problem.message = "y"  # type: ignore[misc]


def test_validation_problems_name_fields_in_camel_case() -> None:
    problems = validation_problems(_error({"weekly_minutes_target": -1, "title": "t"}))
    assert len(problems) == 1
    assert problems[0].code is ErrorCode.BAD_USER_INPUT
    assert problems[0].field == "weeklyMinutesTarget"
    assert problems[0].index is None
    assert problems[0].message == "Input should be greater than or equal to 0"
    assert "https://" not in problems[0].message


def test_validation_problems_one_per_field_with_index() -> None:
    problems = validation_problems(_error({"weekly_minutes_target": "x"}), index=7)
    assert sorted(p.field or "" for p in problems) == ["title", "weeklyMinutesTarget"]
    assert {p.index for p in problems} == {7}
    assert {p.code for p in problems} == {ErrorCode.BAD_USER_INPUT}


def test_validation_problems_nested_and_list_locations() -> None:
    error = _error({"weekly_minutes_target": 1, "title": "t", "preferred_formats": ["ok", 5],
                    "context": {"app_version": "toolong"}})
    fields = sorted(p.field or "" for p in validation_problems(error))
    assert fields == ["context.appVersion", "preferredFormats.1"]


def test_validation_problems_of_a_model_level_error_have_no_field() -> None:
    class Whole(BaseModel):
        a: int

    with pytest.raises(ValidationError) as caught:
        Whole.model_validate("not a dict")
    problems = validation_problems(caught.value, index=0)
    assert len(problems) == 1
    assert problems[0].field is None
    assert problems[0].index == 0


def test_validation_problems_name_an_aliased_id_as_id() -> None:
    class Doc(BaseModel):
        model_config = ConfigDict(populate_by_name=True)
        id: str = Field(alias="_id", min_length=1)

    with pytest.raises(ValidationError) as caught:
        Doc.model_validate({})
    assert [p.field for p in validation_problems(caught.value)] == ["id"]


@pytest.mark.parametrize("error", [
    pytest.param(ServerSelectionTimeoutError("no server"), id="selection"),
    pytest.param(AutoReconnect("reset"), id="reconnect"),
    pytest.param(NetworkTimeout("slow"), id="network-timeout"),
    pytest.param(ExecutionTimeout("maxTimeMS", 50), id="execution-timeout"),
])
def test_database_outages_and_timeouts_count_as_unavailable(error: Exception) -> None:
    assert store_unavailable(error)


def test_an_outage_raised_from_is_found_and_other_errors_are_not_outages() -> None:
    try:
        try:
            raise AutoReconnect("reset")
        except AutoReconnect as cause:
            raise RuntimeError("loading the catalog failed") from cause
    except RuntimeError as wrapped:
        assert store_unavailable(wrapped)
    assert not store_unavailable(DuplicateKeyError("E11000"))
    assert not store_unavailable(ValueError("bad"))
    assert not store_unavailable(None)


def test_messages_never_echo_a_huge_input() -> None:
    from resolvers.errors import MAX_MESSAGE_CHARS, clipped

    assert clipped("short") == "short"
    long = clipped(f"no course with id {'a' * 1_000_000!r}")
    assert len(long) < MAX_MESSAGE_CHARS + 40 and long.endswith("(cut from 1,000,020 characters)")
