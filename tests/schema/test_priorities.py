"""schema.priorities: mutations go before the read gate, everything else waits at it; and over HTTP, a mutation
sent among many reads is not kept behind them."""

import asyncio
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.settings import Settings
from app.factory import create_app
from schema.priorities import is_write

IGNORED = st.lists(st.sampled_from([" ", "\n", "\t", ",", "\ufeff", "# a comment\n", "#\r\n"]), max_size=6).map("".join)


@given(IGNORED)
def test_a_document_that_starts_with_mutation_is_a_write(prefix: str) -> None:
    assert is_write(prefix + "mutation Track($e: [EventInput!]!) { trackEvents(events: $e) { accepted } }", None)
    assert is_write(prefix + "mutation { __typename }", None)


@given(IGNORED)
def test_queries_are_reads(prefix: str) -> None:
    assert not is_write(prefix + "{ me { id } }", None)
    assert not is_write(prefix + "query Me { me { id } }", None)
    assert not is_write(prefix + "mutationish", None)


@pytest.mark.parametrize(("query", "name", "write"), [
    ("query A { me { id } } mutation B { __typename }", "B", True),
    ("query A { me { id } } mutation B { __typename }", "A", False),
    ("mutation A { __typename } query B { me { id } }", "B", False),
    ("query A { me { id } } mutation # why\n , B { __typename }", "B", True),
    ("mutation BC { __typename }", "B", False),
    ("mutation B { __typename }", "B) { x", False),  # not a name: never spliced into the pattern
    ("", None, False),
    (None, None, False),
    ("mutation { __typename }", {"not": "a name"}, False),  # as sent: Strawberry refuses it, nothing fails here
    ("mutation { __typename }", 7, False),
    (["mutation { __typename }"], None, False),
    ({"query": "mutation"}, None, False),
])
def test_the_named_operation_decides(query: object, name: object, write: bool) -> None:
    assert is_write(query, name) is write


def test_a_long_run_of_comments_reads_in_linear_time() -> None:
    assert not is_write("#" * 200_000 + "\n{ me { id } }", None)
    assert not is_write("# #" * 100_000, None)


async def test_over_http_a_mutation_among_reads_is_answered_before_most_of_them(tmp_path: Path) -> None:
    app = create_app(Settings(data_dir=tmp_path, reads_per_turn=1), "mongodb://127.0.0.1:9")
    finished: list[str] = []
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as client:

        async def ask(name: str, query: str) -> None:
            response = await client.post("/graphql", json={"query": query})
            assert response.status_code == 200, response.text
            assert "errors" not in response.json(), response.text
            finished.append(name)

        reads = [ask(f"read {n}", "{ __typename }") for n in range(8)]
        await asyncio.gather(*reads[:4], ask("write", "mutation { __typename }"), *reads[4:])
    assert len(finished) == 9  # every read answered
    assert finished.index("write") <= 1, finished  # one read passed the turn it came in; the write did not wait


@pytest.mark.parametrize("body", [{"query": "mutation { __typename }", "operationName": {}},
                                  {"query": ["{ __typename }"]}, {"query": {"a": 1}, "operationName": 3}])
async def test_over_http_bodies_of_the_wrong_types_are_refused_with_a_code(tmp_path: Path, body: dict[str, object]
                                                                            ) -> None:
    app = create_app(Settings(data_dir=tmp_path), "mongodb://127.0.0.1:9")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
                                 base_url="http://t") as client:
        response = await client.post("/graphql", json=body)
    assert response.status_code == 400, response.text
