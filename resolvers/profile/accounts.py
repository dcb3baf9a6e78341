"""Connected accounts: importing a LinkedIn, GitHub or Google profile into the learner's profile, with
provenance per field, and removing exactly what an import set when the account is disconnected.

An import fills a field only when it is empty or holds the value this provider set before; it never
overwrites what the learner or the platform entered. List fields (languages, interests) gain items;
each item it added carries the provider's provenance (`interests:<key>`)."""

import asyncio
from dataclasses import asdict
from datetime import datetime
from typing import Any

from app.core.documents import ConnectedAccount, Provider, Purpose, User
from app.core.encryption.sealed_fields import find_opened, get_opened, replace_sealed
from app.core.timestamps import utcnow
from recommenders.embeddings import SkillMatcher
from resolvers.courses.taxonomy import catalog_taxonomy
from resolvers.errors import ErrorCode, Problem, UseCaseError
from resolvers.free_form import free_form_problem
from resolvers.profile.account_profiles import NormalizedProfile, normalize
from resolvers.profile.imported_fields import ImportDraft
from resolvers.profile.writes import load_profile, update_profile
from resolvers.purposes import granted_purposes

MAX_PAYLOAD_BYTES = 256 * 1024
MAX_PAYLOAD_DEPTH = 8  # LinkedIn's localized fields nest deeper than the 5 levels of other free-form objects
IMPORT_MATCH_THRESHOLD = 0.6  # stricter than free text: a provider's skill names are short and often noisy
MIN_INTEREST_WEIGHT = 0.1
MAX_IMPORTED_INTERESTS = 15


async def connect_account(user_id: str, provider: str, payload: Any, defaults: set[Purpose],
                          now: datetime | None = None) -> tuple[ConnectedAccount, User]:
    """Normalize and import a provider's profile (connecting again replaces the earlier import).
    Needs the `third_party_import` purpose; nothing is stored without it."""
    known = provider_of(provider)
    _check_payload(payload)
    stored = await get_opened(User, user_id)
    if Purpose.THIRD_PARTY_IMPORT not in granted_purposes(stored, defaults):
        message = "importing a connected account needs consent to the third_party_import purpose"
        raise UseCaseError(ErrorCode.CONSENT_REQUIRED, message)
    profile = normalize(known, payload)
    if profile.external_id is None:
        raise _bad("names no account id (sub, id or login)", "profile")
    skills = await _catalog_skills(profile)
    at = now or utcnow()
    previous = await get_opened(ConnectedAccount, ConnectedAccount.key(user_id, known))
    draft = ImportDraft.of(stored or User(id=user_id))
    draft.strip(known, previous.imported if previous else {})
    imported = draft.apply(known, _values(profile, skills), at)
    account = _account(user_id, profile, skills, imported, at)
    await replace_sealed("accounts", user_id, account)
    changes, removed = draft.changes()
    return account, await update_profile(user_id, changes, removed)


async def disconnect_account(user_id: str, provider: str) -> User:
    """Remove the values the provider's import set (and are still its), then the account itself."""
    known = provider_of(provider)
    account = await get_opened(ConnectedAccount, ConnectedAccount.key(user_id, known))
    if account is None:
        raise UseCaseError(ErrorCode.NOT_FOUND, f"no {known.value} account is connected")
    draft = ImportDraft.of(await load_profile(user_id))
    draft.strip(known, account.imported)
    changes, removed = draft.changes()
    user = await update_profile(user_id, changes, removed)
    await account.delete()
    return user


async def connected_accounts(user_id: str) -> list[ConnectedAccount]:
    return sorted(await find_opened(ConnectedAccount, {"user_id": user_id}), key=lambda account: account.provider.value)


def provider_of(provider: str) -> Provider:
    try:
        return Provider(provider.casefold())
    except ValueError:
        names = ", ".join(item.value for item in Provider)
        raise _bad(f"unknown provider {provider!r}; one of {names}", "provider") from None


def _check_payload(payload: Any) -> None:
    problem = free_form_problem(payload, max_bytes=MAX_PAYLOAD_BYTES, max_depth=MAX_PAYLOAD_DEPTH)
    if problem:
        raise _bad(f"profile {problem}", "profile")


async def _catalog_skills(profile: NormalizedProfile) -> dict[str, str]:
    """Provider skill name -> catalog skill, by exact (case-insensitive) match or by meaning."""
    names = [skill.name for skill in profile.skills]
    if not names:
        return {}
    taxonomy = await catalog_taxonomy()
    matcher = SkillMatcher(taxonomy.skills, threshold=IMPORT_MATCH_THRESHOLD, top_k=1)
    matches = await asyncio.to_thread(matcher.match_each, names)
    return {name: found[0].label for name, found in zip(names, matches, strict=True) if found}


def _values(profile: NormalizedProfile, skills: dict[str, str]) -> dict[str, Any]:
    """What the import offers the learner's profile: scalar fields, languages, and interests."""
    strong = [skills[s.name] for s in sorted(profile.skills, key=lambda s: -s.weight)
              if s.name in skills and s.weight >= MIN_INTEREST_WEIGHT]
    return {
        "display_name": profile.display_name, "job_title": profile.job_title, "industry": profile.industry,
        "education_level": profile.education_level, "languages": profile.languages,
        "interests": list(dict.fromkeys(strong))[:MAX_IMPORTED_INTERESTS],
    }


def _account(user_id: str, profile: NormalizedProfile, skills: dict[str, str], imported: dict[str, Any],
             at: datetime) -> ConnectedAccount:
    normalized = asdict(profile)
    normalized["skills"] = [{**asdict(skill), "catalog_skill": skills.get(skill.name)} for skill in profile.skills]
    for name in ("provider", "positions", "education"):
        normalized.pop(name)
    return ConnectedAccount(
        id=ConnectedAccount.key(user_id, profile.provider), user_id=user_id, provider=profile.provider,
        connected_at=at, external_id=profile.external_id, imported=imported, positions=profile.positions,
        education=profile.education, profile=normalized,
    )


def _bad(message: str, field_name: str) -> UseCaseError:
    return UseCaseError(ErrorCode.BAD_USER_INPUT, message, [Problem(ErrorCode.BAD_USER_INPUT, message, field_name)])
