"""schema.request_bodies: a GraphQL request body that is not JSON of a request is 400 with a coded JSON error,
for every client (live server), never a plain-text 500."""

import pytest

from schema.request_bodies import BadRequestBodyError, decoded_json, json_value
from tests.conftest import LiveServer

UNUSABLE = [
    (b"null", "the JSON must be an object"), (b'"x"', "the JSON must be an object"), (b"1", "the JSON must be an object"),
    (b"\xff\xfe{", "the body is not UTF-8 text (byte 0)"),
    (b'{"query": "{ me { id } }", "variables": {"a": "\xe9"}}', "the body is not UTF-8 text"),
    (b"[" * 1_000 + b"]" * 1_000, "the JSON nests too deeply"),
    (b'{"query": "query($v: JSON!) { me { id } }", "variables": {"v": ' + b'{"a":' * 1_000 + b"1" + b"}" * 1_000
     + b"}}", "the JSON nests too deeply"),
    (b'{"query": "query($f: Int) { courses(first: $f) { totalCount } }", "variables": {"f": ' + b"9" * 5_000 + b"}}",
     "the JSON holds an integer with too many digits"),
    (b"{not json", "the body is not valid JSON"),
]


@pytest.mark.parametrize("accept", ["application/json", "application/graphql-response+json"])
@pytest.mark.parametrize(("content", "message"), UNUSABLE)
def test_an_unusable_graphql_body_is_400_with_a_code(live_server: LiveServer, content: bytes, message: str,
                                                      accept: str) -> None:
    with live_server.client("body-a") as client:
        response = client.post("/graphql", content=content,
                               headers={"content-type": "application/json", "accept": accept})
    assert response.status_code == 400
    assert response.headers["content-type"].startswith(accept)
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT" and error["message"].startswith(message)


def test_bad_variables_in_a_get_url_are_400_too(live_server: LiveServer) -> None:
    with live_server.client("body-a") as client:
        response = client.get("/graphql", params={"query": "{ me { id } }", "variables": "[" * 1_000})
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_json_value_reads_any_json_and_decoded_json_only_requests() -> None:
    assert json_value(b"null") is None and json_value('"x"') == "x"
    assert decoded_json(b'{"query": "{ me { id } }"}') == {"query": "{ me { id } }"}
    assert decoded_json(b"[]") == []  # a batch: Strawberry refuses it when batching is off
    with pytest.raises(BadRequestBodyError) as refused:
        decoded_json(b"3")
    assert (refused.value.status_code, refused.value.code) == (400, "BAD_USER_INPUT")


def test_well_formed_requests_still_work(live_server: LiveServer) -> None:
    with live_server.client("body-a") as client:
        response = client.post("/graphql", json={"query": "{ me { id } }"})
    assert response.status_code == 200 and "errors" not in response.json()
