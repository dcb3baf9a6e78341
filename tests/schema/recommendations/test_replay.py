"""schema.recommendations.replay: which query documents a learner's repeated request may be answered for from the
response kept with the cached list (the served path is tested in test_schema.py)."""

import pytest
import strawberry
from graphql import parse

from app.core.settings import Settings
from schema.recommendations.replay import Shape, replayable_shape
from schema.schema import build_schema


@pytest.fixture(scope="module")
def schema() -> strawberry.Schema:
    return build_schema(Settings())


def shape(schema: strawberry.Schema, query: str, operation: str | None = None) -> Shape | None:
    return replayable_shape(schema, parse(query), operation)


def test_a_learners_usual_query_is_replayable_with_its_request_id_keys(schema: strawberry.Schema) -> None:
    usual = ("{ recommendations(first: 10) { requestId strategy fallback "
             "items { course { id title } score source reasons { code text } } } }")
    assert shape(schema, usual) == Shape("recommendations", ("requestId",))
    aliased = """query Mine($n: Int!) { mine: recommendations(first: $n) { ...List a: requestId } }
                 fragment List on Recommendations { requestId items { ... on RecommendedCourse { id __typename } } }"""
    assert shape(schema, aliased, "Mine") == Shape("mine", ("a", "requestId"))
    assert shape(schema, "{ recommendations { items { course { stats { enrollments } } } } }") == Shape(
        "recommendations", ())


@pytest.mark.parametrize("query", [
    "{ recommendations { requestId } recommenders { name } }",  # another root field
    "{ recommendations { items { course { prerequisites { id } } } } }",  # a field with a resolver of its own
    "{ recommendations { requestId @include(if: true) } }",  # a directive
    "query @cached { recommendations { requestId } }",
    "{ r: recommendations { requestId } s: recommendations { requestId } }",
    "{ ...Root } fragment Root on Query { recommendations { requestId } }",
    "{ recommenders { name } }",
    "mutation { trackEvents(events: []) { accepted } }",
])
def test_anything_else_is_executed(schema: strawberry.Schema, query: str) -> None:
    assert shape(schema, query) is None


def test_the_operation_named_is_the_one_checked(schema: strawberry.Schema) -> None:
    document = "query A { recommendations { requestId } } query B { recommenders { name } }"
    assert shape(schema, document, "A") == Shape("recommendations", ("requestId",))
    assert shape(schema, document, "B") is None and shape(schema, document) is None
