"""Learners: read and upsert."""

from typing import Any

from pydantic import ValidationError

from app.core.documents import PROFILE_FIELDS, User
from app.core.encryption.sealed_fields import get_opened
from app.core.identifiers import id_problem
from app.core.timestamps import utcnow
from resolvers.errors import ErrorCode, Problem, UseCaseError, validation_problems
from resolvers.free_form import free_form_problem
from resolvers.profile.writes import provenance_changes, update_profile

PLATFORM = "platform"


async def get_user(user_id: str) -> User | None:
    return await get_opened(User, user_id)


async def upsert_user(user_id: str, fields: dict[str, Any], source: str = PLATFORM) -> User:
    """Create the learner or update the fields given; fields left out (and everything Pathwise derives:
    insights, consents, preferences) keep their values. Each field set records its provenance."""
    problem = id_problem(user_id)
    if problem:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"id {problem}", [Problem(ErrorCode.BAD_USER_INPUT,
                                                                              f"id {problem}", "id")])
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"unknown user fields: {sorted(unknown)}")
    _check_attributes(fields.get("attributes"))
    existing = await get_opened(User, user_id)
    now = utcnow()
    data = existing.model_dump() if existing else {"id": user_id, "created_at": now}
    try:
        checked = User.model_validate({**data, **fields, "updated_at": now})
    except ValidationError as error:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "invalid user", validation_problems(error)) from error
    dumped = checked.model_dump()
    changes = {name: dumped[name] for name in fields}
    changes |= provenance_changes([name for name in fields if name != "attributes"], source, now)
    return await update_profile(user_id, changes)


def _check_attributes(attributes: Any) -> None:
    if attributes is None:
        return
    problem = free_form_problem(attributes)
    if problem:
        message = f"attributes {problem}"
        raise UseCaseError(
            ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, "attributes")]
        )
