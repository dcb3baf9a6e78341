"""app.core.encryption.sealed_fields: the sensitive fields are sealed on their way to the store (also inside a whole object
such as `onboarding`) and opened when read; everything else is stored as it was."""

from collections.abc import Iterator
from typing import Any

import pytest

from app.core.documents import ConnectedAccount, Provider, Rating, User
from app.core.encryption import data_keys
from app.core.encryption.data_keys import DataKeys
from app.core.encryption.field_encryption import Keyring, is_sealed, new_key
from app.core.encryption.sealed_fields import (
    find_opened,
    get_opened,
    iterate_opened,
    open_documents,
    open_sealed,
    replace_sealed,
    seal_changes,
)

pytestmark = pytest.mark.usefixtures("clean")


@pytest.fixture(autouse=True)
def store() -> Iterator[DataKeys]:
    keys = DataKeys(Keyring("k1", {"k1": new_key()}))
    data_keys._current[:] = [keys]
    yield keys
    data_keys._current.clear()


async def test_sensitive_set_values_are_sealed_and_the_others_kept() -> None:
    changes = {"job_title": "Nurse", "interests": ["SQL"], "onboarding": {"career_goal": "Data analyst",
                                                                          "completed_at": None},
               "other_interests": None, "provenance.job_title": {"source": "platform"}}
    sealed = await seal_changes("users", "ana", changes)
    assert is_sealed(sealed["job_title"]) and is_sealed(sealed["onboarding"]["career_goal"])
    assert sealed["interests"] == ["SQL"] and sealed["onboarding"]["completed_at"] is None
    assert sealed["other_interests"] is None and sealed["provenance.job_title"] == {"source": "platform"}
    assert changes["job_title"] == "Nurse"  # the caller's dict is left alone
    opened = open_sealed("users", {"_id": "ana", **sealed})
    assert opened["job_title"] == "Nurse" and opened["onboarding"]["career_goal"] == "Data analyst"


async def test_changes_without_sensitive_values_need_no_key(store: DataKeys) -> None:
    changes = {"interests": ["SQL"], "display_name": None}
    assert await seal_changes("users", "ana", changes) is changes
    assert store.reads == 0 and store.cached("ana") is data_keys.UNKNOWN


async def test_writing_into_a_sealed_field_is_refused() -> None:
    with pytest.raises(ValueError, match=r"profile\.skills writes into a sealed field"):
        await seal_changes("accounts", "ana", {"profile.skills": []})


async def test_a_sealed_value_read_for_another_learner_is_left_out() -> None:
    sealed = await seal_changes("users", "ana", {"job_title": "Nurse", "city": "Lyon"})
    await seal_changes("users", "bob", {"job_title": "x"})  # bob has a key too: his cannot open ana's values
    moved = open_sealed("users", {"_id": "bob", **sealed})
    assert "job_title" not in moved and "city" not in moved


async def test_plain_stored_values_are_read_as_they_are() -> None:
    await User(id="ana", job_title="Nurse", onboarding={"career_goal": "Lead"}).insert()
    user = await get_opened(User, "ana")
    assert user is not None and user.job_title == "Nurse" and user.onboarding.career_goal == "Lead"


async def test_whole_documents_are_stored_sealed_and_read_back_plain() -> None:
    account = ConnectedAccount(id="ana:github", user_id="ana", provider=Provider.GITHUB, external_id="42",
                               imported={"job_title": "Dev"}, positions=[{"title": "Dev"}], profile={"bio": "hi"})
    await replace_sealed("accounts", "ana", account)
    await replace_sealed("ratings", "ana", Rating(id="ana:c1", user_id="ana", course_id="c1", rating=5,
                                                  review="Loved it"))
    raw: dict[str, Any] | None = await ConnectedAccount.get_pymongo_collection().find_one({"_id": "ana:github"})
    assert raw is not None and raw["provider"] == "github" and raw["user_id"] == "ana"
    assert all(is_sealed(raw[name]) for name in ("external_id", "imported", "positions", "profile"))
    assert raw["education"] == []  # empty values are not sealed
    assert await get_opened(ConnectedAccount, "ana:github") == account
    ratings = await find_opened(Rating, {"user_id": "ana"})
    assert [(r.rating, r.review) for r in ratings] == [(5, "Loved it")]


async def test_raw_documents_open_with_one_key_read_and_plain_ones_with_none(store: DataKeys) -> None:
    for owner in ("ana", "bob"):
        await replace_sealed("ratings", owner, Rating(id=f"{owner}:c1", user_id=owner, course_id="c1", rating=4,
                                                      review=f"by {owner}"))
    await Rating(id="cy:c1", user_id="cy", course_id="c1", rating=3, review="plain").insert()
    cold = DataKeys(store.keyring)
    data_keys._current[:] = [cold]
    raw = await Rating.get_pymongo_collection().find({}).sort("_id", 1).to_list()
    opened = await open_documents("ratings", raw)
    assert [doc["review"] for doc in opened] == ["by ana", "by bob", "plain"] and cold.reads == 1
    await open_documents("ratings", raw)
    assert cold.reads == 1


async def test_a_document_read_before_its_key_is_loaded_shows_empty_fields_not_an_error(store: DataKeys) -> None:
    await replace_sealed("accounts", "ana", ConnectedAccount(id="ana:google", user_id="ana", provider=Provider.GOOGLE,
                                                             imported={"display_name": "Ana"}))
    data_keys._current[:] = [DataKeys(store.keyring)]
    account = await ConnectedAccount.get("ana:google")  # Beanie directly: no key loaded
    assert account is not None and account.imported == {} and account.provider is Provider.GOOGLE


@pytest.mark.parametrize(("limit", "expected"), [(0, 5), (3, 3), (4, 4)])
async def test_many_learners_are_read_page_by_page_with_one_key_read_a_page(
        store: DataKeys, limit: int, expected: int) -> None:
    owners = [f"u{index}" for index in range(5)]
    for owner in owners:
        await User(id=owner).insert()
        sealed = await seal_changes("users", owner, {"job_title": f"job {owner}"})
        await User.get_pymongo_collection().update_one({"_id": owner}, {"$set": sealed})
    cold = DataKeys(store.keyring)
    data_keys._current[:] = [cold]
    found = [user async for user in iterate_opened(User, {}, limit=limit, batch_size=2)]
    assert [user.job_title for user in found] == [f"job {owner}" for owner in owners[:expected]]
    assert cold.reads == (expected + 1) // 2
