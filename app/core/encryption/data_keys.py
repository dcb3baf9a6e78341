"""Learners' data keys (DEKs): created on a learner's first sealed write, cached per process, destroyed on
erasure (crypto-shredding), rewrapped under a new key-encryption key by `pathwise rotate-keys`.

The cache is a bounded LRU with expiry: a key stays `KEY_TTL_S`, the knowledge that a learner has none
(or it was destroyed) only `ABSENT_TTL_S`, so a key another server process just created shows quickly."""

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from cachetools import TLRUCache
from pymongo.errors import DuplicateKeyError

from app.core.documents.data_keys import DataKey
from app.core.encryption.field_encryption import (
    DecryptionError,
    Keyring,
    load_or_create_keyring,
    new_key,
    unwrap_key,
    wrap_key,
)
from app.core.settings import Settings, get_settings
from app.core.timestamps import utcnow

log = logging.getLogger(__name__)
CURRENT_VERSION = 1
KEY_TTL_S = 300.0
ABSENT_TTL_S = 5.0
UNKNOWN = object()  # `cached()` when the process has not looked the learner's key up recently


def keyring_for(settings: Settings) -> Keyring:
    """The configured keyring (`PATHWISE_ENCRYPTION_KEYS`), else the data dir's generated one."""
    current = settings.encryption_key_id
    if settings.encryption_keys is not None:
        return Keyring.from_json(settings.encryption_keys.get_secret_value(), current)
    if not settings.embedded:
        log.warning("PATHWISE_ENCRYPTION_KEYS is unset: data keys are wrapped by %s/encryption_keys.json; every "
                    "server process must share it", settings.data_dir)
    return load_or_create_keyring(settings.data_dir, current)


@dataclass
class RotationReport:
    rewrapped: int = 0
    failed: list[str] = field(default_factory=list)  # ids whose KEK is not in the keyring


class DataKeys:
    """The DEK store and its cache. `reads` counts store reads (the cost the cache saves)."""

    def __init__(self, keyring: Keyring, cache_size: int = 10_000) -> None:
        self.keyring = keyring
        self.reads = 0
        self._cache: TLRUCache[str, bytes | None] = TLRUCache(
            maxsize=max(cache_size, 1), ttu=lambda _k, value, now: now + (KEY_TTL_S if value else ABSENT_TTL_S),
            timer=time.monotonic,
        )

    def cached(self, owner: str) -> object:
        """The learner's DEK, None if they have none, or `UNKNOWN` if not loaded (call `load` first)."""
        return self._cache.get(owner, UNKNOWN)

    async def load(self, owners: Iterable[str]) -> None:
        """Bring the DEKs of `owners` into the cache: one store read for those not cached, none otherwise."""
        missing = [owner for owner in dict.fromkeys(owners) if owner not in self._cache]
        if not missing:
            return
        self.reads += 1
        ids = [DataKey.key(owner, CURRENT_VERSION) for owner in missing]
        found = await DataKey.get_pymongo_collection().find({"_id": {"$in": ids}}).to_list()
        keys: dict[str, bytes | None] = dict.fromkeys(missing)
        for raw in found:
            keys[raw["owner"]] = self._unwrap(raw)
        for owner, key in keys.items():
            self._cache[owner] = key

    async def for_writing(self, owner: str) -> bytes:
        """The learner's DEK, created (and stored wrapped) if they have none yet."""
        await self.load([owner])
        key = self._cache.get(owner)
        if key is not None:
            return key
        key = new_key()
        document = {"_id": DataKey.key(owner, CURRENT_VERSION), "owner": owner, "version": CURRENT_VERSION,
                    "wrapped": wrap_key(self.keyring, key, owner, CURRENT_VERSION), "created_at": utcnow()}
        try:
            await DataKey.get_pymongo_collection().insert_one(document)
        except DuplicateKeyError:  # created meanwhile by another request or process
            self._cache.pop(owner, None)
            await self.load([owner])
            stored = self._cache.get(owner)
            if stored is None:
                raise DecryptionError(f"the data key of {owner!r} exists but does not unwrap") from None
            return stored
        self._cache[owner] = key
        return key

    async def destroy(self, owner: str) -> int:
        """Delete every DEK of the learner: their ciphertexts, backups included, no longer open."""
        result = await DataKey.get_pymongo_collection().delete_many({"owner": owner})
        self._cache[owner] = None
        return int(result.deleted_count)

    def forget(self) -> None:
        self._cache.clear()

    async def rewrap_all(self, batch_size: int = 500, progress: Callable[[int, int], None] | None = None,
                         ) -> RotationReport:
        """Rewrap every DEK not yet under the current KEK (field ciphertexts stay as they are). Idempotent and
        resumable: each key is updated only if still wrapped as read, and a rerun skips the rewrapped ones."""
        collection = DataKey.get_pymongo_collection()
        pending = {"wrapped.kid": {"$ne": self.keyring.current}}
        total = await collection.count_documents(pending)
        report, after = RotationReport(), ""
        while True:
            page = await collection.find({**pending, "_id": {"$gt": after}}).sort("_id", 1).limit(batch_size)\
                .to_list()
            if not page:
                return report
            for raw in page:
                await self._rewrap_one(raw, report)
            after = page[-1]["_id"]
            if progress is not None:
                progress(report.rewrapped + len(report.failed), total)

    async def _rewrap_one(self, raw: dict[str, Any], report: RotationReport) -> None:
        try:
            key = unwrap_key(self.keyring, raw["wrapped"], raw["owner"], raw["version"])
        except DecryptionError:
            report.failed.append(str(raw["_id"]))
            return
        as_read = {"_id": raw["_id"], "wrapped.kid": raw["wrapped"]["kid"], "wrapped.n": raw["wrapped"]["n"]}
        rewrapped = wrap_key(self.keyring, key, raw["owner"], raw["version"])
        done = await DataKey.get_pymongo_collection().update_one(as_read, {"$set": {"wrapped": rewrapped}})
        report.rewrapped += done.modified_count

    def _unwrap(self, raw: dict[str, Any]) -> bytes | None:
        try:
            return unwrap_key(self.keyring, raw["wrapped"], raw["owner"], raw["version"])
        except DecryptionError as error:
            log.error("data key %s does not unwrap: %s", raw["_id"], error)
            return None


_current: list[DataKeys] = []


def configure(settings: Settings) -> DataKeys:
    """Use the keyring of `settings` from now on (the server and the CLI call this at start)."""
    keys = DataKeys(keyring_for(settings), settings.encryption_key_cache_size)
    _current[:] = [keys]
    return keys


def data_keys() -> DataKeys:
    """The process's DEK store (configured from the environment's settings if nobody configured it)."""
    return _current[0] if _current else configure(get_settings())
