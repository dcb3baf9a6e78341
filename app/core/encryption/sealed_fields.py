"""Which fields are stored encrypted, and the two seams: `seal_changes` before a write reaches the store,
`open_sealed` when a document is validated (decrypting with the learner's cached data key).

Documents keep plain Python types; only the stored form is sealed, and empty values are stored as they are.
A value that does not open (its key was destroyed by erasure, or was not loaded) reads as the field's default
(None, empty) and is logged."""

import logging
from collections.abc import AsyncIterator, Iterable
from typing import Any, TypeVar

from beanie import Document

from app.core.encryption import data_keys as key_store
from app.core.encryption.field_encryption import DecryptionError, field_aad, is_sealed, key_version, open_value, seal

log = logging.getLogger(__name__)
DocumentT = TypeVar("DocumentT", bound=Document)

# collection -> sealed field paths. Not sealed: ids and what the store filters, sorts or indexes on (user_id,
# provider, course_id, consents, dates), and what the recommenders need in bulk (languages, interests, goals).
SEALED_FIELDS: dict[str, tuple[str, ...]] = {
    "users": ("display_name", "age_range", "country", "city", "education_level", "job_title", "industry",
              "other_interests", "onboarding.career_goal"),
    "ratings": ("review",),
    "accounts": ("external_id", "imported", "positions", "education", "profile"),
}
OWNER_FIELDS = {"users": "_id", "ratings": "user_id", "accounts": "user_id"}


def owner_of(collection: str, document: dict[str, Any]) -> str | None:
    key = OWNER_FIELDS[collection]
    owner = document.get(key, document.get("id")) if key == "_id" else document.get(key)
    return owner if isinstance(owner, str) else None


async def seal_changes(collection: str, owner: str, changes: dict[str, Any]) -> dict[str, Any]:
    """`changes` (`$set` paths -> values, or a whole document) with the sealed fields' values encrypted."""
    paths = SEALED_FIELDS.get(collection, ())
    touched = [(path, sealed) for path in changes for sealed in paths if _overlaps(path, sealed)]
    inside = [path for path, sealed in touched if len(path) > len(sealed)]
    if inside:
        raise ValueError(f"{inside[0]} writes into a sealed field: set the whole field")
    if not any(_worth_sealing(_value_at(changes[path], sealed[len(path) + 1:])) for path, sealed in touched):
        return changes
    dek = await key_store.data_keys().for_writing(owner)
    sealed_changes = dict(changes)
    for path, sealed in touched:
        rest = sealed[len(path) + 1:]
        value = _value_at(sealed_changes[path], rest)
        if _worth_sealing(value) and not is_sealed(value):
            envelope = seal(dek, key_store.CURRENT_VERSION, value, field_aad(collection, owner, sealed))
            sealed_changes[path] = _replaced(sealed_changes[path], rest, envelope)
    return sealed_changes


def open_sealed(collection: str, data: Any) -> Any:
    """`data` (a raw document) with its sealed values opened, or left out where they do not open."""
    if not isinstance(data, dict):
        return data
    if not _has_sealed(collection, data):
        return data
    paths = [path for path in SEALED_FIELDS[collection] if is_sealed(_value_at(data, path))]
    owner = owner_of(collection, data)
    key = key_store.data_keys().cached(owner) if owner else None
    opened = dict(data)
    for path in paths:
        value = _open(collection, owner, path, _value_at(data, path), key)
        opened = _replaced(opened, path, value) if value is not None else _without(opened, path)
    return opened


