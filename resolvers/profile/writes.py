"""Writing parts of a learner's profile: targeted `$set`/`$unset` updates (never a whole-document
replace, so concurrent insight updates survive), and provenance entries for what was written."""

import contextlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from app.core.documents import User
from app.core.documents.profiles import Provenance, field_key
from app.core.encryption.sealed_fields import get_opened, open_documents, seal_changes
from resolvers.learner_changes import profile_written

LEARNER = "learner"


async def load_profile(user_id: str) -> User:
    """The learner's document, or a fresh one (not yet stored) for a learner Pathwise has not seen."""
    return await get_opened(User, user_id) or User(id=user_id)


async def update_profile(user_id: str, changes: dict[str, Any], removed: Iterable[str] = ()) -> User:
    """Set `changes` (dotted paths allowed) and unset `removed`; creates the learner if needed.
    A date may not be a bare value of `changes` (the embedded store would keep it as a string): set the
    object that holds it instead."""
    if any(isinstance(value, datetime) for value in changes.values()):
        raise ValueError("set the object holding a date, not the bare date")
    sealed = await seal_changes("users", user_id, changes)  # sealed fields are stored encrypted
    update: dict[str, Any] = {"$set": sealed, "$currentDate": {"updated_at": True}}
    unset = {path: "" for path in removed if path not in changes}
    if unset:
        update["$unset"] = unset
    collection = User.get_pymongo_collection()
    raw = await collection.find_one_and_update({"_id": user_id}, update, return_document=ReturnDocument.AFTER)
    if raw is None:
        with contextlib.suppress(DuplicateKeyError):  # created meanwhile
            await User(id=user_id).insert()
        raw = await collection.find_one_and_update({"_id": user_id}, update, return_document=ReturnDocument.AFTER)
    opened = (await open_documents("users", [raw]))[0] if raw is not None else None  # sealed fields opened
    user: User = User.model_validate(opened)
    profile_written(user)
    return user


def item_key(field: str, label: str) -> str:
    """The provenance key of one item of a list field, e.g. `interests:machine learning`."""
    return f"{field}:{field_key(label)}"


def provenance_changes(keys: Iterable[str], source: str, at: datetime) -> dict[str, Any]:
    """`$set` entries recording that `source` set each provenance key at `at`."""
    entry = Provenance(source=source, at=at).model_dump()
    return {f"provenance.{key}": entry for key in keys}


def item_keys_of(user: User, field: str) -> list[str]:
    """The item-level provenance keys the learner's document holds for `field`."""
    return [key for key in user.provenance if key.startswith(f"{field}:")]


def unique_labels(labels: Iterable[str]) -> list[str]:
    """Labels without case-insensitive repeats, first spelling kept, in order."""
    seen: dict[str, str] = {}
    for label in labels:
        seen.setdefault(label.casefold(), label)
    return list(seen.values())
