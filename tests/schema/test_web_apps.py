"""The learner app at / and the console at /console, in-process through the real app: files with their content
types, index.html for client-side routes, the API's paths untouched, and a page that says how to build an app
that is not built."""

from pathlib import Path

import httpx

from app.core.settings import Settings
from app.factory import create_app
from schema.graphiql import CONTENT_SECURITY_POLICY
from schema.web_apps import API_PATHS

INDEX = '<!doctype html><html lang="en"><head><script type="module" src="/assets/app-1a2b.js"></script>' \
        '<link rel="stylesheet" href="/assets/app-1a2b.css"></head><body><div id="app"></div></body></html>'


def built(root: Path, console: bool = True) -> Path:
    (root / "learner" / "assets").mkdir(parents=True)
    (root / "learner" / "index.html").write_text(INDEX)
    (root / "learner" / "assets" / "app-1a2b.js").write_text("console.log('learner');")
    (root / "learner" / "assets" / "app-1a2b.css").write_text("body { margin: 0; }")
    (root / "learner" / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    if console:
        (root / "console" / "assets").mkdir(parents=True)
        (root / "console" / "index.html").write_text("<!doctype html><title>Console</title>")
        (root / "console" / "assets" / "console-9f.js").write_text("console.log('console');")
    (root.parent / "secret.txt").write_text("do not serve")
    return root


def client(tmp_path: Path, apps: Path) -> httpx.AsyncClient:
    settings = Settings(data_dir=tmp_path / "data", web_apps_assets=apps, jwt_secret="w" * 32)
    app = create_app(settings, "mongodb://127.0.0.1:9/unused")  # no lifespan: the database is never reached
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test")


async def test_the_learner_app_is_served_at_the_root_under_the_strict_policy(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        page = await http.get("/")
    assert page.status_code == 200 and page.text == INDEX
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert page.headers["x-content-type-options"] == "nosniff" and page.headers["cache-control"] == "no-cache"


async def test_client_side_routes_get_the_index(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        pages = [await http.get(path) for path in ("/course/python-101", "/privacy", "/practice?skill=sql")]
    assert [(page.status_code, page.text) for page in pages] == [(200, INDEX)] * 3


async def test_files_come_with_their_content_types_and_hashed_ones_are_cached(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        script = await http.get("/assets/app-1a2b.js", headers={"accept-encoding": "identity"})
        style = await http.get("/assets/app-1a2b.css")
        icon = await http.get("/favicon.svg")
        missing = await http.get("/assets/gone-0000.js")
    assert script.status_code == 200 and script.text == "console.log('learner');"
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert script.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert style.headers["content-type"].startswith("text/css")
    assert icon.headers["content-type"].startswith("image/svg+xml") and icon.headers["cache-control"] == "no-cache"
    assert missing.status_code == 404 and "text/html" not in missing.headers["content-type"]


async def test_the_console_is_served_at_its_prefix(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        pages = [await http.get(path) for path in ("/console", "/console/", "/console/experiments/abc")]
        script = await http.get("/console/assets/console-9f.js")
    assert {page.text for page in pages} == {"<!doctype html><title>Console</title>"}
    assert script.headers["content-type"].startswith("text/javascript")


async def test_api_paths_are_untouched(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        health = await http.get("/healthz")
        wrong_method = await http.put("/graphql")
        unknown_api = [await http.get(f"{prefix}/nothing-here") for prefix in API_PATHS]
        posted = await http.post("/course/python-101")
    assert health.json() == {"status": "ok"}
    assert wrong_method.status_code == 405
    assert {response.status_code for response in unknown_api} == {404}
    assert all(INDEX not in response.text for response in unknown_api)
    assert posted.status_code == 404


async def test_files_outside_the_build_are_never_served(tmp_path: Path) -> None:
    async with client(tmp_path, built(tmp_path / "dist")) as http:
        responses = [await http.get(path) for path in ("/..%2F..%2Fsecret.txt", "/assets/..%2F..%2F..%2Fsecret.txt")]
    assert all("do not serve" not in response.text for response in responses)


async def test_an_app_that_is_not_built_says_how_to_build_it(tmp_path: Path) -> None:
    async with client(tmp_path, tmp_path / "nothing") as http:
        learner = await http.get("/")
        console = await http.get("/console/experiments")
    assert learner.status_code == 503 and "make web" in learner.text and "learner app" in learner.text
    assert learner.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert console.status_code == 503 and "console" in console.text