async def open_documents(collection: str, documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Raw documents with their sealed values opened. Data keys are read (one query) only for the learners whose
    documents hold sealed values and whose keys are not cached."""
    if collection not in SEALED_FIELDS:
        return documents
    sealed = [_has_sealed(collection, document) for document in documents]
    await load_keys(owner for document, held in zip(documents, sealed, strict=True)
                    if held and (owner := owner_of(collection, document)))
    return [open_sealed(collection, document) if held else document
            for document, held in zip(documents, sealed, strict=True)]


async def find_opened(model: type[DocumentT], query: dict[str, Any]) -> list[DocumentT]:
    """`model.find(query)` (no sort) for documents with sealed fields, opened with their learners' data keys."""
    collection = model.get_pymongo_collection()
    found = await open_documents(collection.name, await collection.find(query).to_list())
    return [model.model_validate(document) for document in found]


async def get_opened(model: type[DocumentT], document_id: str) -> DocumentT | None:
    """`model.get(document_id)` for documents with sealed fields, opened with the learner's data key."""
    found = await find_opened(model, {"_id": document_id})
    return found[0] if found else None


async def iterate_opened(model: type[DocumentT], query: dict[str, Any], limit: int = 0,
                         batch_size: int = 500) -> AsyncIterator[DocumentT]:
    """`model.find(query)` (`query` not on `_id`) over many learners, in `_id` order, opened page by page: one
    key read per page at most."""
    collection, after, left = model.get_pymongo_collection(), None, limit or None
    while left is None or left > 0:
        page_query = query if after is None else {**query, "_id": {"$gt": after}}
        size = batch_size if left is None else min(batch_size, left)
        page = await collection.find(page_query).sort("_id", 1).limit(size).to_list()
        for document in await open_documents(collection.name, page):
            yield model.model_validate(document)
        if len(page) < size:
            return
        after, left = page[-1]["_id"], None if left is None else left - len(page)


async def replace_sealed(collection: str, owner: str, document: Document) -> None:
    """Store `document` whole (inserted or replaced), its sealed fields encrypted: for Beanie's `save()`."""
    raw = await seal_changes(collection, owner, document.model_dump(by_alias=True))
    await type(document).get_pymongo_collection().replace_one({"_id": raw["_id"]}, raw, upsert=True)


async def load_keys(owners: Iterable[str]) -> None:
    """Bring the learners' data keys into the cache before their documents are read."""
    await key_store.data_keys().load(owners)


def _worth_sealing(value: Any) -> bool:
    """Empty values (None, "", [], {}) are stored as they are: they tell nothing and need no key."""
    return value is not None and value not in ("", [], {})


def _has_sealed(collection: str, document: dict[str, Any]) -> bool:
    return any(is_sealed(_value_at(document, path)) for path in SEALED_FIELDS[collection])


def _open(collection: str, owner: str | None, path: str, envelope: dict[str, Any], key: object) -> Any:
    if not isinstance(key, bytes) or owner is None:
        why = "not loaded" if key is key_store.UNKNOWN else "destroyed or missing"
        log.warning("%s.%s of %s does not open: the data key is %s", collection, path, owner, why)
        return None
    if key_version(envelope) != key_store.CURRENT_VERSION:
        log.warning("%s.%s of %s is sealed with an unknown data key version", collection, path, owner)
        return None
    try:
        return open_value(key, envelope, field_aad(collection, owner, path))
    except DecryptionError as error:
        log.warning("%s.%s of %s does not open: %s", collection, path, owner, error)
        return None


def _overlaps(path: str, sealed: str) -> bool:
    return path == sealed or sealed.startswith(f"{path}.") or path.startswith(f"{sealed}.")


def _value_at(value: Any, path: str) -> Any:
    for part in path.split(".") if path else ():
        value = value.get(part) if isinstance(value, dict) else None
    return value


def _replaced(container: Any, path: str, value: Any) -> Any:
    if not path:
        return value
    head, _, rest = path.partition(".")
    if not isinstance(container, dict):
        return container
    return {**container, head: _replaced(container.get(head), rest, value)}


def _without(container: dict[str, Any], path: str) -> dict[str, Any]:
    head, _, rest = path.partition(".")
    if not rest:
        return {name: value for name, value in container.items() if name != head}
    inner = container.get(head)
    return {**container, head: _without(inner, rest)} if isinstance(inner, dict) else container
