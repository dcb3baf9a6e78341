"""resolvers.privacy.consents: the ledger, the deployment's defaults recorded once, state per purpose, and the purge
that a withdrawal triggers (resolvers.privacy.purges)."""

from typing import Any

import pytest

from app.core.documents import ConnectedAccount, ConsentEntry, ConsentSource, Event, Provider, Purpose, User
from app.core.documents.profiles import Provenance
from app.core.settings import Settings
from app.core.timestamps import utcnow
from resolvers.errors import ErrorCode, UseCaseError
from resolvers.events.tracking import EventStatus, IngestOptions, track_events
from resolvers.practice.knowledge import trackers_for
from resolvers.privacy.consents import (
    ConsentPolicy,
    ConsentState,
    consents_of,
    set_consent,
    set_personalization,
)
from resolvers.profile.writes import item_key

TRACKERS = trackers_for(Settings())

pytestmark = pytest.mark.usefixtures("clean")

POLICY = ConsentPolicy(version="v1")
B, E, T = Purpose.BEHAVIORAL_TRACKING, Purpose.ESSENTIAL, Purpose.THIRD_PARTY_IMPORT


def state(states: list[ConsentState], purpose: Purpose) -> ConsentState:
    return next(s for s in states if s.purpose is purpose)


def granted(states: list[ConsentState]) -> set[Purpose]:
    return {s.purpose for s in states if s.granted}


async def ledger(user_id: str) -> list[tuple[Purpose, bool, ConsentSource, str]]:
    entries = sorted(await ConsentEntry.find({"user_id": user_id}).to_list(), key=lambda e: (e.at, e.id))
    return [(e.purpose, e.granted, e.source, e.policy_version) for e in entries]


async def track(user_id: str, *types: str) -> list[EventStatus]:
    properties = {"quiz_answer": {"item_id": "i1", "correct": True}, "follow": {"topic": "Python"}}
    events = [{"user_id": user_id, "event_id": f"{kind}-{n}-{utcnow().timestamp()}", "type": kind,
               "properties": properties.get(kind, {})} for n, kind in enumerate(types)]
    return [r.status for r in await track_events(events, IngestOptions(settings=Settings(), trackers=TRACKERS))]


async def test_an_unknown_learner_has_only_the_defaults_and_nothing_is_written() -> None:
    states = await consents_of("ghost", POLICY)
    assert granted(states) == {E}
    assert state(states, E).source is ConsentSource.DEFAULT
    assert state(states, B) == ConsentState(B, False)
    assert await ConsentEntry.count() == 0
    assert await User.get("ghost") is None


async def test_defaults_are_recorded_once_per_purpose_and_policy_version() -> None:
    await User(id="u1").save()
    policy = ConsentPolicy(version="v1", defaults=frozenset({E, Purpose.ANALYTICS}))
    states = await consents_of("u1", policy)
    await consents_of("u1", policy)
    assert granted(states) == {E, Purpose.ANALYTICS}
    assert state(states, Purpose.ANALYTICS).source is ConsentSource.DEFAULT
    assert state(states, Purpose.ANALYTICS).policy_version == "v1"
    assert sorted(await ledger("u1")) == [(Purpose.ANALYTICS, True, ConsentSource.DEFAULT, "v1"),
                                          (E, True, ConsentSource.DEFAULT, "v1")]
    await consents_of("u1", ConsentPolicy(version="v2", defaults=policy.defaults))
    assert len(await ledger("u1")) == 4
    user = await User.get("u1")
    assert user is not None
    assert user.consents == {"essential": True, "analytics": True}


async def test_granting_writes_the_ledger_and_the_state_and_creates_the_learner() -> None:
    change = await set_consent("new", B, True, POLICY)
    assert granted(change.consents) == {E, B}
    assert state(change.consents, B).source is ConsentSource.LEARNER
    assert state(change.consents, B).since is not None
    assert change.purged == {}
    assert await ledger("new") == [(E, True, ConsentSource.DEFAULT, "v1"), (B, True, ConsentSource.LEARNER, "v1")]
    user = await User.get("new")
    assert user is not None
    assert user.consents == {"essential": True, "behavioral_tracking": True}
    assert await track("new", "page_view") == [EventStatus.ACCEPTED]


async def test_an_admin_acting_for_the_learner_is_recorded_as_such() -> None:
    await set_consent("u1", Purpose.ANALYTICS, True, POLICY, ConsentSource.ADMIN)
    assert (Purpose.ANALYTICS, True, ConsentSource.ADMIN, "v1") in await ledger("u1")


