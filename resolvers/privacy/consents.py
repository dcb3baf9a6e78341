"""Consent per purpose: what a learner has granted, by the ledger or by the deployment's defaults.

The ledger (ConsentEntry) keeps every grant and withdrawal with its time, source and policy version;
`User.consents` holds the current state per purpose, which event ingestion reads."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pymongo.errors import DuplicateKeyError

from app.core.documents import AuditAction, ConsentEntry, ConsentSource, Purpose, User
from app.core.settings import Settings
from app.core.timestamps import utcnow
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.learner_writes import insert_learner_once, update_learner
from resolvers.privacy import audit, purges
from resolvers.privacy.audit import SYSTEM, Actor
from resolvers.purposes import default_purposes, granted_purposes


@dataclass(frozen=True)
class ConsentPolicy:
    """What the deployment says about consent: the policy version and the purposes it grants by default."""

    version: str
    defaults: frozenset[Purpose] = frozenset({Purpose.ESSENTIAL})
    half_life_days: float = 30.0  # to recompute insights after a withdrawal


def policy_for(settings: Settings) -> ConsentPolicy:
    """The deployment's consent policy, from its settings."""
    return ConsentPolicy(version=settings.policy_version,
                         defaults=frozenset(default_purposes(settings.default_consents)),
                         half_life_days=settings.interest_half_life_days)


async def grant_missing(user_id: str, purposes: Iterable[Purpose], policy: ConsentPolicy,
                        source: ConsentSource) -> list[Purpose]:
    """Grant each of `purposes` the learner does not hold granted now (one ledger entry each); which were."""
    states = {state.purpose: state.granted for state in await consents_of(user_id, policy)}
    missing = [purpose for purpose in purposes if not states.get(purpose, False)]
    for purpose in missing:
        await set_consent(user_id, purpose, True, policy, source)
    return missing


@dataclass(frozen=True)
class ConsentState:
    """A purpose's current state; `since`, `source` and `policy_version` come from the ledger entry that set
    it (None when nothing was recorded yet: the learner is unknown)."""

    purpose: Purpose
    granted: bool
    since: datetime | None = None
    source: ConsentSource | None = None
    policy_version: str | None = None


@dataclass(frozen=True)
class ConsentChange:
    consents: list[ConsentState]
    purged: dict[str, int] = field(default_factory=dict)  # collection -> documents removed or reset


async def consents_of(user_id: str, policy: ConsentPolicy) -> list[ConsentState]:
    """The learner's state per purpose; the deployment's defaults are recorded first for a known learner."""
    users = User.get_pymongo_collection()
    if await users.find_one({"_id": user_id}, {"_id": 1}) is None:
        return [ConsentState(p, p in policy.defaults, None, ConsentSource.DEFAULT if p in policy.defaults else None,
                             policy.version if p in policy.defaults else None) for p in Purpose]
    entries = await record_defaults(user_id, policy)
    stated = (await users.find_one({"_id": user_id}, {"consents": 1}) or {}).get("consents")
    return _states(stated or {}, set(policy.defaults), entries)


async def set_consent(
    user_id: str, purpose: Purpose, granted: bool, policy: ConsentPolicy,
    source: ConsentSource = ConsentSource.LEARNER, actor: Actor = SYSTEM,
) -> ConsentChange:
    """Grant or withdraw `purpose`: one ledger entry, the learner's state updated, and on withdrawal the data
    collected only for that purpose purged at once; audited as done by `actor`. `essential` cannot be
    withdrawn."""
    if purpose is Purpose.ESSENTIAL and not granted:
        message = "essential cannot be withdrawn: the service cannot run without it; deleteMyData erases your data"
        raise UseCaseError(ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, "purpose")])
    await _ensure_user(user_id)
    await record_defaults(user_id, policy)
    entry = ConsentEntry(id=f"{user_id}:{purpose.value}:{uuid.uuid4().hex}", user_id=user_id, purpose=purpose,
                         granted=granted, policy_version=policy.version, source=source)
    await entry.insert()
    action = AuditAction.CONSENT_GRANTED if granted else AuditAction.CONSENT_WITHDRAWN
    await audit.record(actor, action, user_id, purpose)
    await update_learner(User, user_id, {"_id": user_id},
                         {"$set": {f"consents.{purpose.value}": granted}, "$currentDate": {"updated_at": True}})
    purged = {} if granted else await purges.purge_for(user_id, purpose, policy.half_life_days)
    return ConsentChange(await consents_of(user_id, policy), purged)


