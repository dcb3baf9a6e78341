"""resolvers.privacy.audit and its seam in-process: acting for another learner, consent changes, exports and erasures are
recorded (ids, names and counts only); an erasure leaves only its own entry; admins page through the log."""

import asyncio
import logging
import stat
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pymongo.errors import PyMongoError
from starlette.requests import Request

from app.core.documents import AuditAction, AuditEntry, ConsentSource, Purpose, User
from app.core.settings import Settings
from app.core.store.db import AUDIT_TTL_FIELD, init_database
from app.core.tokens import Principal, Role
from resolvers.errors import UseCaseError
from resolvers.privacy import audit, consents, data_rights
from resolvers.privacy.audit import Actor, AuditLog, AuditQuery, audit_page, erased_subject, load_or_create_key
from schema.context import Context
from schema.schema import build_schema
from tests.conftest import CommandCounter

pytestmark = pytest.mark.usefixtures("clean")
KEY = b"k" * 32
ADMIN = Actor("boss", ("admin",), "Mutation.deleteMyData", "req-1")
POLICY = consents.ConsentPolicy(version="v1")


def context(user_id: str, *roles: Role, audit_log: AuditLog | None = None) -> Context:
    request = Request({"type": "http", "method": "POST", "path": "/graphql", "headers": [], "request_id": "req-9"})
    return Context(request=request, response=None, settings=Settings(), audit_log=audit_log or AuditLog(KEY),
                   principal=Principal(user_id, frozenset(roles or {Role.LEARNER})))


async def execute(query: str, caller: Context) -> dict[str, Any]:
    result = await build_schema(Settings()).execute(query, context_value=caller)
    assert caller.audit_log is not None
    await caller.audit_log.flush()
    return {"data": result.data, "codes": [e.extensions["code"] for e in result.errors or [] if e.extensions]}


async def stored() -> list[dict[str, Any]]:
    return await AuditEntry.get_pymongo_collection().find({}, {"_id": 0}).sort("at", 1).to_list()


async def test_an_admin_reading_a_learner_is_recorded_once_per_field_and_learner() -> None:
    await User(id="ana").insert()
    answer = await execute('{ a: user(id: "ana") { id } b: user(id: "ana") { id } c: user(id: "bo") { id } }',
                           context("boss", Role.ADMIN))
    assert answer["codes"] == []
    entries = await stored()
    assert sorted(e["user_id"] for e in entries) == ["ana", "bo"]
    assert {(e["action"], e["operation"], e["actor_id"], tuple(e["actor_roles"]), e["request_id"]) for e in entries} \
        == {("access", "Query.user", "boss", ("admin",), "req-9")}


async def test_a_partner_calling_a_user_id_query_is_recorded() -> None:
    answer = await execute('{ mastery(userId: "ana") { userId } }', context("platform", Role.PARTNER))
    assert answer["codes"] == []
    [entry] = await stored()
    assert (entry["action"], entry["operation"], entry["actor_id"], entry["user_id"]) == \
        ("access", "Query.mastery", "platform", "ana")


async def test_a_learner_reading_their_own_data_is_not_recorded() -> None:
    await User(id="ana").insert()
    answer = await execute('{ me { id } user(id: "ana") { id } mastery { userId } consents { purpose } }',
                           context("ana"))
    assert answer["codes"] == []
    assert await stored() == []


async def test_a_consent_change_by_the_learner_is_recorded_before_the_answer() -> None:
    await consents.set_consent("ana", Purpose.ANALYTICS, True, POLICY, ConsentSource.LEARNER,
                               Actor("ana", ("learner",), "Mutation.setConsent", "r1"))
    await consents.set_consent("ana", Purpose.ANALYTICS, False, POLICY)
    await consents.set_personalization("ana", False, Actor("ana", ("learner",), "Mutation.setPersonalization"))
    entries = await stored()
    assert [(e["action"], e["purpose"], e["actor_id"], e["user_id"]) for e in entries] == [
        ("consent_granted", "analytics", "ana", "ana"), ("consent_withdrawn", "analytics", "pathwise", "ana"),
        ("personalization_off", None, "ana", "ana")]


async def test_an_erasure_leaves_exactly_its_own_entry_naming_the_learner_by_a_keyed_hash() -> None:
    learner = Actor("ana", ("learner",), "Mutation.deleteMyData", "r2")
    await consents.set_consent("ana", Purpose.ANALYTICS, True, POLICY, actor=learner)
    pending = AuditLog(KEY, flush_ms=60_000)
    pending.record_later(audit.entry(ADMIN, AuditAction.ACCESS, "ana"))  # not written yet: dropped
    pending.record_later(audit.entry(ADMIN, AuditAction.ACCESS, "bo"))
    counts = await data_rights.delete_my_data("ana", learner, pending)
    await pending.flush()
    assert counts["audit_log"] == 1 and counts["consents"] >= 1
    entries = await stored()
    assert [e["user_id"] for e in entries] == ["bo", None]
    erasure = entries[1]
    assert erasure["action"] == "erasure" and erasure["counts"] == counts
    assert erasure["erased_learner"] == erasure["actor_id"] == erased_subject(KEY, "ana")
    assert "ana" not in str(entries)
    found = await audit_page(AuditQuery(user_id="ana"), 10, None, KEY)
    assert [e.action for e in found.items] == [AuditAction.ERASURE]
    assert (await audit_page(AuditQuery(user_id="ana"), 10, None, b"x" * 32)).items == []  # another key


async def test_an_admin_erasing_a_learner_keeps_the_admin_as_actor() -> None:
    await User(id="ana").insert()
    await data_rights.delete_my_data("ana", ADMIN, AuditLog(KEY))
    [erasure] = await stored()
    assert (erasure["actor_id"], erasure["actor_roles"], erasure["request_id"]) == ("boss", ["admin"], "req-1")


