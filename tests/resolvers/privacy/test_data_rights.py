"""resolvers.privacy.data_rights: access and erasure cover every collection that holds personal data, generically."""

import json
from datetime import UTC, datetime

import pytest
from beanie import Document

from app.core.documents import (
    DOCUMENT_MODELS,
    AuditAction,
    AuditEntry,
    ConnectedAccount,
    ConsentEntry,
    Course,
    Enrollment,
    Event,
    KnowledgeState,
    PlacementTest,
    Provider,
    Purpose,
    Rating,
    ReviewCard,
    SkillMastery,
    User,
)
from resolvers.privacy import data_rights
from resolvers.privacy.data_rights import (
    NOT_PERSONAL,
    UnclassifiedModelError,
    delete_my_data,
    json_safe,
    my_data,
    personal_collections,
    user_key,
)

STAMP = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_every_document_model_is_keyed_to_a_learner_or_declared_not_personal() -> None:
    for model in DOCUMENT_MODELS:
        assert (user_key(model) is None) == (model in NOT_PERSONAL), model.__name__
    names = {name for name, _, _ in personal_collections()}
    assert names == {"users", "enrollments", "ratings", "events", "consents", "accounts", "knowledge_states",
                     "review_cards", "placement_tests", "audit_log"}


def test_a_model_neither_keyed_nor_declared_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    class Vectors(Document):
        learner: str

        class Settings:
            name = "vectors"

    monkeypatch.setattr(data_rights, "DOCUMENT_MODELS", [*DOCUMENT_MODELS, Vectors])
    with pytest.raises(UnclassifiedModelError, match="Vectors"):
        personal_collections()


def test_json_safe_turns_dates_into_iso_strings() -> None:
    value = {"at": STAMP, "nested": [{"d": STAMP.date()}], "n": 1, "ok": True, "none": None}
    assert json_safe(value) == {"at": "2026-01-02T03:04:05+00:00", "nested": [{"d": "2026-01-02"}], "n": 1,
                                "ok": True, "none": None}


async def seed(user_id: str) -> None:
    await User(id=user_id, display_name=user_id, consents={"essential": True}).save()
    await Enrollment(id=Enrollment.key(user_id, "c1"), user_id=user_id, course_id="c1").insert()
    await Rating(id=Rating.key(user_id, "c1"), user_id=user_id, course_id="c1", rating=4, created_at=STAMP).insert()
    await Event(id=Event.key(user_id, "e1"), user_id=user_id, event_id="e1", type="enroll", course_id="c1",
                purpose=Purpose.ESSENTIAL).insert()
    await ConsentEntry(id=f"{user_id}:essential:x", user_id=user_id, purpose=Purpose.ESSENTIAL, granted=True,
                       policy_version="v1").insert()
    await ConnectedAccount(id=ConnectedAccount.key(user_id, "github"), user_id=user_id, provider=Provider.GITHUB,
                           imported={"languages": ["en"]}).insert()
    await KnowledgeState(id=user_id, user_id=user_id, skills={"python": SkillMastery(probability=0.7)}).insert()
    await ReviewCard(id=ReviewCard.key(user_id, "x1"), user_id=user_id, exercise_id="x1", due=STAMP).insert()
    await PlacementTest(id=f"pt_{user_id}", user_id=user_id, skills=["python"]).insert()
    await AuditEntry(id=f"audit_{user_id}", action=AuditAction.ACCESS, operation="Query.user", actor_id="admin",
                     user_id=user_id).insert()


@pytest.mark.usefixtures("clean")
async def test_my_data_holds_every_collection_of_the_learner_only_and_is_json() -> None:
    await Course(id="c1", title="One").insert()
    await seed("u1")
    await seed("u2")
    data = await my_data("u1")
    json.dumps(data)  # JSON-safe as it is
    assert data["userId"] == "u1"
    collections = data["collections"]
    assert {name: len(docs) for name, docs in collections.items()} == {
        "users": 1, "enrollments": 1, "ratings": 1, "events": 1, "consents": 1, "accounts": 1,
        "knowledge_states": 1, "review_cards": 1, "placement_tests": 1, "audit_log": 1}
    assert collections["users"][0]["_id"] == "u1"
    assert "insights" in collections["users"][0]
    assert collections["ratings"][0]["created_at"] == "2026-01-02T03:04:05+00:00"
    assert all(doc.get("user_id", "u1") == "u1" for docs in collections.values() for doc in docs)


@pytest.mark.usefixtures("clean")
async def test_delete_my_data_erases_everything_of_the_learner_and_counts_it() -> None:
    await Course(id="c1", title="One").insert()
    await seed("u1")
    await seed("u2")
    counts = await delete_my_data("u1")
    assert counts == {"users": 1, "enrollments": 1, "ratings": 1, "events": 1, "consents": 1, "accounts": 1,
                      "knowledge_states": 1, "review_cards": 1, "placement_tests": 1, "audit_log": 1}
    for name, model, key in personal_collections():
        collection = model.get_pymongo_collection()
        assert await collection.count_documents({key: "u1"}) == 0, name
        assert await collection.count_documents({key: "u2"}) == 1, name
    assert await Course.get("c1") is not None
    assert await delete_my_data("u1") == dict.fromkeys(counts, 0)
    assert (await my_data("u1"))["collections"] == {name: [] for name in counts}
