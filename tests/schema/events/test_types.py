"""schema.events.types: events reach the use case as plain dicts keyed by Python names."""

from datetime import UTC, datetime

import pytest
from graphql import GraphQLInputObjectType, GraphQLList, GraphQLNonNull, build_schema

from app.core.settings import Settings
from schema.events import types
from schema.input_coercion import coerce_input_value
from schema.schema import build_schema as build_pathwise_schema

EVENT = {"eventId": "e1", "type": "quiz_answer", "courseId": "c1", "timestamp": "2026-01-15T10:00:00Z",
         "sessionId": "s1", "context": {"device": "mobile", "appVersion": "4.2", "city": "Lyon"},
         "properties": {"item_id": "i1", "correct": True}}
PYTHON_NAMED = {"event_id": "e1", "type": "quiz_answer", "course_id": "c1",
                "client_timestamp": datetime(2026, 1, 15, 10, tzinfo=UTC), "session_id": "s1",
                "context": {"device": "mobile", "app_version": "4.2", "city": "Lyon"},
                "properties": {"item_id": "i1", "correct": True}}


def test_the_schema_coerces_events_with_python_names_and_the_hook_passes_them_on() -> None:
    schema = build_pathwise_schema(Settings())._schema
    event_type = schema.type_map["EventInput"]
    assert isinstance(event_type, GraphQLInputObjectType)
    coerced = coerce_input_value([EVENT], GraphQLNonNull(GraphQLList(GraphQLNonNull(event_type))))
    assert coerced == [PYTHON_NAMED]
    assert types._event_from_input(types.EventInput, coerced[0], None) is coerced[0]


def test_a_value_with_graphql_names_is_still_renamed() -> None:
    """A schema built without `python_names` hands the hook GraphQL names: it renames them as before."""
    graphql_named = {**EVENT, "timestamp": PYTHON_NAMED["client_timestamp"]}
    assert types._event_from_input(types.EventInput, graphql_named, None) == PYTHON_NAMED


def test_a_field_the_names_do_not_know_stops_the_schema() -> None:
    schema = build_schema("""
        input EventContextInput { device: String }
        input EventInput { eventId: String!, type: String!, courseId: ID, timestamp: String, sessionId: String,
                           context: EventContextInput, properties: String, extra: Int }
        type Query { a(e: EventInput): Int }
    """)
    with pytest.raises(RuntimeError, match="EventInput's fields"):
        types.python_names(schema)
