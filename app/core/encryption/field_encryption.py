"""Field-level encryption: AES-256-GCM envelopes for single field values, and the key-encryption keys (KEKs)
that wrap each learner's data key (DEK). Pure functions; storing the keys is `app.core.encryption.data_keys`'s job.

A sealed value is a small dict `{"_enc": 1, "k": <DEK version>, "n": <nonce>, "c": <ciphertext>}` (base64).
Its associated data names the collection, the learner and the field, so a ciphertext copied to another
learner or field does not open."""

import base64
import binascii
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import bson
from bson.codec_options import CodecOptions
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.core.secret_files import read_or_create

FORMAT = 1
MARKER = "_enc"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12
KEYS_FILE = "encryption_keys.json"
_CODEC: CodecOptions[dict[str, Any]] = CodecOptions(tz_aware=True)


class KeyringError(ValueError):
    """The configured key-encryption keys are unusable (bad JSON, bad base64, wrong length, unknown id)."""


class DecryptionError(Exception):
    """A sealed value or wrapped key does not open: wrong or destroyed key, or moved/tampered ciphertext."""


@dataclass(frozen=True)
class Keyring:
    """Key-encryption keys by id; `current` wraps new data keys, the others still unwrap older ones."""

    current: str
    keys: dict[str, bytes]

    def __post_init__(self) -> None:
        if self.current not in self.keys:
            raise KeyringError(f"the current key id {self.current!r} is not in the keyring")
        short = sorted(kid for kid, key in self.keys.items() if len(key) != KEY_BYTES)
        if short:
            raise KeyringError(f"keys {short} are not {KEY_BYTES} bytes (AES-256)")

    @classmethod
    def from_json(cls, text: str, current: str | None = None) -> "Keyring":
        """`{"kid": "<base64 key>", ...}`; `current` defaults to the only id, else must be given."""
        try:
            raw = json.loads(text)
            keys = {str(kid): base64.b64decode(value, validate=True) for kid, value in raw.items()}
        except (ValueError, AttributeError, TypeError, binascii.Error) as error:
            raise KeyringError(f"encryption keys are not a JSON object of base64 keys: {error}") from None
        if current is None:
            if len(keys) != 1:
                raise KeyringError("several encryption keys: name the current one (PATHWISE_ENCRYPTION_KEY_ID)")
            current = next(iter(keys))
        return cls(current, keys)

    def to_json(self) -> str:
        return json.dumps({kid: base64.b64encode(key).decode() for kid, key in self.keys.items()})


def load_or_create_keyring(data_dir: Path, current: str | None = None) -> Keyring:
    """The embedded deployment's keyring, generated once into `<data_dir>/encryption_keys.json` (mode 0600) as
    `{"current": kid, "keys": {kid: base64 key}}`."""
    path = data_dir / KEYS_FILE
    read_or_create(path, lambda: _file_text(Keyring("k1", {"k1": new_key()})))
    return _read_keys_file(path, current)


def add_key_to_file(data_dir: Path) -> Keyring:
    """A new key-encryption key in the data dir's keyring, made current (the old ones still unwrap)."""
    path = data_dir / KEYS_FILE
    old = load_or_create_keyring(data_dir)
    kid = f"k{max((int(k[1:]) for k in old.keys if k[1:].isdigit()), default=0) + 1}"
    fresh = Keyring(kid, {**old.keys, kid: new_key()})
    spare = path.with_suffix(".tmp")
    fd = os.open(spare, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(_file_text(fresh))
    spare.replace(path)
    return fresh


def _read_keys_file(path: Path, current: str | None) -> Keyring:
    try:
        raw = json.loads(path.read_text())
        return Keyring.from_json(json.dumps(raw["keys"]), current or raw["current"])
    except (ValueError, KeyError, TypeError) as error:
        raise KeyringError(f"{path} is not a Pathwise keyring: {error}") from None


def _file_text(keyring: Keyring) -> str:
    return json.dumps({"current": keyring.current, "keys": json.loads(keyring.to_json())})


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def field_aad(collection: str, owner: str, field: str) -> bytes:
    """What a sealed field value is bound to: its collection, its learner and its field path."""
    return json.dumps(["pathwise-field", FORMAT, collection, owner, field]).encode()


def _key_aad(owner: str, version: int) -> bytes:
    return json.dumps(["pathwise-dek", FORMAT, owner, version]).encode()


def wrap_key(keyring: Keyring, dek: bytes, owner: str, version: int) -> dict[str, str]:
    """The DEK encrypted under the current KEK, bound to its learner and version."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = AESGCM(keyring.keys[keyring.current]).encrypt(nonce, dek, _key_aad(owner, version))
    return {"kid": keyring.current, "n": _b64(nonce), "c": _b64(sealed)}


def unwrap_key(keyring: Keyring, wrapped: dict[str, Any], owner: str, version: int) -> bytes:
    kek = keyring.keys.get(str(wrapped.get("kid")))
    if kek is None:
        raise DecryptionError(f"the key-encryption key {wrapped.get('kid')!r} is not in the keyring")
    return _open(kek, wrapped, _key_aad(owner, version))


def seal(dek: bytes, version: int, value: Any, aad: bytes) -> dict[str, Any]:
    """`value` (anything BSON holds: text, numbers, lists, dicts, dates) as a sealed envelope."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    ciphertext = AESGCM(dek).encrypt(nonce, bson.encode({"v": value}), aad)
    return {MARKER: FORMAT, "k": version, "n": _b64(nonce), "c": _b64(ciphertext)}


def open_value(dek: bytes, envelope: dict[str, Any], aad: bytes) -> Any:
    return bson.decode(_open(dek, envelope, aad), codec_options=_CODEC)["v"]


def is_sealed(value: Any) -> bool:
    return isinstance(value, dict) and value.get(MARKER) == FORMAT and "c" in value


def key_version(envelope: dict[str, Any]) -> int:
    return int(envelope.get("k", 1))


def _open(key: bytes, envelope: dict[str, Any], aad: bytes) -> bytes:
    try:
        nonce = base64.b64decode(envelope["n"], validate=True)
        ciphertext = base64.b64decode(envelope["c"], validate=True)
        return AESGCM(key).decrypt(nonce, ciphertext, aad)
    except (InvalidTag, KeyError, TypeError, ValueError, binascii.Error):
        raise DecryptionError("the value does not open with this key for this learner and field") from None


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()
