"""The `connectedAccounts` and `provenance` fields of User (its root is the User document)."""

import strawberry

from app.core.documents import User
from app.core.documents.profiles import label_of
from schema.context import Info
from schema.profile.accounts.types import ConnectedAccount, ProvenanceEntry


async def user_connected_accounts(root: strawberry.Parent[User], info: Info) -> list[ConnectedAccount]:
    return await info.context.loaders.connected_accounts_by_user.load(root.id)  # type: ignore[return-value]


def user_provenance(root: strawberry.Parent[User]) -> list[ProvenanceEntry]:
    entries = []
    for key, entry in sorted(root.provenance.items()):
        field, _, item = key.partition(":")
        entries.append(ProvenanceEntry(field=_camel(field), value=label_of(item) if item else None,
                                       source=entry.source, at=entry.at))
    return entries


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.capitalize() for part in rest)


CONNECTED_ACCOUNTS_DESCRIPTION = "Third-party accounts the learner connected, by provider (batched)."
PROVENANCE_DESCRIPTION = (
    "Where each profile value came from: the learner, the platform, or a connected account (per item for "
    "list fields such as interests).")
