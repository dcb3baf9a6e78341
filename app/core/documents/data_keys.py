"""Per-learner data keys (DEKs), stored wrapped by a key-encryption key (see `app.core.encryption.field_encryption`)."""

import pymongo
from beanie import Document
from pydantic import Field
from pymongo import IndexModel

from app.core.timestamps import UtcDatetime, utcnow


class DataKey(Document):
    """`_id` is `"{owner}:{version}"`. `owner` (not `user_id`): erasure destroys it on purpose (crypto-shredding)
    and exports leave it out, it holds key material, not data about the learner."""

    id: str  # type: ignore[assignment]
    owner: str
    version: int = Field(default=1, ge=1)
    wrapped: dict[str, str]  # {"kid": KEK id, "n": nonce, "c": wrapped DEK}
    created_at: UtcDatetime = Field(default_factory=utcnow)

    @staticmethod
    def key(owner: str, version: int) -> str:
        return f"{owner}:{version}"

    class Settings:
        name = "data_keys"
        indexes = [
            IndexModel([("owner", pymongo.ASCENDING)], name="data_key_owner"),
            IndexModel([("wrapped.kid", pymongo.ASCENDING)], name="data_key_kek"),
        ]
