"""resolvers.recommendations.background: slow work in one thread, cut short when the service stops."""

from pathlib import Path

import pytest

from resolvers.recommendations.background import poll_forever
from tests.resolvers.recommendations.test_recommend import settings_in, started

pytestmark = pytest.mark.usefixtures("clean")


async def test_stopping_the_service_cuts_background_embedding_short(tmp_path: Path) -> None:
    import asyncio
    import time

    from recommenders.content import encode_in_chunks
    from recommenders.progress import Cancelled

    service = await started(settings_in(tmp_path))
    texts = [f"a course about topic number {n}" for n in range(20_000)]  # minutes of work
    running = asyncio.ensure_future(service.background.run(encode_in_chunks, texts, 64, "embedding courses"))
    await asyncio.sleep(1.0)
    stopping = time.monotonic()
    await service.stop()
    with pytest.raises(Cancelled):
        await running  # the thread ended at its next progress report, so the process can exit
    assert time.monotonic() - stopping < 30


async def test_a_failed_refresh_is_retried_at_the_next_poll() -> None:
    import asyncio

    calls = []

    async def refresh() -> None:
        calls.append(len(calls))
        if len(calls) == 1:
            raise RuntimeError("boom")

    polling = asyncio.create_task(poll_forever(0.01, refresh))
    while len(calls) < 2:
        await asyncio.sleep(0.01)
    polling.cancel()
    assert calls[:2] == [0, 1]
