"""app.core.encryption.field_encryption: sealed values open only with their data key, for their learner, collection and field;
keyrings from JSON or from the data dir; data keys wrapped by key-encryption keys."""

import base64
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from app.core.encryption.field_encryption import (
    KEYS_FILE,
    DecryptionError,
    Keyring,
    KeyringError,
    add_key_to_file,
    field_aad,
    is_sealed,
    load_or_create_keyring,
    new_key,
    open_value,
    seal,
    unwrap_key,
    wrap_key,
)

AT = datetime(2026, 3, 1, 12, 30, tzinfo=UTC)
AAD = field_aad("users", "ana", "job_title")


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


@pytest.mark.parametrize("value", ["Data analyst", {"skills": [{"name": "SQL", "weight": 0.8}], "at": AT},
                                   [{"title": "Dev", "current": True}], 42, ""])
def test_a_sealed_value_opens_to_the_same_value(value: object) -> None:
    dek = new_key()
    envelope = seal(dek, 1, value, AAD)
    assert is_sealed(envelope) and envelope["k"] == 1 and set(envelope) == {"_enc", "k", "n", "c"}
    assert open_value(dek, envelope, AAD) == value


def test_the_ciphertext_hides_the_value_and_each_seal_differs() -> None:
    dek = new_key()
    first, second = seal(dek, 1, "Nurse in Lyon", AAD), seal(dek, 1, "Nurse in Lyon", AAD)
    assert "Lyon" not in json.dumps(first) and first["c"] != second["c"] and first["n"] != second["n"]


@pytest.mark.parametrize("moved", [field_aad("users", "bob", "job_title"), field_aad("users", "ana", "city"),
                                   field_aad("ratings", "ana", "job_title")])
def test_a_ciphertext_moved_to_another_learner_field_or_collection_does_not_open(moved: bytes) -> None:
    dek = new_key()
    with pytest.raises(DecryptionError):
        open_value(dek, seal(dek, 1, "Data analyst", AAD), moved)


def test_the_wrong_key_or_a_tampered_ciphertext_does_not_open() -> None:
    dek = new_key()
    envelope = seal(dek, 1, "Data analyst", AAD)
    with pytest.raises(DecryptionError):
        open_value(new_key(), envelope, AAD)
    flipped = bytearray(base64.b64decode(envelope["c"]))
    flipped[0] ^= 1
    with pytest.raises(DecryptionError):
        open_value(dek, {**envelope, "c": b64(bytes(flipped))}, AAD)
    with pytest.raises(DecryptionError):
        open_value(dek, {**envelope, "n": "not base64!"}, AAD)


def test_plain_values_are_not_taken_for_sealed_ones() -> None:
    assert not is_sealed("text") and not is_sealed({"c": "x"}) and not is_sealed({"_enc": 2, "c": "x"})


def test_a_wrapped_data_key_unwraps_only_for_its_learner_and_version() -> None:
    keyring = Keyring("k1", {"k1": new_key()})
    dek = new_key()
    wrapped = wrap_key(keyring, dek, "ana", 1)
    assert wrapped["kid"] == "k1" and b64(dek) not in json.dumps(wrapped)
    assert unwrap_key(keyring, wrapped, "ana", 1) == dek
    for owner, version in (("bob", 1), ("ana", 2)):
        with pytest.raises(DecryptionError):
            unwrap_key(keyring, wrapped, owner, version)


def test_a_data_key_wrapped_by_a_key_not_in_the_keyring_does_not_unwrap() -> None:
    wrapped = wrap_key(Keyring("old", {"old": new_key()}), new_key(), "ana", 1)
    with pytest.raises(DecryptionError, match="'old' is not in the keyring"):
        unwrap_key(Keyring("k2", {"k2": new_key()}), wrapped, "ana", 1)


def test_a_keyring_reads_json_and_names_its_current_key() -> None:
    one, two = new_key(), new_key()
    assert Keyring.from_json(json.dumps({"a": b64(one)})) == Keyring("a", {"a": one})
    both = Keyring.from_json(json.dumps({"a": b64(one), "b": b64(two)}), "b")
    assert both.current == "b" and both.keys["a"] == one
    assert Keyring.from_json(both.to_json(), "b") == both


@pytest.mark.parametrize(("text", "current", "message"), [
    ("not json", None, "not a JSON object"),
    ('["a"]', None, "not a JSON object"),
    ('{"a": "%%%"}', None, "not a JSON object"),
    ('{"a": "c2hvcnQ="}', None, "not 32 bytes"),
    (json.dumps({"a": b64(bytes(32)), "b": b64(bytes(32))}), None, "name the current one"),
    (json.dumps({"a": b64(bytes(32))}), "z", "'z' is not in the keyring"),
])
def test_a_bad_keyring_is_refused_with_a_clear_message(text: str, current: str | None, message: str) -> None:
    with pytest.raises(KeyringError, match=message):
        Keyring.from_json(text, current)


def test_the_data_dir_keyring_is_created_once_owner_only_and_kept(tmp_path: Path) -> None:
    first = load_or_create_keyring(tmp_path)
    assert first.current == "k1" and oct((tmp_path / KEYS_FILE).stat().st_mode & 0o777) == "0o600"
    assert load_or_create_keyring(tmp_path) == first


def test_a_new_key_in_the_data_dir_becomes_current_and_the_old_one_stays(tmp_path: Path) -> None:
    first = load_or_create_keyring(tmp_path)
    second = add_key_to_file(tmp_path)
    assert second.current == "k2" and second.keys["k1"] == first.keys["k1"]
    assert load_or_create_keyring(tmp_path) == second
    assert oct((tmp_path / KEYS_FILE).stat().st_mode & 0o777) == "0o600"


def test_a_damaged_data_dir_keyring_is_refused(tmp_path: Path) -> None:
    (tmp_path / KEYS_FILE).write_text('{"k1": "x"}')
    with pytest.raises(KeyringError, match="not a Pathwise keyring"):
        load_or_create_keyring(tmp_path)
