"""Bearer tokens: issue, verify, refuse."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from pydantic import SecretStr

from app.core.settings import Settings
from app.core.tokens import InvalidTokenError, Principal, Role, TokenVerifier, issue_token, load_or_create_secret


def settings(tmp_path: Path, **changes: object) -> Settings:
    return Settings(data_dir=tmp_path).model_copy(update=changes)


def test_round_trip_with_generated_secret(tmp_path: Path) -> None:
    config = settings(tmp_path)
    token = issue_token(config, "ana", [Role.LEARNER, Role.PARTNER], timedelta(minutes=5))
    assert TokenVerifier(config).verify(token) == Principal("ana", frozenset({Role.LEARNER, Role.PARTNER}))
    assert load_or_create_secret(tmp_path) == load_or_create_secret(tmp_path)


def test_expired_and_foreign_tokens_are_refused(tmp_path: Path) -> None:
    config = settings(tmp_path)
    expired = issue_token(config, "ana", [Role.LEARNER], timedelta(seconds=-10))
    with pytest.raises(InvalidTokenError, match="expired"):
        TokenVerifier(config).verify(expired)
    foreign = jwt.encode({"sub": "ana", "exp": datetime.now(UTC) + timedelta(minutes=1)}, "x" * 40, "HS256")
    with pytest.raises(InvalidTokenError, match="Signature"):
        TokenVerifier(config).verify(foreign)


@pytest.mark.parametrize("claims", [{"roles": ["root"]}, {"sub": ""}, {"sub": 42}])
def test_bad_claims_are_refused(tmp_path: Path, claims: dict[str, object]) -> None:
    config = settings(tmp_path, jwt_secret=SecretStr("s" * 40))
    payload = {"sub": "ana", "exp": datetime.now(UTC) + timedelta(minutes=1), **claims}
    with pytest.raises(InvalidTokenError):
        TokenVerifier(config).verify(jwt.encode(payload, "s" * 40, "HS256"))


def test_missing_roles_means_learner(tmp_path: Path) -> None:
    config = settings(tmp_path, jwt_secret=SecretStr("s" * 40))
    token = jwt.encode({"sub": "ana", "exp": datetime.now(UTC) + timedelta(minutes=1)}, "s" * 40, "HS256")
    assert TokenVerifier(config).verify(token).roles == frozenset({Role.LEARNER})


def test_audience_and_issuer_are_checked(tmp_path: Path) -> None:
    config = settings(tmp_path, jwt_secret=SecretStr("s" * 40), jwt_audience="pathwise", jwt_issuer="idp")
    good = issue_token(config, "ana", [Role.LEARNER], timedelta(minutes=1))
    assert TokenVerifier(config).verify(good).user_id == "ana"
    other = settings(tmp_path, jwt_secret=SecretStr("s" * 40), jwt_audience="else")
    with pytest.raises(InvalidTokenError):
        TokenVerifier(config).verify(issue_token(other, "ana", [Role.LEARNER], timedelta(minutes=1)))


def test_rs256_with_a_public_key(tmp_path: Path) -> None:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    config = settings(tmp_path, jwt_algorithm="RS256", jwt_public_key=public.decode())
    token = jwt.encode({"sub": "ana", "roles": ["admin"], "exp": datetime.now(UTC) + timedelta(minutes=1)}, key,
                       "RS256")
    assert TokenVerifier(config).verify(token) == Principal("ana", frozenset({Role.ADMIN}))
    with pytest.raises(InvalidTokenError):
        issue_token(config, "ana", [Role.ADMIN], timedelta(minutes=1))


def test_principal_acts_for_itself_or_as_admin() -> None:
    assert Principal("a", frozenset({Role.LEARNER})).may_act_for("a")
    assert not Principal("a", frozenset({Role.PARTNER})).may_act_for("b")
    assert Principal("a", frozenset({Role.ADMIN})).may_act_for("b")


def test_a_verified_token_is_remembered_until_it_expires(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = settings(tmp_path)
    verifier = TokenVerifier(config, remembered=2)
    token = issue_token(config, "ana", [Role.LEARNER], timedelta(minutes=5))
    assert verifier.verify(token).user_id == "ana"
    checks = []

    def expired(*args: object, **kwargs: object) -> dict[str, object]:
        checks.append(args)
        raise jwt.ExpiredSignatureError("Signature has expired")

    monkeypatch.setattr(jwt, "decode", expired)
    assert verifier.verify(token).user_id == "ana" and checks == []  # remembered: no second signature check
    later = datetime.now(UTC) + timedelta(minutes=6)
    monkeypatch.setattr("app.core.tokens.time.time", later.timestamp)
    with pytest.raises(InvalidTokenError, match="expired"):  # past its expiry: checked again
        verifier.verify(token)
    assert len(checks) == 1


def test_at_most_the_given_number_of_tokens_is_remembered(tmp_path: Path) -> None:
    config = settings(tmp_path)
    verifier = TokenVerifier(config, remembered=2)
    tokens = [issue_token(config, name, [Role.LEARNER], timedelta(minutes=5)) for name in ("a", "b", "c")]
    assert [verifier.verify(token).user_id for token in tokens] == ["a", "b", "c"]
    assert list(verifier._verified) == tokens[1:]


@pytest.mark.parametrize(("claims", "message"), [
    ({"roles": {"admin": False}}, "`roles` must be a list"),
    ({"roles": "admin"}, "`roles` must be a list"),
    ({"roles": [["admin"]]}, "`roles` must be a list"),
    ({"roles": ["learner", "root"]}, "unknown role"),
    ({"sub": "a\x00b"}, "`sub` must be a user id"),
    ({"sub": "$admin"}, "`sub` must be a user id"),
    ({"sub": "ana\u202egnp.exe"}, "`sub` must be a user id"),
    ({"iat": -1}, "`iat` must be a time"),
    ({"nbf": -5}, "`nbf` must be a time"),
])
def test_claims_are_parsed_strictly(tmp_path: Path, claims: dict[str, object], message: str) -> None:
    config = settings(tmp_path, jwt_secret=SecretStr("s" * 40))
    payload = {"sub": "ana", "exp": datetime.now(UTC) + timedelta(minutes=1), **claims}
    with pytest.raises(InvalidTokenError, match=message):
        TokenVerifier(config).verify(jwt.encode(payload, "s" * 40, "HS256"))


def test_a_400_digit_expiry_is_an_invalid_token_not_a_crash(tmp_path: Path) -> None:
    config = settings(tmp_path, jwt_secret=SecretStr("s" * 40))
    token = jwt.encode({"sub": "ana", "exp": int("9" * 400)}, "s" * 40, "HS256")
    with pytest.raises(InvalidTokenError, match="`exp` must be a time"):
        TokenVerifier(config).verify(token)
