"""Declared permissions: each field names who may call it."""

from typing import Any

from strawberry.permission import BasePermission

from app.tokens import Principal, Role
from resolvers.errors import ErrorCode
from schema.context import Info
from schema.errors import ApiError


def _principal(info: Info) -> Principal:
    principal = info.context.principal
    if principal is None:
        reason = info.context.auth_problem or "a bearer token is required"
        raise ApiError(ErrorCode.UNAUTHENTICATED, reason)
    return principal


class IsAuthenticated(BasePermission):
    """Any valid token."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        _principal(info)
        return True


class IsPartner(BasePermission):
    """Partners and admins: they manage the catalog."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if not _principal(info).has_any(Role.PARTNER, Role.ADMIN):
            raise ApiError(ErrorCode.FORBIDDEN, "only partners and admins may do this")
        return True


class ActsForUser(BasePermission):
    """The learner named by `userId`, `id` or `input.id` (default: the caller) — or an admin."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = _principal(info)
        target = kwargs.get("user_id") or kwargs.get("id") or getattr(kwargs.get("input"), "id", None)
        if target is not None and not principal.may_act_for(str(target)):
            raise ApiError(ErrorCode.FORBIDDEN, "learners may only read and change their own data")
        return True


def is_platform(principal: Principal) -> bool:
    """Partners and admins: the platform's back end, which may act for any learner."""
    return principal.has_any(Role.PARTNER, Role.ADMIN)


class ActsForLearner(BasePermission):
    """The learner named by `userId` (default: the caller), or any learner for partners and admins — for
    what a platform's back end does on a learner's behalf (recommendations, practice, mastery)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = _principal(info)
        target = kwargs.get("user_id")
        if target is not None and str(target) != principal.user_id and not is_platform(principal):
            raise ApiError(ErrorCode.FORBIDDEN, "learners may only read and change their own data")
        return True


def acting_user(info: Info, user_id: str | None) -> str:
    """The user a field acts for, once `ActsForUser` has allowed it."""
    return user_id if user_id is not None else _principal(info).user_id
