"""What the web end-to-end tests share: the browser check, and `pathwise demo` + `pathwise serve` on a database of
their own, ready once the demo's trained recommenders are loaded."""

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.conftest import REPO, _free_port, _wait_ready
from tests.web_scripts import WEB, unavailable

READY = ("popular", "content", "cf")


def require_browser(built: Path, what: str) -> str:
    """Chromium's path; the test is unavailable (a skip, or a failure in CI) without it, node or the build."""
    chromium = shutil.which("chromium")
    if chromium is None:
        unavailable("chromium is not installed (apt-get install chromium)")
    if shutil.which("node") is None or not (WEB / "node_modules").is_dir():
        unavailable("node or web/node_modules is missing: run `make web`")
    if not built.is_file():
        unavailable(f"{what} is not built: run `make web`")
    return chromium


@contextmanager
def demo_server(mongo_uri: str, database: str, data_dir: Path, statuses: Callable[[str], dict[str, str]],
                **settings: str) -> Iterator[str]:
    """`pathwise demo`, then `pathwise serve` with `settings` (PATHWISE_* variables) added; yields the base URL
    once `statuses(base)` (recommender name -> status) says READY for popular, content and cf."""
    env = {**os.environ, "PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": database,
           "PATHWISE_DATA_DIR": str(data_dir), "PATHWISE_ARTIFACT_POLL_SECONDS": "0.5",
           "PATHWISE_CATALOG_POLL_SECONDS": "0.5", **settings}
    demo = subprocess.run([sys.executable, "-m", "app", "demo"], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=600, check=False)
    assert demo.returncode == 0, demo.stdout + demo.stderr
    port = _free_port()
    log_path = data_dir / "server.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([sys.executable, "-m", "app", "serve", "--port", str(port)], env=env, cwd=REPO,
                                   stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(base, process, log_path)
            _wait_for_recommenders(base, statuses)
            yield base
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_for_recommenders(base: str, statuses: Callable[[str], dict[str, str]], timeout_s: float = 300) -> None:
    deadline, found = time.monotonic() + timeout_s, {}
    while time.monotonic() < deadline:
        found = statuses(base)
        if all(found.get(name) == "READY" for name in READY):
            return
        time.sleep(0.5)
    raise RuntimeError(f"the recommenders did not load: {found}")
