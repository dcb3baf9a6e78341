"""The change feed: learners changed through one process reach another's ledger as remote reports, once each,
named by a keyed hash (no learner id stored), never echoed back, and a report that could not be stored is sent
again."""

import pytest

from app.core.documents import LearnerChange
from resolvers.change_feed import ChangeFeed
from resolvers.learner_changes import LearnerChanges

KEY = bytes(range(32))


def feed() -> tuple[ChangeFeed, LearnerChanges, list[tuple[list[str], bool]]]:
    changes, heard = LearnerChanges(), []
    changes.on_touched(lambda ids, remote: heard.append((sorted(ids), remote)))
    running = ChangeFeed(KEY, changes)
    running._stop_listening = changes.on_touched(running._local)
    running._since -= 10  # reports written during the test count
    return running, changes, heard


@pytest.mark.usefixtures("clean")
async def test_another_processs_changes_are_reported_here_as_remote_once() -> None:
    writer, writer_changes, _ = feed()
    reader, reader_changes, heard = feed()
    writer_changes.touched(["u1", "u2"])
    writer_changes.touched(["u1"])
    await writer.publish()
    assert await reader.poll() == 2 and heard == [(sorted([reader.pseudonym("u1"), reader.pseudonym("u2")]), True)]
    assert reader_changes.changed_since("u1", 0.0) and not reader_changes.changed_since("u3", 0.0)
    stored = await LearnerChange.get_pymongo_collection().find({}).to_list()
    assert "u1" not in str(stored) and writer.pseudonym("u1") in stored[0]["learners"]
    assert await reader.poll() == 0 and len(heard) == 1  # seen already
    assert await writer.poll() == 0  # its own reports are not its news
    await reader.publish()
    assert await LearnerChange.find_all().count() == 1  # remote reports are not published again


@pytest.mark.usefixtures("clean")
async def test_a_large_change_is_split_and_the_last_reports_are_kept_when_the_store_fails(
        monkeypatch: pytest.MonkeyPatch) -> None:
    writer, writer_changes, _ = feed()
    writer_changes.touched([f"u{n}" for n in range(2_500)])

    async def refuse(*args: object, **kwargs: object) -> None:
        raise OSError("the store is away")

    collection = LearnerChange.get_pymongo_collection()
    monkeypatch.setattr(type(collection), "insert_many", refuse)
    with pytest.raises(OSError):
        await writer.publish()
    monkeypatch.undo()
    await writer.publish()
    reports = await LearnerChange.get_pymongo_collection().find({}).to_list()
    assert sorted(len(report["learners"]) for report in reports) == [500, 1_000, 1_000]
    reader, _, heard = feed()
    assert await reader.poll() == 2_500 and len(heard[0][0]) == 2_500


@pytest.mark.usefixtures("clean")
async def test_a_poll_reads_no_report_of_its_own_process_and_still_hears_the_others(
        monkeypatch: pytest.MonkeyPatch) -> None:
    writer, writer_changes, _ = feed()
    other, other_changes, _ = feed()
    read: list[int] = []
    collection_type = type(LearnerChange.get_pymongo_collection())
    stock_find = collection_type.find

    def counting_find(self: object, *args: object, **kwargs: object) -> object:
        cursor = stock_find(self, *args, **kwargs)  # type: ignore[arg-type]
        stock_to_list = cursor.to_list

        async def to_list(*list_args: object) -> list[dict[str, object]]:
            documents = await stock_to_list(*list_args)  # type: ignore[arg-type]
            read.append(len(documents))
            return documents

        cursor.to_list = to_list  # type: ignore[method-assign,assignment]
        return cursor

    monkeypatch.setattr(collection_type, "find", counting_find)
    for n in range(3):
        writer_changes.touched([f"u{n}"])
        await writer.publish()
    assert await writer.poll() == 0 and read == [0]  # its three reports stay in the store
    other_changes.touched(["u9"])
    await other.publish()
    assert await writer.poll() == 1 and read == [0, 1]
