"""Connecting and disconnecting third-party accounts."""

from typing import Annotated

import strawberry
from strawberry.scalars import JSON

from app.core.documents import Provider
from resolvers.profile import accounts as use_cases
from resolvers.purposes import default_purposes
from schema.arguments import UserIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.permissions import SelfOrAdmin, acting_user
from schema.profile.accounts.types import AccountProviderType, ConnectAccountPayload, DisconnectAccountPayload

_Provider = Annotated[AccountProviderType, strawberry.argument(  # type: ignore[valid-type]
    description="The sign-in provider the profile comes from.")]


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Import the profile a platform received from LinkedIn, GitHub or Google sign-in (their public API shapes; "
        "a JSON object ≤ 256 KB, ≤ 8 levels deep; no call to the provider is made). Needs consent to "
        "third_party_import (CONSENT_REQUIRED otherwise, nothing stored). Fills only empty fields or those "
        "this provider set before; connecting again replaces the earlier import."))
    async def connect_account(
        self, info: Info, provider: _Provider, profile: Annotated[JSON, strawberry.argument(
            description="The profile as the provider's API returned it (JSON object ≤ 256 KB, ≤ 8 levels deep).")],
        user_id: UserIdArg = None,
    ) -> ConnectAccountPayload:
        owner = acting_user(info, user_id)
        defaults = default_purposes(info.context.settings.default_consents)
        account, user = await use_cases.connect_account(owner, _value(provider), profile, defaults)
        return ConnectAccountPayload(account=account, user=user, errors=[])

    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Disconnect an account: the profile values it set (and still owns) and the account are removed."))
    async def disconnect_account(
        self, info: Info, provider: _Provider, user_id: UserIdArg = None,
    ) -> DisconnectAccountPayload:
        owner = acting_user(info, user_id)
        return DisconnectAccountPayload(user=await use_cases.disconnect_account(owner, _value(provider)), errors=[])


def _value(provider: Provider) -> str:
    return provider.value
