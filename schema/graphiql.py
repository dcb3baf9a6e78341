"""GraphiQL from this server's own files (`make web` builds them into web/dist/graphiql from npm packages), under
a Content-Security-Policy that lets the page load nothing from anywhere else."""

from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse
from starlette.routing import BaseRoute, Mount
from starlette.staticfiles import StaticFiles
from starlette.types import Receive, Scope, Send

ASSETS_URL = "/static/graphiql"
BUILT_ASSETS = Path(__file__).resolve().parents[1] / "web" / "dist" / "graphiql"
BUILT_MARKER = "BUILT"  # the build script writes it last
# GraphiQL's stylesheet inlines its fonts and a few images as data: URLs; everything else comes from 'self'.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
    "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'none'",
    "frame-ancestors 'none'",
])
_HEADERS = {"content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff",
            "cache-control": "no-cache"}
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>GraphiQL is not built</title></head>
<body><h1>GraphiQL is not built</h1>
<p>This server serves GraphiQL from its own files, and they are missing from <code>{assets}</code>.</p>
<p>Build them with <code>make web</code> (it runs <code>npm ci</code> and <code>npm run build:graphiql</code> in
<code>web/</code>; <code>make serve</code> does it before starting), then reload this page.</p>
</body></html>
"""


def graphiql_page(assets: Path = BUILT_ASSETS) -> HTMLResponse:
    """The GraphiQL page, or (503) a page that says how to build its files."""
    if not (assets / BUILT_MARKER).is_file():
        return HTMLResponse(_NOT_BUILT.format(assets=assets), status_code=503, headers=_HEADERS)
    return HTMLResponse((assets / "index.html").read_text(encoding="utf-8"), headers=_HEADERS)


def graphiql_routes(enabled: bool, assets: Path = BUILT_ASSETS) -> list[BaseRoute]:
    """The route for GraphiQL's files (gzip-compressed), when GraphiQL is on."""
    return [Mount(ASSETS_URL, app=GZipMiddleware(_BuiltFiles(assets)), name="graphiql")] if enabled else []


class _BuiltFiles:
    """Starlette's StaticFiles over the build's folder; a 404 while the folder is not built."""

    def __init__(self, assets: Path) -> None:
        self.assets = assets
        self.files = StaticFiles(directory=assets, check_dir=False)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (self.assets / BUILT_MARKER).is_file():
            await self.files(scope, receive, send)
        else:
            await PlainTextResponse("GraphiQL is not built: run `make web`", status_code=404)(scope, receive, send)
