"""resolvers.profile.writes: targeted profile writes that create the learner when needed."""

from datetime import UTC, datetime

import pytest

from app.core.documents import User
from resolvers.profile.writes import (
    item_key,
    item_keys_of,
    load_profile,
    provenance_changes,
    unique_labels,
    update_profile,
)

pytestmark = pytest.mark.usefixtures("clean")
AT = datetime(2026, 3, 1, tzinfo=UTC)


async def test_update_creates_an_unknown_learner() -> None:
    user = await update_profile("new", {"goals": ["Python"], "preferences.followed_topics": ["Data"]})
    assert user.goals == ["Python"]
    assert user.preferences.followed_topics == ["Data"]
    stored = await User.get("new")
    assert stored is not None and stored.preferences.followed_topics == ["Data"]


async def test_update_touches_only_the_paths_given() -> None:
    await User(id="u1", display_name="Ana", interests=["SQL"]).insert()
    await User.get_pymongo_collection().update_one({"_id": "u1"}, {"$inc": {"insights.events": 3}})
    user = await update_profile("u1", {"interests": ["Python"]})
    assert (user.display_name, user.interests, user.insights.events) == ("Ana", ["Python"], 3)


async def test_update_unsets_removed_paths_but_not_ones_it_sets() -> None:
    await update_profile("u1", provenance_changes(["job_title", "interests:sql"], "github", AT))
    user = await update_profile("u1", provenance_changes(["interests"], "learner", AT),
                                removed=["provenance.interests:sql", "provenance.interests"])
    assert set(user.provenance) == {"job_title", "interests"}
    assert user.provenance["interests"].source == "learner"


async def test_load_profile_of_an_unknown_learner_is_fresh_and_unsaved() -> None:
    user = await load_profile("nobody")
    assert user.id == "nobody" and user.interests == []
    assert await User.get("nobody") is None


def test_item_keys_are_mongo_safe() -> None:
    assert item_key("interests", "Node.js") == "interests:node%2Ejs"
    user = User(id="u", provenance={})
    assert item_keys_of(user, "interests") == []


def test_provenance_changes_record_source_and_time() -> None:
    assert provenance_changes(["goals"], "learner", AT) == {"provenance.goals": {"source": "learner", "at": AT}}


def test_unique_labels_keep_the_first_spelling() -> None:
    assert unique_labels(["Python", "python", "SQL", "PYTHON"]) == ["Python", "SQL"]


async def test_updated_at_stays_an_aware_date() -> None:
    await User(id="u1", updated_at=AT).insert()
    await update_profile("u1", {"goals": ["Python"]})
    raw = await User.get_pymongo_collection().find_one({"_id": "u1"})
    assert raw is not None
    assert isinstance(raw["updated_at"], datetime) and raw["updated_at"] > AT


async def test_dates_are_set_inside_their_objects_only() -> None:
    with pytest.raises(ValueError, match="date"):
        await update_profile("u1", {"onboarding.completed_at": AT})
    user = await update_profile("u1", {"onboarding": {"completed_at": AT}})
    assert user.onboarding.completed_at == AT
