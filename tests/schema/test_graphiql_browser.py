"""GraphiQL renders in headless Chromium with the network limited to the server (no CDN)."""

import shutil

import pytest

from schema.graphiql import BUILT_ASSETS, BUILT_MARKER
from tests.conftest import LiveServer
from tests.web_scripts import WEB, run_node_script, unavailable

SCREENSHOTS = WEB / "test-results"


def test_graphiql_renders_offline_from_the_servers_own_files(request: pytest.FixtureRequest) -> None:
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    if not (BUILT_ASSETS / BUILT_MARKER).is_file():
        unavailable("GraphiQL's files are not built: run `make web`")
    live_server: LiveServer = request.getfixturevalue("live_server")  # started only when the test can run
    SCREENSHOTS.mkdir(exist_ok=True)
    screenshot = SCREENSHOTS / "graphiql.png"
    result = run_node_script("tests/graphiql-offline.mjs", live_server.base_url, str(screenshot), chromium)
    assert result["external"] == []  # every request to another host was aborted, and there were none
    assert result["pageErrors"] == []
    assert result["consoleErrors"] == []  # a Content-Security-Policy violation would show here
    assert result["rendered"], f"GraphiQL did not render; see {screenshot}"
    assert "query: Query" in result["rootTypes"] and "mutation: Mutation" in result["rootTypes"]
    assert screenshot.stat().st_size > 10_000
