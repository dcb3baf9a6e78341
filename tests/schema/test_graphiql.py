"""GraphiQL's page and files, in-process: a strict Content-Security-Policy, local files only, and a page that says
how to build them when they are missing."""

import re
from pathlib import Path

import httpx
import pytest
import strawberry
from starlette.applications import Starlette
from starlette.routing import Route

from app.core.settings import Settings
from schema.error_logs import PathwiseSchema
from schema.graphiql import BUILT_ASSETS, BUILT_MARKER, CONTENT_SECURITY_POLICY, graphiql_page, graphiql_routes
from schema.http import PathwiseGraphQL

SOURCE = Path(__file__).resolve().parents[2] / "web" / "graphiql"
HTML = {"accept": "text/html"}


@strawberry.type
class Query:
    hello: str = "world"


def built(folder: Path) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "index.html").write_text((SOURCE / "index.html").read_text())
    (folder / "graphiql.min.js").write_text("/* GraphiQL */")
    (folder / BUILT_MARKER).write_text("now\n")
    return folder


def client(assets: Path, graphiql: bool = True) -> httpx.AsyncClient:
    settings = Settings(data_dir=assets.parent, graphiql=graphiql)
    view = PathwiseGraphQL(PathwiseSchema(query=Query), settings, graphiql_assets=assets)
    app = Starlette(routes=[Route("/graphql", view, methods=["GET", "POST"]), *graphiql_routes(graphiql, assets)])
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_page_loads_only_this_servers_files_under_a_strict_policy(tmp_path: Path) -> None:
    async with client(built(tmp_path / "graphiql")) as http:
        page = await http.get("/graphql", headers=HTML)
        script = await http.get("/static/graphiql/graphiql.min.js")
    assert page.status_code == 200 and "Pathwise GraphiQL" in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "script-src 'self';" in CONTENT_SECURITY_POLICY and "unsafe" not in CONTENT_SECURITY_POLICY
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert urls and all(url.startswith("/static/graphiql/") for url in urls)
    assert "<script>" not in page.text and "<style" not in page.text  # nothing inline
    assert script.status_code == 200 and script.text == "/* GraphiQL */"


async def test_unbuilt_files_get_a_page_that_says_how_to_build_them(tmp_path: Path) -> None:
    async with client(tmp_path / "missing") as http:
        page = await http.get("/graphql", headers=HTML)
        script = await http.get("/static/graphiql/graphiql.min.js")
    assert page.status_code == 503 and "make web" in page.text and "make serve" in page.text
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert script.status_code == 404


async def test_graphiql_off_serves_neither_page_nor_files(tmp_path: Path) -> None:
    async with client(built(tmp_path / "graphiql"), graphiql=False) as http:
        page = await http.get("/graphql", headers=HTML)
        script = await http.get("/static/graphiql/graphiql.min.js")
    assert page.status_code == 404 and script.status_code == 404


def test_the_page_the_build_wrote_is_served_when_built() -> None:
    if not (BUILT_ASSETS / BUILT_MARKER).is_file():
        pytest.skip("GraphiQL's files are not built: run `make web`")
    page = graphiql_page()
    assert page.status_code == 200
    assert bytes(page.body) == (BUILT_ASSETS / "index.html").read_bytes()


async def test_the_app_serves_the_files_of_the_configured_folder(tmp_path: Path) -> None:
    from app.factory import create_app

    assets = built(tmp_path / "elsewhere")
    app = create_app(Settings(data_dir=tmp_path, graphiql_assets=assets), "mongodb://127.0.0.1:1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as http:
        page = await http.get("/graphql", headers=HTML)  # no lifespan: the page needs no database
        script = await http.get("/static/graphiql/graphiql.min.js")
    assert page.status_code == 200 and "Pathwise GraphiQL" in page.text
    assert script.text == "/* GraphiQL */"
