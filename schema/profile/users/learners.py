"""The learner a mutation changed, read again so that its payload shows the learner as stored now."""

import contextlib
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.dataloader import DataLoader

from app.core.documents import User as UserDocument
from schema.context import Info

if TYPE_CHECKING:
    from schema.profile.users.types import User


def forget(loader: DataLoader[str, Any], key: str) -> None:
    """Drop what `loader` read for `key` in this request, if it read anything (`clear` raises otherwise)."""
    with contextlib.suppress(KeyError):
        loader.clear(key)


async def changed_learner(info: Info, user_id: str) -> UserDocument:
    """The learner after a write: the request's loaders forget what they read of them before (a document may
    hold several mutations), and a learner never upserted comes back as an unsaved blank User with that id."""
    loaders = info.context.loaders
    for loader in (loaders.user_by_id, loaders.enrollments_by_user, loaders.ratings_by_user,
                   loaders.connected_accounts_by_user):
        forget(loader, user_id)
    return await loaders.user_by_id.load(user_id) or UserDocument(id=user_id)


LEARNER_DESCRIPTION = (
    "The learner after the change, read (fresh) only when selected; null when errors is not empty. A normalised "
    "cache (Apollo, urql) updates the learner from it. What the learner is recommended depends on the change too: "
    "select `user { recommendations(...) { ... } }` here, or refetch `recommendations`.")


@strawberry.type
class LearnerPayload:
    """Base of the payloads of mutations that change a learner: `owner` is who, `user` shows them."""

    owner: strawberry.Private[str | None] = None  # None: nothing changed (errors)

    @strawberry.field(description=LEARNER_DESCRIPTION)
    async def user(self, info: Info) -> Annotated["User", strawberry.lazy("schema.profile.users.types")] | None:
        return None if self.owner is None else await changed_learner(info, self.owner)
