"""Bearer tokens: JWTs whose `sub` is the user id and whose `roles` grant access."""

import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path
from typing import Any

import jwt

from app.core.identifiers import id_problem
from app.core.secret_files import read_or_create
from app.core.settings import Settings

SECRET_FILE = "jwt_secret"
TIME_CLAIMS = ("exp", "iat", "nbf")
LATEST_TIME = 253_402_300_799  # 9999-12-31T23:59:59Z: a time claim beyond it is not a time


class Role(StrEnum):
    LEARNER = "learner"
    PARTNER = "partner"
    ADMIN = "admin"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a user id and their roles."""

    user_id: str
    roles: frozenset[Role]

    def has_any(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    def may_act_for(self, user_id: str) -> bool:
        """Learners act for themselves; admins for anyone."""
        return user_id == self.user_id or Role.ADMIN in self.roles


class InvalidTokenError(Exception):
    """The bearer token is malformed, expired, or not signed by us."""


def load_or_create_secret(data_dir: Path) -> str:
    """The embedded deployment's HS256 secret, generated once and kept in the data dir."""
    return read_or_create(data_dir / SECRET_FILE, lambda: secrets.token_urlsafe(48)).strip()


def signing_secret(settings: Settings) -> str:
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    return load_or_create_secret(settings.data_dir)


def issue_token(settings: Settings, user_id: str, roles: list[Role], ttl: timedelta) -> str:
    """A signed token (HS* only: with RS*/ES* the platform's identity provider issues them)."""
    if not settings.jwt_algorithm.startswith("HS"):
        raise InvalidTokenError(f"tokens for {settings.jwt_algorithm} are issued by your identity provider")
    now = datetime.now(UTC)
    claims: dict[str, Any] = {"sub": user_id, "roles": [r.value for r in roles], "iat": now, "exp": now + ttl}
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, signing_secret(settings), algorithm=settings.jwt_algorithm)


class TokenVerifier:
    """Checks bearer tokens against the configured key. A token that verified is remembered, with its expiry,
    until it expires (at most `remembered` tokens, the oldest forgotten first), so a client's every request
    does not pay for the signature check again (about half a millisecond)."""

    def __init__(self, settings: Settings, remembered: int = 10_000) -> None:
        self._settings = settings
        self._jwks = jwt.PyJWKClient(settings.jwt_jwks_url) if settings.jwt_jwks_url else None
        self._key: Any = (
            signing_secret(settings) if settings.jwt_algorithm.startswith("HS") else settings.jwt_public_key
        )
        self._remembered = remembered
        self._verified: dict[str, tuple[Principal, float]] = {}  # token -> (principal, expiry as a timestamp)

    def verify(self, token: str) -> Principal:
        known = self._verified.get(token)
        if known is not None and time.time() < known[1]:
            return known[0]
        try:
            claims = jwt.decode(
                token, self._signing_key(token), algorithms=[self._settings.jwt_algorithm],
                audience=self._settings.jwt_audience, issuer=self._settings.jwt_issuer,
                options={"require": ["sub", "exp"]},
            )
        except jwt.PyJWTError as error:
            self._verified.pop(token, None)
            raise InvalidTokenError(str(error)) from error
        principal = _principal(claims)
        self._remember(token, principal, _time_claims(claims)["exp"])
        return principal

    def _remember(self, token: str, principal: Principal, expiry: float) -> None:
        if len(self._verified) >= self._remembered:
            del self._verified[next(iter(self._verified))]  # the oldest
        self._verified[token] = (principal, expiry)

    def _signing_key(self, token: str) -> Any:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key
        if self._key is None:
            raise InvalidTokenError("no verification key is configured")
        return self._key


def _principal(claims: dict[str, Any]) -> Principal:
    """Who the verified claims name: `sub` must be a valid id, `roles` a list of known roles (absent: a learner),
    and the time claims plain numbers of seconds."""
    _time_claims(claims)
    subject = claims.get("sub")
    problem = id_problem(subject)
    if problem is not None or not isinstance(subject, str):
        raise InvalidTokenError(f"the token's `sub` must be a user id: it {problem}")
    raw_roles = claims.get("roles", [Role.LEARNER.value])
    if not isinstance(raw_roles, list) or not all(isinstance(role, str) for role in raw_roles):
        raise InvalidTokenError("the token's `roles` must be a list of role names (learner, partner, admin)")
    try:
        roles = frozenset(Role(role) for role in raw_roles)
    except ValueError as error:
        raise InvalidTokenError(f"unknown role in {raw_roles!r}; known roles: learner, partner, admin") from error
    return Principal(subject, roles or frozenset({Role.LEARNER}))


def _time_claims(claims: dict[str, Any]) -> dict[str, float]:
    """`exp`, `iat` and `nbf` where present, each a number of seconds between 1970 and the year 9999."""
    times: dict[str, float] = {}
    for name in TIME_CLAIMS:
        value = claims.get(name)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= LATEST_TIME:
            raise InvalidTokenError(f"the token's `{name}` must be a time in seconds since 1970, before the year 10000")
        times[name] = float(value)
    return times
