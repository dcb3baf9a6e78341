"""`pathwise rotate-keys` as an operator runs it: a new key-encryption key, every data key rewrapped once, the
data keys themselves unchanged; bad keyrings end with a message, not a traceback."""

import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from pymongo import MongoClient

from app.core.encryption.field_encryption import load_or_create_keyring, new_key, unwrap_key, wrap_key
from tests.app.cli.test_cli import pathwise


@pytest.fixture
def store_env(mongo_uri: str) -> dict[str, str]:
    return {"PATHWISE_MONGODB_URI": mongo_uri, "PATHWISE_DATABASE": f"keys_{uuid.uuid4().hex[:8]}"}


def test_rotation_rewraps_every_data_key_under_a_new_key_once(tmp_path: Path, store_env: dict[str, str]) -> None:
    keyring = load_or_create_keyring(tmp_path)
    deks = {owner: new_key() for owner in ("ana", "bob", "cy")}
    client: MongoClient[dict[str, Any]] = MongoClient(store_env["PATHWISE_MONGODB_URI"], tz_aware=True)
    keys = client[store_env["PATHWISE_DATABASE"]]["data_keys"]
    try:
        keys.insert_many([{"_id": f"{owner}:1", "owner": owner, "version": 1,
                           "wrapped": wrap_key(keyring, dek, owner, 1)} for owner, dek in deks.items()])
        first = pathwise("rotate-keys", "--generate", "--batch-size", "2", "--data-dir", str(tmp_path), env=store_env)
        assert first.returncode == 0, first.stderr
        assert "3 data keys rewrapped under k2" in first.stdout
        rotated = load_or_create_keyring(tmp_path)
        assert rotated.current == "k2" and set(rotated.keys) == {"k1", "k2"}
        stored = {doc["owner"]: doc["wrapped"] for doc in keys.find({})}
        assert {wrapped["kid"] for wrapped in stored.values()} == {"k2"}
        assert {owner: unwrap_key(rotated, stored[owner], owner, 1) for owner in deks} == deks
        again = pathwise("rotate-keys", "--data-dir", str(tmp_path), env=store_env)
        assert again.returncode == 0 and "0 data keys rewrapped under k2" in again.stdout
    finally:
        client.drop_database(store_env["PATHWISE_DATABASE"])
        client.close()


@pytest.mark.parametrize(("keys", "message"), [
    ("not json", "not a JSON object"),
    (json.dumps({"a": "c2hvcnQ="}), "not 32 bytes"),
])
def test_a_bad_keyring_ends_with_a_message(tmp_path: Path, store_env: dict[str, str], keys: str, message: str) -> None:
    result = pathwise("rotate-keys", "--data-dir", str(tmp_path), env={**store_env, "PATHWISE_ENCRYPTION_KEYS": keys})
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


def test_generate_is_refused_with_a_configured_keyring(tmp_path: Path, store_env: dict[str, str]) -> None:
    keys = json.dumps({"a": "A" * 43 + "="})
    result = pathwise("rotate-keys", "--generate", "--data-dir", str(tmp_path),
                      env={**store_env, "PATHWISE_ENCRYPTION_KEYS": keys})
    assert result.returncode == 2 and "PATHWISE_ENCRYPTION_KEY_ID" in result.stderr
