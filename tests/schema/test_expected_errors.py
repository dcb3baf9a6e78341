# mypy: disallow-untyped-decorators=False
"""The one seam for expected failures: `ExpectedErrors` shows a UseCaseError as a coded GraphQL error on a query
field and as the payload's `errors` on a mutation; anything else is still masked; no field catches them by hand."""

import re
from pathlib import Path

import pytest
import strawberry
from graphql import GraphQLFormattedError
from strawberry.extensions import MaskErrors

from resolvers.errors import MAX_MESSAGE_CHARS, ErrorCode, Problem, UseCaseError
from schema.errors import UserError, should_mask_error
from schema.expected_errors import ExpectedErrors, payload_type
from schema.schema import build_schema
from tests.schema.test_command_counts import context

SCHEMA_PACKAGE = Path(__file__).resolve().parents[2] / "schema"
REFUSED = UseCaseError(ErrorCode.BAD_USER_INPUT, "refused", [
    Problem(ErrorCode.BAD_USER_INPUT, "name is empty", "name", 0),
    Problem(ErrorCode.DUPLICATE, "twice", None, 2),
])


@strawberry.type
class Thing:
    name: str


@strawberry.type
class ThingPayload:
    thing: Thing | None = None
    things: list[Thing] = strawberry.field(default_factory=list)
    count: int = 0
    errors: list[UserError]


@strawberry.type
class Query:
    @strawberry.field(extensions=[ExpectedErrors()])
    async def refused(self) -> Thing:
        raise UseCaseError(ErrorCode.NOT_FOUND, "no thing 't1'")

    @strawberry.field(extensions=[ExpectedErrors()])
    def refused_sync(self) -> list[Thing]:
        raise UseCaseError(ErrorCode.FORBIDDEN, "not yours")

    @strawberry.field(extensions=[ExpectedErrors()])
    async def long_message(self) -> Thing | None:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "x" * 1000)

    @strawberry.field(extensions=[ExpectedErrors()])
    async def broken(self) -> Thing:
        raise RuntimeError("mongodb://secret-host said no")

    @strawberry.field(extensions=[ExpectedErrors()])
    async def found(self) -> Thing:
        return Thing(name="t1")


@strawberry.type
class Mutation:
    @strawberry.mutation(extensions=[ExpectedErrors()])
    async def make_thing(self, fail: bool) -> ThingPayload:
        if fail:
            raise REFUSED
        return ThingPayload(thing=Thing(name="t1"), things=[Thing(name="t1")], count=1, errors=[])

    @strawberry.mutation(extensions=[ExpectedErrors()])
    async def break_thing(self) -> ThingPayload:
        raise RuntimeError("mongodb://secret-host said no")


SCHEMA = strawberry.Schema(query=Query, mutation=Mutation,
                           extensions=[lambda: MaskErrors(should_mask_error=should_mask_error)])


async def errors_of(query: str) -> list[GraphQLFormattedError]:
    result = await SCHEMA.execute(query)
    assert result.errors is not None
    return [error.formatted for error in result.errors]


async def test_a_refused_query_is_a_graphql_error_with_the_use_cases_code_and_message() -> None:
    result = await SCHEMA.execute("{ refused { name } }")
    assert result.data is None
    assert [error.formatted for error in result.errors or []] == [{
        "message": "no thing 't1'", "locations": [{"line": 1, "column": 3}], "path": ["refused"],
        "extensions": {"code": "NOT_FOUND"}}]


async def test_a_sync_field_is_mapped_the_same_way() -> None:
    assert (await errors_of("{ refusedSync { name } }"))[0]["extensions"] == {"code": "FORBIDDEN"}


async def test_a_refused_querys_message_is_clipped() -> None:
    message = (await errors_of("{ longMessage { name } }"))[0]["message"]
    assert message.startswith("x" * MAX_MESSAGE_CHARS) and message.endswith("(cut from 1,000 characters)")


async def test_a_field_that_succeeds_is_left_alone() -> None:
    result = await SCHEMA.execute("{ found { name } }")
    assert result.errors is None and result.data == {"found": {"name": "t1"}}


async def test_a_refused_mutation_returns_its_payload_with_the_problems_and_nothing_else() -> None:
    result = await SCHEMA.execute("mutation { makeThing(fail: true) { thing { name } things { name } count "
                                  "errors { code message field index } } }")
    assert result.errors is None
    assert result.data == {"makeThing": {"thing": None, "things": [], "count": 0, "errors": [
        {"code": "BAD_USER_INPUT", "message": "name is empty", "field": "name", "index": 0},
        {"code": "DUPLICATE", "message": "twice", "field": None, "index": 2},
    ]}}


async def test_a_mutation_that_succeeds_returns_its_own_payload() -> None:
    result = await SCHEMA.execute("mutation { makeThing(fail: false) { thing { name } count errors { code } } }")
    assert result.data == {"makeThing": {"thing": {"name": "t1"}, "count": 1, "errors": []}}


@pytest.mark.parametrize("query", ["{ broken { name } }", "mutation { breakThing { count } }"])
async def test_an_unexpected_exception_is_still_masked(query: str) -> None:
    errors = await errors_of(query)
    assert [error["message"] for error in errors] == ["Unexpected error."]
    assert "secret-host" not in str(errors)


def test_a_payload_is_an_object_type_with_errors() -> None:
    assert payload_type(ThingPayload) is ThingPayload
    assert payload_type(Thing) is None  # no `errors`: a query's type
    assert payload_type(int) is None


def test_a_payload_that_cannot_be_built_from_its_errors_alone_stops_the_schema_build() -> None:
    @strawberry.type
    class Incomplete:
        count: int
        errors: list[UserError]

    with pytest.raises(TypeError, match="Incomplete cannot report errors alone: count"):
        payload_type(Incomplete)


@pytest.mark.usefixtures("clean")
async def test_the_api_maps_a_refused_query_and_a_refused_mutation() -> None:
    schema = build_schema(context("u1").settings)
    query = await schema.execute("{ courses(first: 0) { totalCount } }", context_value=context("u1"))
    assert [(error.message, error.extensions) for error in query.errors or []] == [
        ("`first` must be between 1 and 100", {"code": "BAD_USER_INPUT"})]
    mutation = await schema.execute('mutation { enroll(courseId: "nope") { enrollment { id } user { id } '
                                    "errors { code message field index } } }", context_value=context("u1"))
    assert mutation.errors is None
    assert mutation.data == {"enroll": {"enrollment": None, "user": None, "errors": [
        {"code": "NOT_FOUND", "message": "no course with id 'nope'", "field": None, "index": None}]}}


def test_no_graphql_field_catches_use_case_errors_by_hand() -> None:
    """ExpectedErrors is the one seam; only the REST endpoints (schema/rest) map errors to HTTP themselves."""
    catching = re.compile(r"except\s*\(?[^:]*\bUseCaseError\b")
    by_hand = [str(path.relative_to(SCHEMA_PACKAGE)) for path in SCHEMA_PACKAGE.rglob("*.py")
               if "rest" not in path.parts and catching.search(path.read_text())]
    assert by_hand == ["expected_errors.py"]
