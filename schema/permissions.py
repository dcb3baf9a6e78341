"""Declared permissions: each field names who may call it. They are also the one place that decides a caller acts
for another learner, so that is where it is audited (once per field and learner per request)."""

from typing import Any

from strawberry.permission import BasePermission

from app.core.documents import AuditAction
from app.core.identifiers import id_problem
from app.core.tokens import Principal, Role
from resolvers.errors import ErrorCode
from resolvers.privacy import audit
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


class IsAdmin(BasePermission):
    """Admins only (the audit log)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        if Role.ADMIN not in _principal(info).roles:
            raise ApiError(ErrorCode.FORBIDDEN, "only admins may do this")
        return True


class SelfOrAdmin(BasePermission):
    """The learner named by `userId`, `id` or `input.id` (default: the caller) — or an admin."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = _principal(info)
        target = _named_user(kwargs, "user_id", "id")
        if target is None and kwargs.get("input") is not None:
            target = _named_user({"input.id": getattr(kwargs["input"], "id", None)}, "input.id")
        if target is not None and not principal.may_act_for(target):
            raise ApiError(ErrorCode.FORBIDDEN, "learners may only read and change their own data")
        _audit_acting_for(info, principal, target)
        return True


def is_platform(principal: Principal) -> bool:
    """Partners and admins: the platform's back end, which may act for any learner."""
    return principal.has_any(Role.PARTNER, Role.ADMIN)


class SelfOrPlatform(BasePermission):
    """The learner named by `userId` (default: the caller), or any learner for partners and admins — for
    what a platform's back end does on a learner's behalf (recommendations, practice, mastery)."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = _principal(info)
        target = _named_user(kwargs, "user_id")
        if target is not None and target != principal.user_id and not is_platform(principal):
            raise ApiError(ErrorCode.FORBIDDEN, "learners may only read and change their own data")
        _audit_acting_for(info, principal, target)
        return True


class ParentIsSelfOrPlatform(BasePermission):
    """`SelfOrPlatform` for a field of a learner (`User.recommendations`): the learner it is read on must be the
    caller, unless the caller is a partner or an admin."""

    def has_permission(self, source: Any, info: Info, **kwargs: Any) -> bool:
        principal = _principal(info)
        if str(source.id) != principal.user_id and not is_platform(principal):
            raise ApiError(ErrorCode.FORBIDDEN, "learners may only read and change their own data")
        _audit_acting_for(info, principal, str(source.id))
        return True


_ARGUMENT_NAMES = {"user_id": "userId", "id": "id", "input.id": "input.id"}


def _named_user(kwargs: dict[str, Any], *names: str) -> str | None:
    """The user id the first of `names` given holds, checked against the id rule (an empty one included: it
    is never "the caller"); None when none is given."""
    for name in names:
        value = kwargs.get(name)
        if value is not None:
            problem = id_problem(str(value))
            if problem:
                raise ApiError(ErrorCode.BAD_USER_INPUT, f"{_ARGUMENT_NAMES[name]} {problem}")
            return str(value)
    return None


def acting_user(info: Info, user_id: str | None) -> str:
    """The user a field acts for, once `SelfOrAdmin` has allowed it."""
    return user_id if user_id is not None else _principal(info).user_id


def actor(info: Info) -> audit.Actor:
    """Who acts in this field, for the audit log: the principal, the field (`Query.user`) and the request id."""
    principal = _principal(info)
    request = info.context.request
    request_id = request.scope.get("request_id") or request.headers.get("x-request-id")
    return audit.Actor(principal.user_id, tuple(sorted(principal.roles)), f"{info.path.typename}.{info.field_name}",
                       request_id)


def _audit_acting_for(info: Info, principal: Principal, target: str | None) -> None:
    """Record that the caller acts for another learner (written shortly after, in a batch)."""
    context = info.context
    if target is None or target == principal.user_id or context.audit_log is None:
        return
    done = actor(info)
    if (done.operation, target) in context.audited:
        return
    context.audited.add((done.operation, target))
    context.audit_log.record_later(audit.entry(done, AuditAction.ACCESS, target))
