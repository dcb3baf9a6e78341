"""Secrets generated once into the data dir: the first writer wins, readers never see half a file, no spare
files are left behind."""

import threading
from pathlib import Path

from app.core.secret_files import read_or_create


def test_the_secret_is_made_once_with_mode_0600_and_read_back_after(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "secret"
    assert read_or_create(path, lambda: "first") == "first"
    assert read_or_create(path, lambda: "second") == "first"
    assert path.stat().st_mode & 0o777 == 0o600 and sorted(p.name for p in path.parent.iterdir()) == ["secret"]


def test_processes_starting_together_all_read_the_one_secret(tmp_path: Path) -> None:
    path, found, start = tmp_path / "secret", [], threading.Barrier(8)

    def one(n: int) -> None:
        start.wait()
        found.append(read_or_create(path, lambda: f"secret-{n}" * 1_000))

    threads = [threading.Thread(target=one, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and found[0] == path.read_text() and len(list(tmp_path.iterdir())) == 1
