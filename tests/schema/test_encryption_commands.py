"""Encrypted fields in-process: what reading them costs in MongoDB commands. A learner whose data key is not
cached costs one extra `find` (on `data_keys`) per request, shared by every loader; a cached one costs none,
and learners without sealed values never cost a key read."""

from collections import Counter
from collections.abc import Iterator

import pytest
from starlette.requests import Request

from app.core.documents import ConnectedAccount, Provider, Rating, User
from app.core.encryption import data_keys
from app.core.encryption.data_keys import DataKeys
from app.core.encryption.field_encryption import Keyring, new_key
from app.core.encryption.sealed_fields import replace_sealed, seal_changes
from app.core.settings import Settings
from app.core.tokens import Principal, Role
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")
QUERY = '{ u: user(id: "%s") { jobTitle ratings { review } connectedAccounts { externalId } } }'


@pytest.fixture(autouse=True)
def keyring() -> Iterator[Keyring]:
    ring = Keyring("k1", {"k1": new_key()})
    data_keys._current[:] = [DataKeys(ring)]
    yield ring
    data_keys._current.clear()


def context() -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": []})
    return Context(request=request, response=None, settings=Settings(),
                   principal=Principal("admin", frozenset({Role.ADMIN})))


async def ask(user_id: str, command_counter: CommandCounter) -> tuple[dict[str, object], Counter[str]]:
    command_counter.commands.clear()
    result = await build_schema(Settings()).execute(QUERY % user_id, context_value=context())
    assert result.errors is None and result.data is not None
    return result.data["u"], Counter(command_counter.commands)


async def test_a_cold_key_costs_one_find_per_request_and_a_cached_one_none(
        keyring: Keyring, command_counter: CommandCounter) -> None:
    await User(id="ana").insert()
    await User.get_pymongo_collection().update_one(
        {"_id": "ana"}, {"$set": await seal_changes("users", "ana", {"job_title": "Nurse"})})
    await replace_sealed("ratings", "ana", Rating(id="ana:c1", user_id="ana", course_id="c1", rating=4, review="Good"))
    await replace_sealed("accounts", "ana", ConnectedAccount(id="ana:github", user_id="ana", provider=Provider.GITHUB,
                                                             external_id="42"))
    expected = {"jobTitle": "Nurse", "ratings": [{"review": "Good"}], "connectedAccounts": [{"externalId": "42"}]}
    data_keys._current[:] = [DataKeys(keyring)]  # a process that has not seen the learner yet
    cold, cold_commands = await ask("ana", command_counter)
    warm, warm_commands = await ask("ana", command_counter)
    assert cold == warm == expected
    assert cold_commands == Counter({"find": 4})  # users, data_keys, then ratings and accounts
    assert warm_commands == Counter({"find": 3})


async def test_a_learner_without_sealed_values_costs_no_key_read(command_counter: CommandCounter) -> None:
    await User(id="bob", job_title="Baker").insert()  # stored before encryption: plain
    found, commands = await ask("bob", command_counter)
    assert found["jobTitle"] == "Baker" and commands == Counter({"find": 3})
