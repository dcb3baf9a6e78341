"""Learners: read and upsert."""

from typing import Any

from pydantic import ValidationError

from app.documents import PROFILE_FIELDS, User
from app.documents.timestamps import utcnow
from resolvers.errors import ErrorCode, Problem, UseCaseError, validation_problems
from resolvers.free_form import free_form_problem


async def get_user(user_id: str) -> User | None:
    return await User.get(user_id)


async def upsert_user(user_id: str, fields: dict[str, Any]) -> User:
    """Create the learner or update the fields given; fields left out keep their values."""
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, f"unknown user fields: {sorted(unknown)}")
    _check_attributes(fields.get("attributes"))
    existing = await User.get(user_id)
    now = utcnow()
    data = existing.model_dump() if existing else {"id": user_id, "created_at": now}
    data.update(fields)
    data["updated_at"] = now
    try:
        user: User = User.model_validate(data)
    except ValidationError as error:
        problems = validation_problems(error)
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, "invalid user", problems) from error
    await user.save()
    return user


def _check_attributes(attributes: Any) -> None:
    if attributes is None:
        return
    problem = free_form_problem(attributes)
    if problem:
        message = f"attributes {problem}"
        raise UseCaseError(
            ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, "attributes")]
        )
