"""Consent, the privacy notice and the learner's data rights (access, export, erasure)."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.core.documents import ConsentSource, Purpose
from app.core.settings import Settings
from resolvers.privacy import consents, data_rights
from resolvers.privacy.notice import privacy_notice
from resolvers.purposes import default_purposes
from schema.arguments import UserIdArg
from schema.context import Info
from schema.expected_errors import ExpectedErrors
from schema.ids import pair_id
from schema.permissions import SelfOrAdmin, acting_user, actor
from schema.privacy.types import (
    CollectionCount,
    Consent,
    DataSection,
    DeleteMyDataPayload,
    MyData,
    PrivacyNotice,
    SetConsentPayload,
    SetPersonalizationPayload,
)


def consent_policy(settings: Settings) -> consents.ConsentPolicy:
    return consents.ConsentPolicy(
        version=settings.policy_version,
        defaults=frozenset(default_purposes(settings.default_consents)),
        half_life_days=settings.interest_half_life_days,
    )


def _source(info: Info, user_id: str) -> ConsentSource:
    principal = info.context.principal
    acting_for_self = principal is not None and principal.user_id == user_id
    return ConsentSource.LEARNER if acting_for_self else ConsentSource.ADMIN


def _consents(owner: str, states: list[consents.ConsentState]) -> list[Consent]:
    return [Consent(id=pair_id(owner, state.purpose.value), purpose=state.purpose, granted=state.granted,
                    since=state.since, source=state.source, policy_version=state.policy_version) for state in states]


def _counts(counts: dict[str, int]) -> list[CollectionCount]:
    return [CollectionCount(collection=name, count=count) for name, count in counts.items()]


def my_data_type(data: dict[str, object]) -> MyData:
    collections = data["collections"]
    assert isinstance(collections, dict)
    sections = [DataSection(collection=name, count=len(documents), documents=documents)
                for name, documents in collections.items()]
    exported_at = datetime.fromisoformat(str(data["exportedAt"]))
    return MyData(user_id=strawberry.ID(str(data["userId"])), exported_at=exported_at, sections=sections)


@strawberry.type
class Query:
    @strawberry.field(permission_classes=[SelfOrAdmin],
                      description="Consent per purpose: the caller's, or any learner's for admins.")
    async def consents(self, info: Info, user_id: UserIdArg = None) -> list[Consent]:
        owner = acting_user(info, user_id)
        return _consents(owner, await consents.consents_of(owner, consent_policy(info.context.settings)))

    @strawberry.field(description="What is collected, why, what it feeds and how long it is kept. No token needed.")
    def privacy_notice(self, info: Info) -> PrivacyNotice:
        settings = info.context.settings
        return privacy_notice(consent_policy(settings), settings.event_retention_days)  # type: ignore[return-value]

    @strawberry.field(permission_classes=[SelfOrAdmin], description=(
        "Everything held about the learner (the caller, or any for admins), one section per collection; "
        "GET /v1/me/export gives the same as a file."))
    async def my_data(self, info: Info, user_id: UserIdArg = None) -> MyData:
        return my_data_type(await data_rights.my_data(acting_user(info, user_id), actor(info)))


@strawberry.type
class Mutation:
    @strawberry.mutation(permission_classes=[SelfOrAdmin], extensions=[ExpectedErrors()], description=(
        "Grant or withdraw a purpose (the caller's, or any learner's for admins). Withdrawing stops collection "
        "at once and purges what was collected only for it; ESSENTIAL cannot be withdrawn. Returns every consent "
        "and the learner (whose recommendations may change)."))
    async def set_consent(
        self, info: Info, purpose: Annotated[Purpose, strawberry.argument(description="The purpose to change.")],
        granted: Annotated[bool, strawberry.argument(description="True grants it, false withdraws it.")],
        user_id: UserIdArg = None,
    ) -> SetConsentPayload:
        owner = acting_user(info, user_id)
        policy = consent_policy(info.context.settings)
        change = await consents.set_consent(owner, purpose, granted, policy, _source(info, owner), actor(info))
        return SetConsentPayload(owner=owner, consents=_consents(owner, change.consents), purged=_counts(change.purged),
                                 errors=[])

    @strawberry.mutation(permission_classes=[SelfOrAdmin], description=(
        "Switch personalization off for a generic experience, or on again (independent of consent)."))
    async def set_personalization(
        self, info: Info, enabled: Annotated[bool, strawberry.argument(
            description="False: a generic experience (popular courses); true: personal again.")],
        user_id: UserIdArg = None,
    ) -> SetPersonalizationPayload:
        user = await consents.set_personalization(acting_user(info, user_id), enabled, actor(info))
        return SetPersonalizationPayload(user=user, errors=[])

    @strawberry.mutation(permission_classes=[SelfOrAdmin], description=(
        "Erase everything held about the learner (the caller, or any for admins), derived data included."))
    async def delete_my_data(self, info: Info, user_id: UserIdArg = None) -> DeleteMyDataPayload:
        counts = await data_rights.delete_my_data(acting_user(info, user_id), actor(info), info.context.audit_log)
        return DeleteMyDataPayload(deleted=_counts(counts), total=sum(counts.values()), errors=[])
