"""GraphQL types of connected accounts and field provenance. Roots are ConnectedAccount documents."""

from datetime import datetime
from typing import TYPE_CHECKING, Annotated, Any

import strawberry
from strawberry.scalars import JSON

from app.documents import ConnectedAccount as ConnectedAccountDocument
from app.documents import Provider
from schema.errors import UserError

if TYPE_CHECKING:
    from schema.users.types import User

AccountProviderType = strawberry.enum(Provider, name="AccountProvider", description="A sign-in provider.")


@strawberry.type(description="A job from a connected profile.")
class Position:
    title: str | None
    company: str | None
    industry: str | None
    start: str | None = strawberry.field(description="YYYY or YYYY-MM.")
    end: str | None = strawberry.field(description="YYYY or YYYY-MM; null while current.")
    current: bool


@strawberry.type(description="A school or degree from a connected profile.")
class Education:
    school: str | None
    degree: str | None
    field_of_study: str | None
    start: str | None
    end: str | None


@strawberry.type(description="A third-party account the learner connected, normalized (no e-mail, no avatar).")
class ConnectedAccount:
    provider: AccountProviderType  # type: ignore[valid-type]
    connected_at: datetime
    external_id: str | None = strawberry.field(description="The learner's id at the provider.")
    imported: JSON = strawberry.field(description="What this import set on the profile: field -> value(s).")
    profile: JSON = strawberry.field(
        description="The normalized profile: skills with weights and their catalog skill, languages, details.")

    @strawberry.field
    def positions(self, root: strawberry.Parent[ConnectedAccountDocument]) -> list[Position]:
        return [_position(item) for item in root.positions]

    @strawberry.field
    def education(self, root: strawberry.Parent[ConnectedAccountDocument]) -> list[Education]:
        return [_education(item) for item in root.education]


def _position(item: dict[str, Any]) -> Position:
    return Position(title=item.get("title"), company=item.get("company"), industry=item.get("industry"),
                    start=item.get("start"), end=item.get("end"), current=bool(item.get("current")))


def _education(item: dict[str, Any]) -> Education:
    return Education(school=item.get("school"), degree=item.get("degree"), field_of_study=item.get("field_of_study"),
                     start=item.get("start"), end=item.get("end"))


@strawberry.type(description="Where a profile value came from.")
class ProvenanceEntry:
    field: str = strawberry.field(description="The profile field, e.g. jobTitle or interests.")
    value: str | None = strawberry.field(description="For one item of a list field: the item (casefolded).")
    source: str = strawberry.field(description="learner, platform, or a provider such as github.")
    at: datetime


@strawberry.type
class ConnectAccountPayload:
    account: ConnectedAccount | None
    user: Annotated["User", strawberry.lazy("schema.users.types")] | None
    errors: list[UserError]


@strawberry.type
class DisconnectAccountPayload:
    user: Annotated["User", strawberry.lazy("schema.users.types")] | None
    errors: list[UserError]