async def set_personalization(user_id: str, enabled: bool, actor: Actor = SYSTEM) -> User:
    """Switch personalization on or off; off, the learner gets the generic experience (recommenders must
    respect `personalization_enabled`). Independent of the `personalization` consent. Audited as done by `actor`."""
    await _ensure_user(user_id)
    await audit.record(actor, AuditAction.PERSONALIZATION_ON if enabled else AuditAction.PERSONALIZATION_OFF, user_id)
    await update_learner(User, user_id, {"_id": user_id},
                         {"$set": {"personalization_enabled": enabled}, "$currentDate": {"updated_at": True}})
    user = await User.get(user_id)
    assert user is not None
    return user


async def record_defaults(user_id: str, policy: ConsentPolicy) -> list[ConsentEntry]:
    """Record each default grant the learner has not decided on, once per purpose and policy version;
    a default never overrides a stated choice. Returns the learner's ledger, oldest first."""
    entries = await _ledger(user_id)
    latest = _latest_per_purpose(entries)
    for purpose in sorted(policy.defaults):
        entry = latest.get(purpose)
        if entry is None or (entry.source is ConsentSource.DEFAULT and entry.policy_version != policy.version):
            recorded = await _record_default(user_id, purpose, policy.version)
            if recorded is not None:
                entries.append(recorded)
    return entries


async def _record_default(user_id: str, purpose: Purpose, version: str) -> ConsentEntry | None:
    entry = ConsentEntry(id=f"{user_id}:{purpose.value}:default:{version}", user_id=user_id, purpose=purpose,
                         granted=True, policy_version=version, source=ConsentSource.DEFAULT)
    recorded: ConsentEntry | None = entry
    try:
        await entry.insert()
    except DuplicateKeyError:
        recorded = None  # recorded meanwhile by a concurrent call
    undecided = {"_id": user_id, f"consents.{purpose.value}": {"$exists": False}}
    await update_learner(User, user_id, undecided, {"$set": {f"consents.{purpose.value}": True}})
    return recorded


async def _ensure_user(user_id: str) -> None:
    now = utcnow()
    await insert_learner_once(User, user_id, {"_id": user_id}, User(id=user_id, created_at=now, updated_at=now)
                              .model_dump(by_alias=True, exclude={"id"}))


async def _ledger(user_id: str) -> list[ConsentEntry]:
    entries = await ConsentEntry.find({"user_id": user_id}).to_list()
    return sorted(entries, key=_order)


def _order(entry: ConsentEntry) -> tuple[datetime, bool]:
    """Ledger order: by time; within the same millisecond a default comes before a decision."""
    return entry.at, entry.source is not ConsentSource.DEFAULT


def _latest_per_purpose(entries: list[ConsentEntry]) -> dict[Purpose, ConsentEntry]:
    return {entry.purpose: entry for entry in sorted(entries, key=_order)}


def _states(stated: dict[str, bool], defaults: set[Purpose], entries: list[ConsentEntry]) -> list[ConsentState]:
    """The current state per purpose (as event ingestion sees it), described by the latest ledger entry
    that agrees with it."""
    granted_now = granted_purposes(User.model_construct(consents=stated), defaults)
    states = []
    for purpose in Purpose:
        granted = purpose in granted_now
        agreeing = [e for e in entries if e.purpose is purpose and e.granted == granted]
        last = max(agreeing, key=_order) if agreeing else None
        states.append(ConsentState(purpose, granted, last.at if last else None, last.source if last else None,
                                   last.policy_version if last else None))
    return states
