"""Runs web/'s node scripts from tests. Without node (or `make web`'s node_modules) a test skips with the reason,
unless PATHWISE_REQUIRE_BROWSER=1 (CI sets it), where it fails."""

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import pytest

WEB = Path(__file__).resolve().parents[1] / "web"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("PATHWISE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"{reason} (PATHWISE_REQUIRE_BROWSER=1 requires it)")
    pytest.skip(reason)


def run_node_script(script: str, *args: str, timeout_s: float = 180) -> dict[str, Any]:
    """Run `node web/<script> args…` and return the JSON object it prints last."""
    node = shutil.which("node")
    if node is None:
        unavailable("node is not installed")
    if not (WEB / "node_modules").is_dir():
        unavailable("web/node_modules is missing: run `make web`")
    done = subprocess.run([node, script, *args], cwd=WEB, capture_output=True, text=True, timeout=timeout_s,
                          check=False)
    assert done.returncode == 0, done.stderr
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result
