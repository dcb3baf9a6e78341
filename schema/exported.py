"""The schema built with the default settings, for `strawberry export-schema schema.exported:schema`
(`make schema` writes it to schema/schema.graphql, the committed contract a test compares against)."""

from app.core.settings import Settings
from schema.schema import build_schema

schema = build_schema(Settings())
