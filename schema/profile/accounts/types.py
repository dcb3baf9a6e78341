"""GraphQL types of connected accounts and field provenance. Roots are ConnectedAccount documents."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from app.core.documents import ConnectedAccount as ConnectedAccountDocument
from app.core.documents import Provider
from schema.enums import described_enum
from schema.errors import UserError

if TYPE_CHECKING:
    from schema.profile.users.types import User

AccountProviderType = described_enum(Provider, "AccountProvider", "A sign-in provider.", {
    "LINKEDIN": "A LinkedIn profile, as LinkedIn's public API shapes it.",
    "GITHUB": "A GitHub profile, as GitHub's public API shapes it.",
    "GOOGLE": "A Google account profile, as Google's public API shapes it.",
})


@strawberry.type(description="A job from a connected profile. A value object of its ConnectedAccount (no id).")
class Position:
    title: str | None = strawberry.field(description="The job title.")
    company: str | None = strawberry.field(description="The employer.")
    industry: str | None = strawberry.field(description="The employer's industry.")
    start: str | None = strawberry.field(description="YYYY or YYYY-MM.")
    end: str | None = strawberry.field(description="YYYY or YYYY-MM; null while current.")
    current: bool = strawberry.field(description="Whether the learner still holds it.")


@strawberry.type(description="A school or degree from a connected profile. A value object of its ConnectedAccount "
                 "(no id).")
class Education:
    school: str | None = strawberry.field(description="The school or university.")
    degree: str | None = strawberry.field(description="The degree, e.g. BSc.")
    field_of_study: str | None = strawberry.field(description="The subject studied.")
    start: str | None = strawberry.field(description="YYYY or YYYY-MM.")
    end: str | None = strawberry.field(description="YYYY or YYYY-MM; null while studying.")


@strawberry.type(description="A third-party account the learner connected, normalized (no e-mail, no avatar).")
class ConnectedAccount:
    id: strawberry.ID = strawberry.field(description="`<userId>:<provider>` (provider in lower case): one per "
                                         "learner and provider; connecting again replaces it.")
    provider: AccountProviderType = strawberry.field(description="The provider.")  # type: ignore[valid-type]
    connected_at: datetime = strawberry.field(description="When it was (last) connected (UTC).")
    external_id: str | None = strawberry.field(description="The learner's id at the provider.")
    imported: JSON = strawberry.field(description="What this import set on the profile: field -> value(s).")
    profile: JSON = strawberry.field(
        description="The normalized profile: skills with weights and their catalog skill, languages, details.")

    @strawberry.field(description="Jobs from the profile, as the provider lists them.")
    def positions(self, root: strawberry.Parent[ConnectedAccountDocument]) -> list[Position]:
        return [_position(item) for item in root.positions]

    @strawberry.field(description="Schools and degrees from the profile, as the provider lists them.")
    def education(self, root: strawberry.Parent[ConnectedAccountDocument]) -> list[Education]:
        return [_education(item) for item in root.education]


def _position(item: dict[str, Any]) -> Position:
    return Position(title=item.get("title"), company=item.get("company"), industry=item.get("industry"),
                    start=item.get("start"), end=item.get("end"), current=bool(item.get("current")))


def _education(item: dict[str, Any]) -> Education:
    return Education(school=item.get("school"), degree=item.get("degree"), field_of_study=item.get("field_of_study"),
                     start=item.get("start"), end=item.get("end"))


@strawberry.type(description="Where a profile value came from. A value object of its User (no id).")
class ProvenanceEntry:
    field: str = strawberry.field(description="The profile field, e.g. jobTitle or interests.")
    value: str | None = strawberry.field(description="For one item of a list field: the item (casefolded).")
    source: str = strawberry.field(description="learner, platform, or a provider such as github.")
    at: datetime = strawberry.field(description="When it was set (UTC).")


_USER = ("The learner with the imported values: a normalised cache updates them from it; their recommendations "
         "may change too, so select `user { recommendations(...) }` here or refetch `recommendations`. Null on errors.")


@strawberry.type(description="What connectAccount changed.")
class ConnectAccountPayload:
    account: ConnectedAccount | None = strawberry.field(default=None,
                                                       description="The account as stored now; null on errors.")
    user: Annotated["User", strawberry.lazy("schema.profile.users.types")] | None = strawberry.field(default=None,
                                                                                             description=_USER)
    errors: list[UserError] = strawberry.field(description="Why nothing was stored; empty on success.")


@strawberry.type(description="What disconnectAccount changed.")
class DisconnectAccountPayload:
    user: Annotated["User", strawberry.lazy("schema.profile.users.types")] | None = strawberry.field(
        default=None, description=(
        "The learner without the account and the values it set; null on errors. Refetch `recommendations` (or "
        "select `user { recommendations(...) }` here): they may change."))
    errors: list[UserError] = strawberry.field(description="Why nothing was changed; empty on success.")
