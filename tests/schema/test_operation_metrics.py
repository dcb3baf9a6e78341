"""GraphQL requests labelled by operation (bounded) and their errors counted by the code clients get."""

from pathlib import Path

from graphql import GraphQLError, parse
from prometheus_client import REGISTRY
from pymongo.errors import ServerSelectionTimeoutError
from starlette.requests import Request

from app.core.http.request_metrics import OPERATION_KEY
from app.core.settings import Settings
from schema.context import Context
from schema.error_codes import client_code
from schema.operation_metrics import operation_label
from schema.schema import build_schema


def errors_counted(code: str) -> float:
    return REGISTRY.get_sample_value("pathwise_graphql_errors_total", {"code": code}) or 0.0


def test_a_named_operation_is_labelled_by_its_name() -> None:
    assert operation_label("LearnerHome", parse("query LearnerHome { me { id } }")) == "LearnerHome"


def test_an_unnamed_operation_is_labelled_by_its_root_fields_sorted_and_capped() -> None:
    assert operation_label(None, parse("{ recommenders { name } courses { id } }")) == "courses,recommenders"
    assert operation_label(None, parse("{ e f a b c d }")) == "a,b,c+3"
    assert operation_label(None, parse("{ b: user(id: \"u-123\") { id } }")) == "user"  # never an alias or an id


def test_without_a_usable_name_or_document_the_operation_is_anonymous() -> None:
    assert operation_label(None, None) == "anonymous"
    assert operation_label("bad name; drop", parse("query A { me { id } }")) == "anonymous"
    assert operation_label(None, parse("query A { a } query B { b }")) == "anonymous"
    assert operation_label("B", parse("query A { a } query B { b }")) == "B"
    assert operation_label("x" * 65, parse("{ me { id } }")) == "anonymous"


def test_the_counted_code_is_the_one_clients_get() -> None:
    assert client_code(GraphQLError("no", extensions={"code": "FORBIDDEN"})) == "FORBIDDEN"
    assert client_code(GraphQLError("Cannot query field 'x' on type 'Query'.")) == "GRAPHQL_VALIDATION_FAILED"
    assert client_code(GraphQLError("boom", original_error=KeyError("k"))) == "INTERNAL_SERVER_ERROR"
    assert client_code(GraphQLError("gone", original_error=ServerSelectionTimeoutError("db"))) == "UNAVAILABLE"


async def test_executing_labels_the_http_request_and_counts_its_errors(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, jwt_secret="operation-metrics-secret-0123456789abcdef")
    schema = build_schema(settings)
    long = "{ " + "__typename " * 2_100 + "}"
    for query, code, label in (("query Broken { noSuchField }", "GRAPHQL_VALIDATION_FAILED", "Broken"),
                               (long, "QUERY_TOO_COMPLEX", "anonymous"), ("{ ", "GRAPHQL_PARSE_FAILED", "anonymous")):
        request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": [],
                           "client": ("127.0.0.1", 1)})
        before = errors_counted(code)
        result = await schema.execute(query, context_value=Context(request=request, response=None,
                                                                   settings=settings))
        assert result.errors
        assert errors_counted(code) == before + 1
        assert request.scope[OPERATION_KEY] == label
