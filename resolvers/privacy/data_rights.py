"""A learner's data rights: everything held about them (access, portability) and its erasure.

Both go over every document model generically: a model keyed to a learner by `user_id` (or the learner
document itself, by `_id`) is personal data; a model with neither must be declared in NOT_PERSONAL, or
`personal_collections` fails — so a collection added later cannot be forgotten."""

import datetime as dt
import uuid
from typing import Any

from beanie import Document

from app.core.documents import (
    DOCUMENT_MODELS,
    AuditAction,
    CatalogImport,
    Course,
    DataKey,
    Exercise,
    Experiment,
    LearnerChange,
    ServedCourse,
    ServedTally,
    Skill,
    User,
)
from app.core.encryption.data_keys import data_keys
from app.core.encryption.sealed_fields import open_documents
from app.core.timestamps import utcnow
from resolvers.learner_writes import changing, delete_learner_data
from resolvers.privacy import audit
from resolvers.privacy.audit import SYSTEM, Actor, AuditLog

# Models that hold no personal data, with the reason.
NOT_PERSONAL: dict[type, str] = {Course: "the course catalog", Skill: "the skill graph", Exercise: "the item bank",
                                 DataKey: "wrapped key material, never exported; erasure destroys it",
                                 Experiment: "experiment definitions; assignment is a hash, never stored",
                                 ServedTally: "counts of answers per day and strategy, no learner in them",
                                 ServedCourse: "counts of courses served per day and strategy, no learner in them",
                                 CatalogImport: "catalog import runs: files and counts, no learner in them",
                                 LearnerChange: "keyed hashes of learners just changed, no id and nothing about "
                                 "them, for the other server processes to drop what they cache; gone within the hour "
                                 "(an erasure's own report is how the other processes forget the erased learner)"}


class UnclassifiedModelError(TypeError):
    """A document model is neither keyed to a learner nor declared as holding no personal data."""


def user_key(model: type) -> str | None:
    """The field naming the learner in `model`'s documents: `_id` for learners, else `user_id`; or None."""
    if model is User:
        return "_id"
    return "user_id" if "user_id" in getattr(model, "model_fields", {}) else None


def personal_collections() -> list[tuple[str, type[Document], str]]:
    """(collection name, model, key field) for every model holding personal data."""
    found: list[tuple[str, type[Document], str]] = []
    for model in DOCUMENT_MODELS:
        key = user_key(model)
        if key is None:
            if model not in NOT_PERSONAL:
                raise UnclassifiedModelError(f"{model.__name__} has no user_id and is not declared in NOT_PERSONAL")
            continue
        found.append((model.Settings.name, model, key))  # type: ignore[attr-defined]
    return found


async def my_data(user_id: str, actor: Actor = SYSTEM) -> dict[str, Any]:
    """Everything held about the learner, JSON-safe (datetimes as ISO 8601), one list per collection. An export
    that found anything is audited (the entry shows in the next one); one of nothing discloses nothing, and
    recording it would recreate data about an erased learner."""
    collections: dict[str, list[Any]] = {}
    for name, model, key in personal_collections():
        documents = await open_documents(name, await model.get_pymongo_collection().find({key: user_id}).to_list())
        collections[name] = [json_safe(doc) for doc in sorted(documents, key=lambda doc: str(doc["_id"]))]
    if any(collections.values()):
        await audit.record(actor, AuditAction.EXPORT, user_id)
    return {"userId": user_id, "exportedAt": utcnow().isoformat(), "collections": collections}


async def delete_my_data(user_id: str, actor: Actor = SYSTEM, audit_log: AuditLog | None = None) -> dict[str, int]:
    """Erase everything held about the learner (derived data included); documents deleted per collection.
    The learner document goes last, so an interrupted erasure can be run again. Their audit entries go too,
    pending ones included; the erasure's own entry, written last, names them by a keyed hash only."""
    audit_log = audit_log or AuditLog()
    await audit_log.forget(user_id)
    counts: dict[str, int] = {}
    async with changing([user_id]):
        for name, model, key in sorted(personal_collections(), key=lambda item: item[1] is User):
            counts[name] = await delete_learner_data(model, user_id, {key: user_id})
        await data_keys().destroy(user_id)  # crypto-shredding: copies of their ciphertext no longer open
    await audit.record_erasure(actor, user_id, counts, audit_log.key)
    return counts


def json_safe(value: Any) -> Any:
    """`value` with datetimes as ISO 8601 strings and other non-JSON values as strings."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if isinstance(value, uuid.UUID | bytes):
        return value.hex() if isinstance(value, bytes) else str(value)
    return str(value)
