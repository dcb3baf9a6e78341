"""app.factory: the start-up warm-up, and the heap a server process freezes after it (and its collector's threshold)."""

import gc
from pathlib import Path
from typing import Any

import pytest

from app import factory
from app.core.settings import Settings


class Service:
    async def profiles_warmed(self, seconds: float) -> None:
        return None


class Keeper:
    def __init__(self, fails: bool) -> None:
        self.fails = fails

    async def warm(self, limit: int, seconds: float) -> int:
        if self.fails:
            raise RuntimeError("the store went away")
        return 3


@pytest.mark.parametrize("fails", [False, True])
@pytest.mark.parametrize("freeze_heap", [False, True])
async def test_a_server_process_freezes_what_start_up_built_even_when_warming_fails(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, freeze_heap: bool, fails: bool) -> None:
    calls: list[str] = []

    def collect(*args: int) -> int:
        calls.append("collect")
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append("freeze"))
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 20))
    monkeypatch.setattr(gc, "set_threshold", lambda *limits: calls.append(f"threshold {limits}"))
    service: Any = Service()
    keeper: Any = Keeper(fails)
    await factory._warm(service, keeper, Settings(data_dir=tmp_path, gc_young_threshold=30_000), freeze_heap)
    # garbage collected first: none is frozen; the older generations' thresholds are kept
    assert calls == (["collect", "freeze", "threshold (30000, 10, 20)"] if freeze_heap else [])
