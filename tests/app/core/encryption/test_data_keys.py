"""app.core.encryption.data_keys: one data key per learner, stored wrapped, cached, destroyed on erasure, rewrapped on rotation
without touching what it sealed."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from pydantic import SecretStr

from app.core.documents import DataKey, User
from app.core.encryption import data_keys
from app.core.encryption.data_keys import UNKNOWN, DataKeys, keyring_for
from app.core.encryption.field_encryption import Keyring, KeyringError, new_key
from app.core.encryption.sealed_fields import get_opened, seal_changes
from app.core.settings import Settings

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture
def old_keyring() -> Keyring:
    return Keyring("k1", {"k1": new_key()})


@pytest.fixture
def store(old_keyring: Keyring) -> Iterator[DataKeys]:
    keys = DataKeys(old_keyring)
    data_keys._current[:] = [keys]
    yield keys
    data_keys._current.clear()


async def test_a_learners_key_is_created_once_stored_wrapped_and_cached(store: DataKeys) -> None:
    key = await store.for_writing("ana")
    assert await store.for_writing("ana") == key and store.reads == 1
    raw = await DataKey.get_pymongo_collection().find_one({"_id": "ana:1"})
    assert raw is not None and raw["owner"] == "ana" and raw["wrapped"]["kid"] == "k1"
    assert key.hex() not in str(raw)
    cold = DataKeys(store.keyring)
    await cold.load(["ana", "bob"])
    assert cold.cached("ana") == key and cold.cached("bob") is None and cold.cached("cy") is UNKNOWN


async def test_cached_keys_cost_no_store_read(store: DataKeys) -> None:
    await store.for_writing("ana")
    reads = store.reads
    for _ in range(3):
        await store.load(["ana"])
    assert store.reads == reads


async def test_destroying_a_key_leaves_the_learners_sealed_values_unreadable(store: DataKeys) -> None:
    await seal_and_store("ana", "Nurse")
    assert await store.destroy("ana") == 1
    assert await DataKey.get_pymongo_collection().count_documents({"owner": "ana"}) == 0
    for keys in (store, DataKeys(store.keyring)):  # this process, and one that never saw the key
        data_keys._current[:] = [keys]
        user = await get_opened(User, "ana")
        assert user is not None and user.job_title is None and user.id == "ana"


async def test_rotation_rewraps_every_key_and_old_values_still_open(store: DataKeys, old_keyring: Keyring) -> None:
    for owner in ("ana", "bob", "cy"):
        await seal_and_store(owner, f"job of {owner}")
    sealed_before = await User.get_pymongo_collection().find({}, {"job_title": 1}).to_list()
    rotated = DataKeys(Keyring("k2", {**old_keyring.keys, "k2": new_key()}))
    steps: list[tuple[int, int]] = []
    report = await rotated.rewrap_all(batch_size=2, progress=lambda done, total: steps.append((done, total)))
    assert report.rewrapped == 3 and report.failed == [] and steps[-1] == (3, 3)
    kids = await DataKey.get_pymongo_collection().distinct("wrapped.kid")
    assert kids == ["k2"]
    assert (await rotated.rewrap_all()).rewrapped == 0  # idempotent: nothing left to do
    assert await User.get_pymongo_collection().find({}, {"job_title": 1}).to_list() == sealed_before
    only_new = DataKeys(Keyring("k2", {"k2": rotated.keyring.keys["k2"]}))  # the old KEK is retired
    data_keys._current[:] = [only_new]
    assert [(await get_opened(User, owner)).job_title for owner in ("ana", "bob", "cy")] == [  # type: ignore[union-attr]
        "job of ana", "job of bob", "job of cy"]


async def test_rotation_reports_keys_wrapped_by_an_unknown_key(store: DataKeys) -> None:
    await store.for_writing("ana")
    report = await DataKeys(Keyring("k9", {"k9": new_key()})).rewrap_all()
    assert report.rewrapped == 0 and report.failed == ["ana:1"]


async def test_a_key_that_does_not_unwrap_reads_as_absent(store: DataKeys) -> None:
    await seal_and_store("ana", "Nurse")
    stranger = DataKeys(Keyring("k1", {"k1": new_key()}))
    data_keys._current[:] = [stranger]
    await stranger.load(["ana"])
    assert stranger.cached("ana") is None
    assert (await get_opened(User, "ana")).job_title is None  # type: ignore[union-attr]


def test_the_keyring_comes_from_the_settings_else_from_the_data_dir(tmp_path: Path) -> None:
    key = new_key()
    configured = Settings(data_dir=tmp_path, encryption_keys=SecretStr(Keyring("a", {"a": key}).to_json()))
    assert keyring_for(configured) == Keyring("a", {"a": key})
    generated = keyring_for(Settings(data_dir=tmp_path))
    assert generated.current == "k1" and keyring_for(Settings(data_dir=tmp_path)) == generated
    with pytest.raises(KeyringError):
        keyring_for(Settings(data_dir=tmp_path, encryption_keys=SecretStr("{}")))


async def seal_and_store(owner: str, job_title: str) -> None:
    await User(id=owner).insert()
    sealed = await seal_changes("users", owner, {"job_title": job_title})
    await User.get_pymongo_collection().update_one({"_id": owner}, {"$set": sealed})
