"""The served schema is the committed contract: a change to a type, field, argument or description shows
up as a diff of schema/schema.graphql, made on purpose with `make schema` and reviewed with the code."""

from pathlib import Path

from schema.exported import schema

COMMITTED = Path(__file__).resolve().parents[2] / "schema" / "schema.graphql"


def test_the_schema_is_the_committed_one() -> None:
    assert schema.as_str() + "\n" == COMMITTED.read_text(encoding="utf-8"), (
        "the GraphQL schema changed: if on purpose, run `make schema` and commit schema/schema.graphql")