async def test_essential_cannot_be_withdrawn() -> None:
    with pytest.raises(UseCaseError) as raised:
        await set_consent("u1", E, False, POLICY)
    assert raised.value.code is ErrorCode.BAD_USER_INPUT
    assert raised.value.problems[0].field == "purpose"
    assert await ConsentEntry.count() == 0


async def test_a_withdrawn_default_stays_withdrawn_across_policy_versions() -> None:
    policy = ConsentPolicy(version="v1", defaults=frozenset({E, B}))
    change = await set_consent("u1", B, False, policy)
    assert B not in granted(change.consents)
    assert state(change.consents, B).source is ConsentSource.LEARNER
    later = await consents_of("u1", ConsentPolicy(version="v2", defaults=policy.defaults))
    assert B not in granted(later)
    assert await track("u1", "page_view") == [EventStatus.REJECTED]


async def test_withdrawing_tracking_purges_behavioural_events_and_recomputes_insights() -> None:
    await set_consent("u1", B, True, POLICY)
    assert await track("u1", "page_view", "click", "follow") == [EventStatus.ACCEPTED] * 3
    before = await User.get("u1")
    assert before is not None
    assert before.insights.events == 3
    change = await set_consent("u1", B, False, POLICY)
    assert change.purged == {"events": 2, "users": 1}
    kept = await Event.find({"user_id": "u1"}).to_list()
    assert [e.type for e in kept] == ["follow"]
    after = await User.get("u1")
    assert after is not None
    assert after.insights.events == 1
    assert [a.type for a in after.recent_activity] == ["follow"]
    assert await track("u1", "page_view", "quiz_answer") == [EventStatus.REJECTED, EventStatus.ACCEPTED]
    assert {e.type for e in await Event.find({"user_id": "u1"}).to_list()} == {"follow", "quiz_answer"}


async def test_withdrawing_a_purpose_deletes_only_that_purposes_events_of_that_learner() -> None:
    def event(user_id: str, event_id: str, purpose: Purpose) -> Event:
        return Event(id=Event.key(user_id, event_id), user_id=user_id, event_id=event_id, type="custom:x",
                     purpose=purpose)

    await Event.insert_many([event("u1", "a", Purpose.ANALYTICS), event("u1", "b", E),
                             event("u2", "a", Purpose.ANALYTICS)])
    change = await set_consent("u1", Purpose.ANALYTICS, False, POLICY)
    assert change.purged == {"events": 1}
    remaining = sorted(e.id for e in await Event.find_all().to_list())
    assert remaining == ["u1:b", "u2:a"]


async def connect(user_id: str, provider: Provider, imported: dict[str, Any]) -> None:
    await ConnectedAccount(id=ConnectedAccount.key(user_id, provider), user_id=user_id, provider=provider,
                           imported=imported).insert()


async def test_withdrawing_import_removes_accounts_and_the_values_they_still_own() -> None:
    now = utcnow()
    await User(id="u1", job_title="Engineer", languages=["en", "de"], city="Lisbon", country="PT",
               provenance={"job_title": Provenance(source="linkedin", at=now),
                           item_key("languages", "de"): Provenance(source="github", at=now),
                           "city": Provenance(source="learner", at=now)}).save()
    await connect("u1", Provider.LINKEDIN, {"job_title": "Engineer"})
    await connect("u1", Provider.GITHUB, {"languages": ["de"]})
    await connect("u2", Provider.GITHUB, {"languages": ["de"]})
    change = await set_consent("u1", T, False, POLICY)
    assert change.purged == {"events": 0, "accounts": 2, "users": 1}
    user = await User.get("u1")
    assert user is not None
    assert (user.job_title, user.languages, user.city, user.country) == (None, ["en"], "Lisbon", "PT")
    assert set(user.provenance) == {"city"}
    assert [a.user_id for a in await ConnectedAccount.find_all().to_list()] == ["u2"]


async def test_set_personalization_switches_and_keeps_consents() -> None:
    await set_consent("u1", B, True, POLICY)
    user = await set_personalization("u1", False)
    assert user.personalization_enabled is False
    assert user.consents["behavioral_tracking"] is True
    assert (await set_personalization("u1", True)).personalization_enabled is True
    assert (await set_personalization("fresh", False)).id == "fresh"