async def test_the_export_holds_the_entries_about_the_learner_and_is_recorded() -> None:
    await consents.set_consent("ana", Purpose.ANALYTICS, True, POLICY, actor=Actor("ana", ("learner",), "x"))
    await AuditEntry(id="other", action=AuditAction.ACCESS, operation="Query.user", actor_id="boss",
                     user_id="bo").insert()
    exporter = Actor("ana", ("learner",), "GET /v1/me/export", "r3")
    first = await data_rights.my_data("ana", exporter)
    assert [e["action"] for e in first["collections"]["audit_log"]] == ["consent_granted"]
    second = await data_rights.my_data("ana", exporter)
    assert sorted(e["action"] for e in second["collections"]["audit_log"]) == ["consent_granted", "export"]
    assert all(set(e) <= set(AuditEntry.model_fields) | {"_id"} for e in second["collections"]["audit_log"])


@pytest.mark.parametrize("role", [Role.LEARNER, Role.PARTNER])
async def test_only_admins_may_query_the_audit_log(role: Role) -> None:
    answer = await execute("{ auditLog { totalCount } }", context("someone", role))
    assert answer["codes"] == ["FORBIDDEN"]


async def seed_entries(count: int) -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    await AuditEntry.insert_many([
        AuditEntry(id=f"e{i:02d}", at=start + timedelta(minutes=i // 2), action=AuditAction.ACCESS,
                   operation="Query.user", actor_id="boss" if i % 2 else "platform", user_id="ana" if i < 6 else "bo")
        for i in range(count)])


async def test_admins_page_through_the_log_newest_first_with_filters() -> None:
    await seed_entries(10)
    query = ('{ auditLog(userId: "ana", first: 4) { totalCount edges { cursor node { id userId actorId action '
             'operation counts { count } } } pageInfo { hasNextPage endCursor } } }')
    first = (await execute(query, context("root", Role.ADMIN)))["data"]["auditLog"]
    assert first["totalCount"] == 6
    assert [e["node"]["id"] for e in first["edges"]] == ["e05", "e04", "e03", "e02"]
    assert first["pageInfo"]["hasNextPage"]
    rest = await audit_page(AuditQuery(user_id="ana"), 4, first["pageInfo"]["endCursor"], KEY)
    assert [e.id for e in rest.items] == ["e01", "e00"] and not rest.has_next_page
    by_actor = await audit_page(AuditQuery(actor="platform", since=datetime(2026, 1, 1, 0, 2, tzinfo=UTC),
                                           until=datetime(2026, 1, 1, 0, 3, tzinfo=UTC)), 10, None, KEY)
    assert [e.id for e in by_actor.items] == ["e06", "e04"]


async def test_bad_page_arguments_are_refused() -> None:
    for first, after, query in [(0, None, AuditQuery()), (5, "nope", AuditQuery()),
                                (5, None, AuditQuery(since=datetime(2026, 2, 1), until=datetime(2026, 1, 1)))]:
        with pytest.raises(UseCaseError) as refused:
            await audit_page(query, first, after, KEY)
        assert refused.value.code.value == "BAD_USER_INPUT"
    answer = await execute('{ auditLog(userId: "") { totalCount } }', context("root", Role.ADMIN))
    assert answer["codes"] == ["BAD_USER_INPUT"]


async def test_a_failed_batch_is_logged_not_raised(monkeypatch: pytest.MonkeyPatch,
                                                   caplog: pytest.LogCaptureFixture) -> None:
    async def refuse(*args: Any, **kwargs: Any) -> None:
        raise PyMongoError("store down")

    monkeypatch.setattr(AuditEntry, "insert_many", refuse)
    pending = AuditLog(KEY)
    pending.record_later(audit.entry(ADMIN, AuditAction.ACCESS, "ana"))
    with caplog.at_level(logging.ERROR, logger="pathwise.audit"):
        await pending.flush()
    assert "1 entries could not be written" in caplog.text


async def test_entries_recorded_later_are_written_in_the_background_in_one_batch(
        command_counter: CommandCounter) -> None:
    pending = AuditLog(KEY, flush_ms=10)
    command_counter.commands.clear()
    pending.record_later(audit.entry(ADMIN, AuditAction.ACCESS, "ana"))
    pending.record_later(audit.entry(ADMIN, AuditAction.ACCESS, "bo"))
    assert command_counter.commands == []  # nothing on the caller's path
    for _ in range(200):
        await asyncio.sleep(0.01)
        if "insert" in command_counter.commands:
            break
    assert command_counter.commands == ["insert"]
    await pending.flush()  # waits for the write in flight
    assert len(await stored()) == 2


def test_the_audit_key_is_made_once_and_kept_private(tmp_path: Path) -> None:
    key = load_or_create_key(tmp_path / "data")
    assert len(key) == 32 and load_or_create_key(tmp_path / "data") == key
    assert stat.S_IMODE((tmp_path / "data" / "audit_key").stat().st_mode) == 0o600
    assert erased_subject(key, "ana") != erased_subject(KEY, "ana")


async def test_init_database_makes_audit_entries_expire_after_the_retention(database: str) -> None:
    client = AuditEntry.get_pymongo_collection().database.client
    fresh = f"{database}_audit_ttl"
    try:
        await init_database(client, fresh, audit_retention_days=12)
        indexes = await (await AuditEntry.get_pymongo_collection().list_indexes()).to_list()
        ttl = [index.get("expireAfterSeconds") for index in indexes if dict(index["key"]) == {AUDIT_TTL_FIELD: 1}]
        assert ttl == [12 * 86_400]
    finally:
        await init_database(client, database)  # bind the documents back to the session's database
        await client.drop_database(fresh)
