"""The embedded store: one owner per data dir, sharing, and stale children replaced."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.core.store.embedded import EmbeddedStore, EmbeddedStoreError, _free_port, _pid_alive, embedded_store, ping


def test_owner_starts_and_stops_the_store(tmp_path: Path) -> None:
    with embedded_store(tmp_path, "test") as state:
        assert ping(state.uri)
        assert json.loads((tmp_path / "store.json").read_text())["child_pid"] == state.child_pid
    assert not _pid_alive(state.child_pid) or not ping(state.uri)
    assert not (tmp_path / "store.json").exists()


def test_second_process_shares_and_exclusive_is_refused(tmp_path: Path) -> None:
    with embedded_store(tmp_path, "pathwise serve") as owner:
        with embedded_store(tmp_path, "cli") as shared:
            assert shared.uri == owner.uri and shared.child_pid == owner.child_pid
        assert ping(owner.uri), "a sharing process must not stop the owner's store"
        with (
            pytest.raises(EmbeddedStoreError, match=r"already served by pid \d+ \(pathwise serve\)"),
            embedded_store(tmp_path, "serve", exclusive=True),
        ):
            pass


def test_data_survives_a_restart(tmp_path: Path) -> None:
    from pymongo import MongoClient

    with embedded_store(tmp_path, "first") as state:
        MongoClient(state.uri)["db"]["things"].insert_one({"_id": "kept"})
    with embedded_store(tmp_path, "second") as state:
        assert MongoClient(state.uri)["db"]["things"].find_one({"_id": "kept"}) == {"_id": "kept"}


def test_a_stale_child_is_replaced(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path)
    store.store_dir.mkdir(parents=True)
    port = _free_port()
    orphan = subprocess.Popen(
        [sys.executable, "-c", "from nx_27017.nx_27017 import main; raise SystemExit(main())", "--data-dir",
         str(store.store_dir), "--port", str(port), "--log-file", str(tmp_path / "orphan.log"),
         "--pid-file", str(tmp_path / "orphan.pid")],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    uri = f"mongodb://127.0.0.1:{port}/?directConnection=true"
    deadline = time.monotonic() + 20
    while not ping(uri) and time.monotonic() < deadline:
        time.sleep(0.1)
    dead_owner = 2**22 + 1  # beyond pid_max defaults: surely not running
    (tmp_path / "store.json").write_text(json.dumps(
        {"uri": uri, "child_pid": orphan.pid, "owner_pid": dead_owner, "owner": "killed serve"}))
    try:
        with embedded_store(tmp_path, "new owner") as state:
            assert orphan.wait(timeout=10) is not None, "the stale child was left running"
            assert state.child_pid != orphan.pid and ping(state.uri)
            assert state.owner_pid == os.getpid()
    finally:
        orphan.kill()


def test_a_supervised_store_killed_with_sigkill_is_reaped_and_restarted_on_its_port(tmp_path: Path) -> None:
    from pymongo import MongoClient

    from app.core.store.supervision import restart_count

    before = restart_count()
    with embedded_store(tmp_path, "serve", restart_max_s=0.5) as state:
        client: MongoClient[dict[str, object]] = MongoClient(state.uri, serverSelectionTimeoutMS=20_000)
        client["db"]["things"].insert_one({"_id": "kept"})
        os.kill(state.child_pid, signal.SIGKILL)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and restart_count() == before:
            time.sleep(0.05)
        assert restart_count() == before + 1
        assert not Path(f"/proc/{state.child_pid}").exists(), "the dead child was left a zombie"
        restarted = json.loads((tmp_path / "store.json").read_text())
        assert restarted["uri"] == state.uri and restarted["child_pid"] != state.child_pid
        assert client["db"]["things"].find_one({"_id": "kept"}) == {"_id": "kept"}  # same port, same data
        client.close()
    assert not _pid_alive(restarted["child_pid"])
