"""The one seam for expected failures: a field extension that shows a use case's `UseCaseError` as its payload's
`errors` (a field returning a payload) or as a GraphQL error with `extensions.code` (any other field)."""

import dataclasses
from typing import Any

from strawberry.extensions.field_extension import AsyncExtensionResolver, FieldExtension, SyncExtensionResolver
from strawberry.types import Info
from strawberry.types.base import has_object_definition
from strawberry.types.field import StrawberryField

from resolvers.errors import UseCaseError
from schema.errors import api_error, user_errors


class ExpectedErrors(FieldExtension):
    """Declared on a field (`extensions=[ExpectedErrors()]`) in place of a try/except in its body. A payload (an
    object type with `errors`) comes back as `Payload(errors=...)`, its other fields as their defaults say (null,
    empty, 0); any other field raises the error with its code. Other exceptions pass on, to be masked."""

    def __init__(self) -> None:
        self.payload: type | None = None

    def apply(self, field: StrawberryField) -> None:
        self.payload = payload_type(field.type)

    def resolve(self, next_: SyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            return next_(source, info, **kwargs)
        except UseCaseError as error:
            return self.shown(error)

    async def resolve_async(self, next_: AsyncExtensionResolver, source: Any, info: Info, **kwargs: Any) -> Any:
        try:
            return await next_(source, info, **kwargs)
        except UseCaseError as error:
            return self.shown(error)

    def shown(self, error: UseCaseError) -> Any:
        """The payload reporting `error`, or (no payload) the coded GraphQL error, raised."""
        if self.payload is None:
            raise api_error(error) from error
        return self.payload(errors=user_errors(error.problems))


def payload_type(field_type: object) -> type | None:
    """`field_type` if it is a payload (an object type with `errors`), else None. A payload must be buildable from
    its errors alone: a TypeError, at schema build, names its fields without a default."""
    if not isinstance(field_type, type) or not has_object_definition(field_type):
        return None  # a scalar, list, optional or union: the field raises the error
    if not dataclasses.is_dataclass(field_type):  # Strawberry object types are; this narrows the type
        return None
    fields = [field for field in dataclasses.fields(field_type) if field.init]
    if "errors" not in {field.name for field in fields}:
        return None
    missing = [field.name for field in fields if field.name != "errors" and field.default is dataclasses.MISSING
               and field.default_factory is dataclasses.MISSING]
    if missing:
        raise TypeError(f"{field_type.__name__} cannot report errors alone: {', '.join(missing)} need(s) a default")
    return field_type
