"""The browser apps that `make web` builds with Vite: the learner app at `/` and the partner console at
`/console`. Each is a single-page app: a file of its build is served as it is (hashed files under `assets/` are
cached for a year), and any other path under its prefix gets its index.html, so that its client-side routes
(`/course/x`) survive a reload. They answer under the same Content-Security-Policy as GraphiQL (files from 'self'
only: no inline script). An app that is not built answers (503) a page that says how to build it.

They are the router's fallback: a request no route matches (GET or HEAD, outside the API's paths) goes to them,
so every API path, and a wrong method on one (405), is answered as before."""

import mimetypes
from dataclasses import dataclass
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from schema.graphiql import CONTENT_SECURITY_POLICY

BUILT_APPS = Path(__file__).resolve().parents[1] / "web" / "dist"
# Paths of the API: never answered by an app, whatever follows them.
API_PATHS = ("/graphql", "/v1", "/demo", "/static", "/healthz", "/readyz", "/metrics")
_HEADERS = {"content-security-policy": CONTENT_SECURITY_POLICY, "x-content-type-options": "nosniff",
            "referrer-policy": "no-referrer"}
_INDEX_CACHE = "no-cache"
_ASSET_CACHE = "public, max-age=31536000, immutable"  # Vite names them by content hash
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title} is not built</title></head>
<body><main><h1>{title} is not built</h1>
<p>This server serves {title} from its own files, and they are missing from <code>{folder}</code>.</p>
<p>Build them with <code>make web</code> (it runs <code>npm ci</code> and the Vite builds in <code>web/</code>;
<code>make serve</code> does it before starting), then reload this page.</p></main>
</body></html>
"""
mimetypes.add_type("text/javascript", ".js")  # whatever the system's tables say
mimetypes.add_type("application/json", ".map")


@dataclass(frozen=True)
class WebApp:
    """One built single-page app: its URL prefix, its build folder and its name in pages."""

    prefix: str
    folder: Path
    title: str

    def owns(self, path: str) -> bool:
        return self.prefix in {"/", path} or path.startswith(f"{self.prefix}/")

    def response(self, path: str) -> Response:
        """The file `path` names in the build, else index.html for a route (a path without a file extension)."""
        index = self.folder / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT.format(title=self.title, folder=self.folder), status_code=503,
                                headers={**_HEADERS, "cache-control": _INDEX_CACHE})
        relative = path[len(self.prefix):].lstrip("/") if self.prefix != "/" else path.lstrip("/")
        file = _file_in(self.folder, relative)
        if file is not None and file != index.resolve():
            cache = _ASSET_CACHE if relative.startswith("assets/") else _INDEX_CACHE
            return FileResponse(file, headers={**_HEADERS, "cache-control": cache})
        if "." in relative.rsplit("/", 1)[-1]:
            return PlainTextResponse(f"{relative} is not a file of {self.title}", status_code=404, headers=_HEADERS)
        return FileResponse(index, media_type="text/html; charset=utf-8",
                            headers={**_HEADERS, "cache-control": _INDEX_CACHE})


def _file_in(folder: Path, relative: str) -> Path | None:
    """The regular file `relative` names inside `folder` (never outside it), or None."""
    if not relative:
        return None
    root = folder.resolve()
    candidate = (root / relative).resolve()
    return candidate if candidate.is_relative_to(root) and candidate.is_file() else None


def web_apps(folder: Path | None) -> list[WebApp]:
    """The learner app and the console in `folder` (web/dist of the source tree by default), console first."""
    root = folder or BUILT_APPS
    return [WebApp("/console", root / "console", "The partner console"),
            WebApp("/", root / "learner", "The learner app")]


class WebAppsFallback:
    """The router's default: GET and HEAD outside the API go to the app that owns the path; the rest to `default`
    (Starlette's 404)."""

    def __init__(self, apps: list[WebApp], default: ASGIApp) -> None:
        self.apps = apps
        self.default = default
        self.compressed = GZipMiddleware(self._serve)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        api = any(path == prefix or path.startswith(f"{prefix}/") for prefix in API_PATHS)
        if scope["type"] != "http" or scope["method"] not in {"GET", "HEAD"} or api:
            await self.default(scope, receive, send)
        else:
            await self.compressed(scope, receive, send)

    async def _serve(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        app = next(app for app in self.apps if app.owns(path))
        await app.response(path)(scope, receive, send)
